import { framePolicy } from '../../../lambda/portal/http';
import { humanTime, portalPage } from '../../../lambda/portal/pages';

describe('times as a worker reads them', () => {
  const now = new Date('2026-11-22T09:30:00Z');
  test.each([
    ['2026-11-22T09:29:30Z', 'just now', '22 Nov 2026, 09:29 UTC'],
    ['2026-11-22T09:29:00Z', '1 minute ago', '22 Nov 2026, 09:29 UTC'],
    ['2026-11-22T08:05:00Z', '1 hour ago', '22 Nov 2026, 08:05 UTC'],
    ['2026-11-19T23:59:59Z', '2 days ago', '19 Nov 2026, 23:59 UTC'],
  ])('%s is "%s (%s)"', (iso, ago, day) => {
    expect(humanTime(iso, now)).toBe(
      `<time datetime="${new Date(iso).toISOString()}">${ago}</time> <span class="when">(${day})</span>`,
    );
  });

  test('a time from the clock ahead of this one is just now, and text that is not a time is shown escaped', () => {
    expect(humanTime('2026-11-22T09:31:00Z', now)).toMatch(/^<time [^>]+>just now<\/time>/);
    expect(humanTime('<b>', now)).toBe('&lt;b&gt;');
  });
});

test('pages name an icon of their own, so browsers ask the server for no favicon', () => {
  expect(portalPage('Tasks', undefined, '<p>x</p>')).toContain('<link rel="icon" href="data:,">');
});

test("the frame policy names the portal's origins that CSP can express, and leaves out IPv6 literals", () => {
  const policy = framePolicy(['http://127.0.0.1:3000', 'http://[::1]:3000', 'https://3000-abc.example.dev']);
  expect(policy).toContain("script-src 'self' http://127.0.0.1:3000 https://3000-abc.example.dev 'unsafe-inline'");
  expect(policy).not.toContain('[::1]');
});
