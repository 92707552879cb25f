import {
  allowsObject,
  decodeObjectLocations,
  encodeObjectLocations,
  guardedReadGrant,
  parseObjectLocation,
} from '../../common/object-locations';

test('a bucket allows all its keys; a prefix only the keys that start with it, as the IAM resource bucket/prefix* does', () => {
  const locations = [parseObjectLocation('s3://images'), parseObjectLocation('s3://explanations/shap/')].filter(
    (location) => typeof location !== 'string',
  );
  expect(locations).toHaveLength(2);
  expect(allowsObject(locations, 'images', 'any/key.png')).toBe(true);
  expect(allowsObject(locations, 'explanations', 'shap/shap-3.png')).toBe(true);
  expect(allowsObject(locations, 'explanations', 'private/shap-3.png')).toBe(false);
  expect(allowsObject(locations, 'other', 'shap/shap-3.png')).toBe(false);
});

test('a prefix without a final / is a folder: s3://bkt/shap does not cover shap-private/', () => {
  const location = parseObjectLocation('s3://bkt/shap');
  expect(location).toEqual({ bucket: 'bkt', prefix: 'shap/' });
  expect(allowsObject([location as { bucket: string; prefix: string }], 'bkt', 'shap-private/x.png')).toBe(false);
});

test('the environment carries the locations as s3:// URIs and refuses anything else by variable name', () => {
  const encoded = encodeObjectLocations([
    { bucket: 'images', prefix: '' },
    { bucket: 'explanations', prefix: 'shap/' },
  ]);
  expect(encoded).toBe('["s3://images/","s3://explanations/shap/"]');
  expect(decodeObjectLocations(encoded, 'V')).toEqual([
    { bucket: 'images', prefix: '' },
    { bucket: 'explanations', prefix: 'shap/' },
  ]);
  expect(() => decodeObjectLocations('{"a":1}', 'V')).toThrow('V is not a JSON array of s3:// URIs');
  expect(() => decodeObjectLocations('["s3://Bad_Name"]', 'V')).toThrow('V: "Bad_Name" is not an S3 bucket name');
});

test('the guarded grant signs allowed objects and never calls the signer for others', async () => {
  const signer = jest.fn((bucket: string, key: string) => `signed:${bucket}/${key}`);
  const grant = guardedReadGrant([{ bucket: 'images', prefix: 'ok/' }], 'SETTING', signer);
  expect(await grant('images', 'ok/a.png', undefined)).toBe('signed:images/ok/a.png');
  expect(() => grant('images', 'no/a.png', undefined)).toThrow(
    "s3://images/no/a.png is outside the locations tasks may show objects from (s3://images/ok/); the pipeline's operator adds its bucket or prefix to SETTING",
  );
  expect(signer).toHaveBeenCalledTimes(1);
});
