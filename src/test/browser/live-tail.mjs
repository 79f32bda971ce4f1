// Headless-Chromium test of the live log page (src/main/webapp), run by BrowserIT during `mvn verify`.
// Env: BASE_URL (the server), CHROMIUM (default /usr/bin/chromium), SCREENSHOT (optional PNG path),
// IT_USER / IT_PASSWORD (the local registry's all-roles user by default; docs/security.md).
// The page must: open a run from its URL, show entries arriving live, filter by level, survive a
// server-side disconnect and resume without duplicates (ending with exactly 1..N).
import assert from 'node:assert/strict';
import { PASSWORD, USER, BASE, post, runTest, step } from './harness.mjs';

const N1 = 1500, N2 = 1500, N = N1 + N2;

await runTest(async (browser, watch) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 },
    httpCredentials: { username: USER, password: PASSWORD } });
  watch(page);
  const run = crypto.randomUUID();
  await post(`/api/v1/runs/${run}/start`, { workflowId: crypto.randomUUID() });

  await page.goto(`${BASE}/#run=${run}`);
  await page.waitForFunction(() => window.zenflowTail?.state().status === 'live', null, { timeout: 30000 });
  step('page open and live on an empty run');

  const loading = post('/api/v1/admin/stream/load', { runId: run, entries: N1, ratePerSecond: 500 });
  await page.waitForFunction(() => document.querySelectorAll('#log .row').length >= 20, null, { timeout: 30000 }); // rows in view
  const early = await page.evaluate(() => window.zenflowTail.state().received);
  assert.ok(early < N1, `entries arrive while the run is still logging (saw ${early} of ${N1})`);
  step(`entries arriving live: ${early} rows while routing`);

  await page.selectOption('#level', 'ERROR');
  await page.waitForFunction(() => document.querySelectorAll('#log .row:not(.loading)').length > 0, null, { timeout: 30000 });
  const levels = await page.$$eval('#log .row', (rows) => [...new Set(rows.map((r) => r.dataset.level))]);
  assert.deepEqual(levels, ['ERROR'], 'level filter shows only ERROR rows (searched on the server, then live)');
  step('level filter: only ERROR rows');
  await page.selectOption('#level', 'DEBUG');

  await loading;
  const before = await page.evaluate(() => window.zenflowTail.state());
  const kicked = await post(`/api/v1/admin/stream/runs/${run}/disconnect`);
  assert.equal(kicked.closed, 1, 'the server closed the page\'s session');
  await page.waitForFunction((r) => window.zenflowTail.state().reconnects > r, before.reconnects, { timeout: 30000 });
  step(`server-side disconnect at seq ${before.lastSeq}; page reconnecting`);
  await post('/api/v1/admin/stream/load', { runId: run, entries: N2, ratePerSecond: 2000 });
  await post(`/api/v1/runs/${run}/end`, { outcome: 'SUCCEEDED' });
  await page.waitForFunction(() => window.zenflowTail.state().status === 'ended', null, { timeout: 60000 });

  const st = await page.evaluate(() => window.zenflowTail.state());
  const seqs = await page.evaluate(() => window.zenflowTail.seqs());
  assert.equal(st.duplicates, 0, 'no duplicate frames');
  assert.equal(seqs.length, N, 'every entry once');
  seqs.forEach((s, i) => assert.equal(s, i + 1, `seq at ${i}`));
  assert.equal(await page.textContent('#count-entries'), String(N));
  await page.waitForFunction((n) => document.getElementById('count-error').textContent === String(n), N / 20, { timeout: 30000 });
  assert.ok(st.rows < 100, `only the rows in view are in the DOM (${st.rows})`);
  step(`resumed without gap or duplicate: 1..${N}, ${st.reconnects} reconnect(s), ${st.rows} rows in the DOM`);

  if (process.env.SCREENSHOT) {
    await page.fill('#search', 'failed');
    await page.waitForTimeout(400);
    await page.fill('#search', '');
    await page.waitForTimeout(400);
    await page.screenshot({ path: process.env.SCREENSHOT });
    step(`screenshot ${process.env.SCREENSHOT}`);
  }
});
