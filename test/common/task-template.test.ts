import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTaskTemplate, s3Location, templateWarnings } from '../../common/task-template';

const render = (template: string, input: unknown = {}) => renderTaskTemplate(template, input);

describe("SageMaker's escaping rules", () => {
  test('every {{ }} is auto-escaped', async () => {
    expect(await render('{{ task.input.text }}', { text: `<b>"Tom" & 'Jerry'</b>` })).toBe(
      '&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;',
    );
  });

  test('escape does not double-escape under auto-escape', async () => {
    expect(await render('{{ task.input.text | escape }}', { text: '<a href="x">&</a>' })).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;',
    );
  });

  test('escape_once leaves existing entities alone', async () => {
    expect(await render('{{ task.input.text | escape_once }}', { text: '&amp; &lt;b&gt; & <i>' })).toBe(
      '&amp; &lt;b&gt; &amp; &lt;i&gt;',
    );
  });

  test('skip_autoescape outputs the value as it is', async () => {
    expect(await render('{{ task.input.html | skip_autoescape }}', { html: '<p class="x">hi</p>' })).toBe(
      '<p class="x">hi</p>',
    );
  });

  test('to_json serializes, and is escaped for an HTML attribute', async () => {
    expect(await render(`<x data='{{ task.input.labels | to_json }}'>`, { labels: ['a', "b's"] })).toBe(
      `<x data='[&quot;a&quot;,&quot;b&#39;s&quot;]'>`,
    );
    expect(await render('{{ task.input.labels | to_json | skip_autoescape }}', { labels: ['a'] })).toBe('["a"]');
  });

  test("the docs' own example: ' as &#39;, & as &amp;, and escape, escape_once and auto-escape agree", async () => {
    const book = "Have you read 'James & the Giant Peach'?";
    const template = '{{ task.input.b }}|{{ task.input.b | escape }}|{{ task.input.b | escape_once }}';
    const escaped = 'Have you read &#39;James &amp; the Giant Peach&#39;?';
    expect(await render(template, { b: book })).toBe(`${escaped}|${escaped}|${escaped}`);
    expect(await render('{{ task.input.b | skip_autoescape }}', { b: book })).toBe(book);
  });
});

describe('objects and arrays printed without to_json', () => {
  const input = { obj: { a: 1, b: 'x<"y"' }, list: ['a', "b's"], rows: [{ n: 1 }, { n: 2 }], none: null };

  test('print as compact JSON, escaped, like SageMaker (never [object Object])', async () => {
    expect(await render('{{ task.input.obj }}', input)).toBe(
      '{&quot;a&quot;:1,&quot;b&quot;:&quot;x&lt;\\&quot;y\\&quot;&quot;}',
    );
    expect(await render('{{ task.input.list }}', input)).toBe('[&quot;a&quot;,&quot;b&#39;s&quot;]');
    expect(await render('{% for row in task.input.rows %}{{ row }};{% endfor %}', input)).toBe(
      '{&quot;n&quot;:1};{&quot;n&quot;:2};',
    );
    expect(await render('{{ task.input.none }}', input)).toBe('');
  });

  test('print the same as to_json does', async () => {
    for (const name of ['obj', 'list', 'rows'])
      expect(await render(`{{ task.input.${name} }}`, input)).toBe(
        await render(`{{ task.input.${name} | to_json }}`, input),
      );
  });

  test('in an attribute, the element gets the JSON back (what textract and bounding-box templates rely on)', async () => {
    const html = await render('<x data-v="{{ task.input }}">', input);
    const attribute = /data-v="([^"]*)"/.exec(html)![1];
    const decoded = attribute.replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) =>
      e === 'quot' ? '"' : e === '#39' ? "'" : e === 'lt' ? '<' : e === 'gt' ? '>' : '&',
    );
    expect(JSON.parse(decoded)).toEqual(input);
  });

  test('skip_autoescape and escape of an object give its JSON, unescaped and escaped', async () => {
    expect(await render('{{ task.input.list | skip_autoescape }}', input)).toBe(`["a","b's"]`);
    expect(await render('{{ task.input.list | escape }}', input)).toBe('[&quot;a&quot;,&quot;b&#39;s&quot;]');
  });
});

