// The static files in public/: served to anyone, signed out included, with their types (robots.txt keeps the panel
// out of search engines; the icons are what the layout's <link rel="icon"> tags name).
import { expect, test } from '@playwright/test';

test('robots.txt answers 200 signed out and disallows everything', async ({ request }) => {
  const response = await request.get('/robots.txt', { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/plain/);
  const lines = (await response.text()).split('\n').map((line) => line.trim());
  expect(lines).toContain('User-agent: *');
  expect(lines).toContain('Disallow: /');
});

test('the icons are served signed out, and the pages link them', async ({ request, page }) => {
  for (const [path, type] of [
    ['/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/],
    ['/icon.svg', /^image\/svg\+xml/],
    ['/apple-touch-icon.png', /^image\/png/],
  ] as const) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    expect(response.headers()['content-type'], path).toMatch(type);
    expect((await response.body()).length, path).toBeGreaterThan(100);
  }
  await page.goto('/sign-in');
  await expect(page.locator('link[rel="icon"][href="/icon.svg"]')).toHaveCount(1);
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/apple-touch-icon.png');
  await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
});
