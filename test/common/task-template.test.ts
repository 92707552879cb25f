import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTaskTemplate, s3Location, templateWarnings } from '../../common/task-template';

const render = (template: string, input: unknown = {}) => renderTaskTemplate(template, input);

describe("SageMaker's escaping rules", () => {
  test('every {{ }} is auto-escaped', async () => {
    expect(await render('{{ task.input.text }}', { text: `<b>"Tom" & 'Jerry'</b>` })).toBe(
      '&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;',
    );
  });

  test('escape does not double-escape under auto-escape', async () => {
    expect(await render('{{ task.input.text | escape }}', { text: '<a href="x">&</a>' })).toBe(
      '&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;',
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
      `<x data='[&#34;a&#34;,&#34;b&#39;s&#34;]'>`,
    );
    expect(await render('{{ task.input.labels | to_json | skip_autoescape }}', { labels: ['a'] })).toBe('["a"]');
  });

  test('grant_read_access turns an S3 object into an HTTPS URL', async () => {
    expect(await render('{{ task.input.image | grant_read_access }}', { image: 's3://my-bucket/images/1.png' })).toBe(
      'https://my-bucket.s3.amazonaws.com/images/1.png',
    );
    const signed = await renderTaskTemplate(
      '{{ task.input.image | grant_read_access }}',
      { image: 'https://s3.amazonaws.com/b/k.png' },
      {
        grantReadAccess: (bucket, key) => `http://localhost/objects/${bucket}/${key}?token=1`,
      },
    );
    expect(signed).toBe('http://localhost/objects/b/k.png?token=1');
  });

  test('grant_read_access refuses what is not an S3 object', async () => {
    await expect(
      render('{{ task.input.image | grant_read_access }}', { image: 'https://example.com/x.png' }),
    ).rejects.toThrow('grant_read_access needs an S3 URI');
  });
});

describe('mistakes fail before a worker sees them', () => {
  test('an unknown filter', async () => {
    await expect(render('{{ task.input.text | upcase_all }}', { text: 'x' })).rejects.toThrow(
      /undefined filter: upcase_all/,
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
  expect(html).toContain('I am &lt;unhappy&gt; with &#34;this&#34; product');
  expect(html).toContain(`categories="['-1', '0', '1']"`);
});

test('S3 locations in every form SageMaker accepts', () => {
  expect(s3Location('s3://b/k/x.png')).toEqual({ bucket: 'b', key: 'k/x.png' });
  expect(s3Location('https://s3.amazonaws.com/b/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('https://b.s3.eu-west-1.amazonaws.com/k.png')).toEqual({ bucket: 'b', key: 'k.png' });
  expect(s3Location('https://example.com/k.png')).toBeUndefined();
});