describe('grant_read_access', () => {
  const grants: Array<[string, string]> = [];
  const grant = async (image: string) => {
    grants.length = 0;
    return renderTaskTemplate(
      '{{ task.input.image | grant_read_access }}',
      { image },
      {
        grantReadAccess: (bucket, key) => {
          grants.push([bucket, key]);
          return `http://localhost/objects/${bucket}/${key}?token=1&x=2`;
        },
      },
    );
  };

  test.each([
    ['s3://my-bucket/images/1.png', 'the docs example form'],
    ['https://s3.amazonaws.com/my-bucket/images/1.png', 'path-style, as the docs show the output'],
    [
      'http://s3.amazonaws.com/my-bucket/images/1.png',
      'path-style http, as the textract and rekognition docs build it',
    ],
    ['https://s3.eu-west-1.amazonaws.com/my-bucket/images/1.png', 'path-style, regional'],
    ['https://s3-eu-west-1.amazonaws.com/my-bucket/images/1.png', 'path-style, legacy s3-<region>'],
    ['https://my-bucket.s3.amazonaws.com/images/1.png', 'virtual-hosted'],
    ['https://my-bucket.s3.eu-west-1.amazonaws.com/images/1.png', 'virtual-hosted, regional'],
    ['https://my-bucket.s3.dualstack.eu-west-1.amazonaws.com/images/1.png?versionId=3#x', 'dual-stack, query dropped'],
  ])('%s (%s) is the same bucket and key for the signer', async (uri) => {
    expect(await grant(uri)).toBe('http://localhost/objects/my-bucket/images/1.png?token=1&amp;x=2');
    expect(grants).toEqual([['my-bucket', 'images/1.png']]);
  });

  test('a URL key is percent-decoded; an s3:// key is taken as written; a bucket may have dots', async () => {
    await grant('https://s3.amazonaws.com/b/my%20photo%2B1.png');
    expect(grants).toEqual([['b', 'my photo+1.png']]);
    await grant('s3://b/my photo%2B1.png');
    expect(grants).toEqual([['b', 'my photo%2B1.png']]);
    await grant('https://my.dotted.bucket.s3.us-east-1.amazonaws.com/k.png');
    expect(grants).toEqual([['my.dotted.bucket', 'k.png']]);
  });

  test('s3_presign is the same filter', async () => {
    const html = await renderTaskTemplate(
      '{{ task.input.image | s3_presign }}',
      { image: 's3://b/k.png' },
      { grantReadAccess: (bucket, key) => `signed:${bucket}/${key}` },
    );
    expect(html).toBe('signed:b/k.png');
  });

  test('without a signer, an unsigned virtual-hosted URL (an offline preview)', async () => {
    expect(await render('{{ task.input.image | grant_read_access }}', { image: 's3://my-bucket/images/1.png' })).toBe(
      'https://my-bucket.s3.amazonaws.com/images/1.png',
    );
  });

  test.each([
    'https://example.com/x.png',
    'https://s3.amazonaws.com.evil.example/b/k.png',
    'https://evil.example/s3.amazonaws.com/b/k.png',
    'ftp://s3.amazonaws.com/b/k.png',
    's3://bucket-only',
    's3://bucket/',
    'https://s3.amazonaws.com/bucket-only',
    'images/1.png',
  ])('%s fails the render, saying what it needs', async (image) => {
    await expect(render('{{ task.input.image | grant_read_access }}', { image })).rejects.toThrow(
      `grant_read_access needs an S3 URI (s3://bucket/key or an S3 http(s) URL), got ${JSON.stringify(image)}`,
    );
  });
});

describe('mistakes fail before a worker sees them', () => {
  test('an unknown filter', async () => {
    await expect(render('{{ task.input.text | upcase_all }}', { text: 'x' })).rejects.toThrow(
      /undefined filter: upcase_all/,
    );
  });

  test("a filter liquidjs has and Shopify Liquid (SageMaker's) does not", async () => {
    await expect(render('{{ task.input.text | raw }}', { text: '<b>' })).rejects.toThrow(/undefined filter: raw/);
    await expect(render('{{ task.input.list | json }}', { list: [] })).rejects.toThrow(/undefined filter: json/);
    expect(await render('{{ task.input.text | h }}|{{ task.input.list | sum }}', { text: '<b>', list: [1, 2] })).toBe(
      '&lt;b&gt;|3',
    );
  });

  test('a variable the input does not have', async () => {
    await expect(render('{{ task.input.taskObjet }}', { taskObject: 'x' })).rejects.toThrow(
      /undefined variable: task.input.taskObjet/,
    );
  });
});

describe('template warnings', () => {
  test('to_json without escape after it is flagged with its line; with escape it is not', () => {
    const template = [
      '<crowd-form>',
      '  <div data-x="{{ task.input.labels | to_json }}"></div>',
      '  <div data-y="{{ task.input.labels | to_json | escape }}"></div>',
      '  <div data-z="{{ task.input.labels | to_json | escape_once }}"></div>',
      '</crowd-form>',
    ].join('\n');
    expect(templateWarnings(template)).toEqual([
      'line 2: {{ task.input.labels | to_json }} uses to_json without | escape after it; SageMaker does not document whether it escapes to_json output, so write to_json | escape (as AWS samples do)',
    ]);
  });

  test("the repository's templates have no warnings", () => {
    const dir = path.join(__dirname, '..', '..', 'templates');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.liquid.html')))
      expect(templateWarnings(fs.readFileSync(path.join(dir, file), 'utf8'))).toEqual([]);
  });
});

test("the repository's sentiment template renders with a loop input, text escaped and the model label preselected", async () => {
  const template = fs.readFileSync(path.join(__dirname, '..', '..', 'templates', 'sentiment.liquid.html'), 'utf8');
  const html = await render(template, {
    initialValue: -1,
    taskObject: 'I am <unhappy> with "this" product',
    modelProbability: 0.6,
    threshold: 0.9,
  });
  expect(html).toContain('initial-value="-1"');
  expect(html).toContain('I am &lt;unhappy&gt; with &quot;this&quot; product');
  expect(html).toContain(`categories="['-1', '0', '1']"`);
});

test('S3 locations in every form SageMaker accepts', () => {
  expect(s3Location('s3://b/k/x.png')).toEqual({ bucket: 'b', key: 'k/x.png' });
  expect(s3Location('https://s3.amazonaws.com/b/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('http://s3.amazonaws.com/b/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('https://b.s3.eu-west-1.amazonaws.com/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('https://b.s3.cn-north-1.amazonaws.com.cn/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('https://example.com/k.png')).toBeUndefined();
});

describe('a variable tested for, or given a default, may be missing', () => {
  test('if, unless and default', async () => {
    const template = '{% if task.input.note %}[{{ task.input.note }}]{% endif %}{{ task.input.x | default: "-" }}';
    expect(await render(template, {})).toBe('-');
    expect(await render(template, { note: 'n', x: 1 })).toBe('[n]1');
  });
});
