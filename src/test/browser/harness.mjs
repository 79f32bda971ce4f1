// What the headless-Chromium tests of the log page (live-tail.mjs, log-viewer.mjs) share: the server,
// the user, API calls and the run of one test in a fresh Chromium with its one-line report.
// Env: BASE_URL (the server), CHROMIUM (default /usr/bin/chromium), IT_USER / IT_PASSWORD (the local
// registry's all-roles user by default; docs/security.md).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const BASE = process.env.BASE_URL ?? 'http://localhost:9180';
export const USER = process.env.IT_USER ?? 'zenflow', PASSWORD = process.env.IT_PASSWORD ?? 'zenflow-local';
const AUTH = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

export const step = (msg) => console.log(`[browser] ${msg}`);

// One API call as USER; asserts a 2xx answer and returns its JSON ({} when the body is empty).
export async function call(method, path, body) {
  const res = await fetch(BASE + path, { method, headers: { 'Content-Type': 'application/json', Authorization: AUTH },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.status < 300, `${path} answered ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}
export const post = (path, body) => call('POST', path, body ?? {});
export const get = (path) => call('GET', path);

// Runs test(browser, watch) in a freshly launched Chromium as one test: it fails when test throws or when
// a page handed to watch(page) raises an error. Closes the browser, prints the result line BrowserIT
// reads and exits with 0 (passed) or 1.
export async function runTest(test) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let failed = false;
  const watch = (page) => page.on('pageerror', (e) => { failed = true; console.error('[browser] page error:', e); });
  try {
    await test(browser, watch);
  } catch (e) {
    failed = true;
    console.error('[browser] FAILED:', e);
  } finally {
    await browser.close();
  }
  console.log(failed ? '[browser] 0 passed, 1 failed' : '[browser] 1 passed, 0 failed');
  process.exit(failed ? 1 : 0);
}
