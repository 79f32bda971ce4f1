// Headless-Chromium test of the log viewer's whole-run features (src/main/webapp), run by BrowserIT.
// Env: BASE_URL, CHROMIUM, IT_USER / IT_PASSWORD as live-tail.mjs; BIG_RUN (entries of the large run,
// default 1,000,000), SHOTS (optional directory for screenshots: log-viewer-*.png).
// Checks: a run of BIG_RUN entries scrolls whole (virtualized: rows load from history as they come
// into view, top and middle, jump to a seq and to a time); server-side search over the whole run and
// its results linking to their place in the log; details on demand; download of the filtered run;
// the per-node view with error and warning counts; next/previous error; UTC/local time; a shareable
// URL restoring run, filters and position; follow that does not steal the scroll position, with the
// "N new entries" indicator; the runs list showing outcomes in their colours.
import assert from 'node:assert/strict';
import { PASSWORD, USER, BASE, get, post, runTest, step } from './harness.mjs';

const BIG = Number(process.env.BIG_RUN ?? 1_000_000);
const SHOTS = process.env.SHOTS;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function storedLast(run) {
  const p = await get(`/api/v1/runs/${run}/logs?beforeSeq=9223372036854775807&limit=1`);
  return p.entries.length ? p.entries[0].seq : 0;
}

await runTest(async (browser, watch) => {
  // ---------------------------------------------------------------- the large run, seeded through the API
  const big = crypto.randomUUID();
  await post(`/api/v1/runs/${big}/start`, { workflowId: crypto.randomUUID() });
  const t0 = Date.now();
  let n = 0;
  for (let left = BIG; left > 0;) { // chunks, paced so backpressure does not shed entries
    const chunk = Math.min(left, 200_000);
    const r = await post('/api/v1/admin/stream/load', { runId: big, entries: chunk, ratePerSecond: 25_000 });
    n += r.accepted;
    left -= chunk;
  }
  await post(`/api/v1/runs/${big}/end`, { outcome: 'FAILED' });
  for (let i = 0; i < 600 && (await storedLast(big)) < n; i++) await sleep(500);
  assert.equal(await storedLast(big), n, 'every entry of the large run stored');
  // ERROR and WARN are never shed by backpressure; INFO/DEBUG may be on a busy machine, so expectations
  // below come from the API (seq of the nth error, ...) rather than from the generator's pattern.
  const errorsTotal = (await get(`/api/v1/runs/${big}/nodes`)).nodes.reduce((a, x) => a + x.errors, 0);
  assert.equal(errorsTotal, BIG / 20, 'one ERROR in 20 routed, none shed');
  const firstAfter = async (seq, q) => (await get(`/api/v1/runs/${big}/logs?afterSeq=${seq}&limit=1&${q}`)).entries[0].seq;
  step(`large run seeded through the API: ${n} entries (${BIG - n} shed by backpressure) in ${Math.round((Date.now() - t0) / 1000)} s`);

  const ctx = await browser.newContext({ viewport: { width: 1400, height: 800 }, httpCredentials: { username: USER, password: PASSWORD } });
  const page = await ctx.newPage();
  watch(page);
  const state = () => page.evaluate(() => window.zenflowTail.state());
  const visible = () => page.evaluate(() => window.zenflowTail.visibleSeqs());
  const waitVisibleFrom = async (seq, what) => {
    await page.waitForFunction((s) => { const v = window.zenflowTail.visibleSeqs(); return v.length > 10 && v[0] === s; }, seq,
      { timeout: 60000 }).catch(async () => assert.fail(`${what}: rows in view ${JSON.stringify((await visible()).slice(0, 5))}, wanted from ${seq}`));
  };

  await page.goto(`${BASE}/#run=${big}`);
  await page.waitForFunction((n) => window.zenflowTail?.state().lastSeq === n && window.zenflowTail.visibleSeqs().length > 10, n, { timeout: 60000 });
  let st = await state();
  const tail = await visible();
  assert.equal(tail[tail.length - 1], n, 'opens at the end of the run');
  assert.ok(st.rows < 100, `virtualized: ${st.rows} rows in the DOM for ${n} entries`);
  step(`opened at the end: last row ${n}, ${st.rows} rows in the DOM, ${st.loaded} entries loaded`);

  await page.evaluate(() => { const l = document.getElementById('log'); l.scrollTop = 0; });
  await waitVisibleFrom(1, 'scrolled to the top');
  step('scrolled to the top: rows 1.. loaded from history');
  await page.evaluate(() => { const l = document.getElementById('log'); l.scrollTop = l.scrollHeight / 2; });
  // Wait for the middle's rows themselves (the top's rows are still in the DOM until the next frame).
  await page.waitForFunction((n) => { const v = window.zenflowTail.visibleSeqs(); return v.length > 10 && v[0] > n / 4; }, n,
    { timeout: 60000 });
  const mid = await visible();
  assert.ok(Math.abs(mid[0] - n / 2) < n / 50, `middle of the run in view: ${mid[0]}`);
  for (let i = 1; i < mid.length; i++) assert.equal(mid[i], mid[i - 1] + 1, 'consecutive rows');
  step(`scrolled to the middle: rows from ${mid[0]}`);

  const target = Math.min(n - 100, 123_457);
  await page.fill('#jump', String(target));
  await page.press('#jump', 'Enter');
  await waitVisibleFrom(target, 'jump to seq');
  assert.equal((await state()).highlight, target);
  step(`jump to seq ${target}: first row, highlighted`);

  // Jump to a time: the entry at seq 500,000's time leads to the first entry at that time.
  const at = Math.min(n, 500_000);
  const atEntry = (await get(`/api/v1/runs/${big}/logs?afterSeq=${at - 1}&limit=1`)).entries[0];
  const firstAtTime = (await get(`/api/v1/runs/${big}/logs?from=${atEntry.ts}&limit=1`)).entries[0].seq;
  await page.fill('#jump', atEntry.ts);
  await page.press('#jump', 'Enter');
  await waitVisibleFrom(firstAtTime, 'jump to time');
  step(`jump to time ${atEntry.ts}: seq ${firstAtTime}`);

  // Next / previous error from there (an ERROR every 20 entries: seq 20, 40, ...).
  await page.click('#next-error');
  const nextErr = await firstAfter(firstAtTime, 'minLevel=ERROR');
  await waitVisibleFrom(nextErr, 'next error');
  const prevErr = (await get(`/api/v1/runs/${big}/logs?beforeSeq=${nextErr}&limit=1&minLevel=ERROR`)).entries[0].seq;
  await page.click('#prev-error');
  await waitVisibleFrom(prevErr, 'previous error');
  step(`next error ${nextErr}, previous error ${prevErr}`);

  // Timestamps: date and time, local or UTC.
  await page.evaluate(() => { if (document.getElementById('tz').textContent !== 'UTC') document.getElementById('tz').click(); });
  await page.waitForFunction(() => document.getElementById('tz').textContent === 'UTC');
  await sleep(300);
  const rowTs = await page.$eval(`#log .row[data-seq="${prevErr}"] .ts`, (e) => e.textContent);
  const iso = (await get(`/api/v1/runs/${big}/logs?afterSeq=${prevErr - 1}&limit=1`)).entries[0].ts;
  assert.equal(rowTs.slice(0, 23), iso.slice(0, 10) + ' ' + iso.slice(11, 23), `UTC time with date: ${rowTs} vs ${iso}`);
  step(`UTC timestamps with date: ${rowTs}`);

  // Details on demand.
  await page.click(`#log .row[data-seq="${prevErr}"]`);
  await page.waitForSelector('#details:not([hidden])');
  const details = await page.textContent('#details');
  assert.ok(details.includes('hierarchy') && details.includes('root/notify') && details.includes('failed: connection reset'), details);
  step('details on demand: message, hierarchy, time');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/log-viewer-details.png` });

  // Server-side search over the whole run; a result links to its place in the log.
  await page.fill('#search', 'connection RESET');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => window.zenflowTail.state().filtered && window.zenflowTail.visibleSeqs().length > 10, null, { timeout: 60000 });
  const found = await visible();
  const want = (await get(`/api/v1/runs/${big}/logs?q=connection%20reset&limit=${found.length}`)).entries.map((e) => e.seq);
  assert.deepEqual(found, want, 'search results from the start of the run, as the API answers');
  assert.equal(found[0], 20);
  const texts = await page.$$eval('#log .row .msg', (m) => m.map((x) => x.textContent));
  assert.ok(texts.every((t) => t.toLowerCase().includes('connection reset')), 'every result matches');
  step(`search on the server: ${found.length} results in view, first ${found[0]}`);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/log-viewer-search.png` });
  await page.click(`#log .row[data-seq="${found[3]}"]`);
  await page.click('#details-show');
  await waitVisibleFrom(found[3], 'result shown in the full log');
  assert.equal((await state()).filtered, false);
  step(`result ${found[3]} shown in its place in the full log`);

  // Shareable URL: filters and position come back in a new page.
  await page.selectOption('#level', 'WARN');
  await page.waitForFunction(() => window.zenflowTail.state().filtered && window.zenflowTail.visibleSeqs().length > 10, null, { timeout: 60000 });
  const warnAt = await firstAfter(300000, 'minLevel=WARN');
  await page.fill('#jump', String(warnAt));
  await page.press('#jump', 'Enter');
  await page.waitForFunction((w) => window.zenflowTail.state().highlight === w, warnAt, { timeout: 60000 });
  await sleep(500);
  const url = page.url();
  assert.ok(url.includes('level=WARN') && url.includes(`seq=${warnAt}`) && url.includes('tz=utc'), url);
  const again = await ctx.newPage();
  await again.goto(url);
  await again.waitForFunction((w) => window.zenflowTail?.state().filtered && window.zenflowTail.visibleSeqs()[0] === w, warnAt, { timeout: 60000 });
  assert.equal(await again.$eval('#level', (s) => s.value), 'WARN');
  assert.equal(await again.textContent('#tz'), 'UTC');
  await again.close();
  step(`shareable URL restores run, level filter, position ${warnAt} and UTC: ${url.slice(url.indexOf('#'))}`);

  // Download of the filtered run (the page's link, fetched with the page's credentials).
  await page.selectOption('#level', 'ERROR');
  const href = await page.$eval('#dl-ndjson', (a) => a.href);
  assert.ok(href.includes('format=ndjson') && href.includes('minLevel=ERROR'), href);
  const lines = await page.evaluate(async (h) => (await (await fetch(h)).text()).trim().split('\n'), href);
  assert.equal(lines.length, errorsTotal, 'one NDJSON line per ERROR entry of the whole run');
  assert.equal(JSON.parse(lines[0]).seq, 20);
  const textHref = await page.$eval('#dl-text', (a) => a.href);
  const firstText = await page.evaluate(async (h) => (await (await fetch(h)).text()).split('\n', 1)[0], textHref);
  assert.ok(firstText.includes(' ERROR notify #20 '), firstText);
  step(`download: ${lines.length} NDJSON lines and the text form, filtered as the view`);

  // Per-node view with its counts.
  await page.selectOption('#level', 'DEBUG');
  await page.waitForSelector('#nodes .chip[data-node="notify"]');
  const chip = await page.textContent('#nodes .chip[data-node="notify"]');
  assert.ok(chip.includes(`${errorsTotal} err`), `notify chip shows its errors: ${chip}`);
  await page.click('#nodes .chip[data-node="transform"]');
  await page.waitForFunction(() => window.zenflowTail.state().filtered && window.zenflowTail.visibleSeqs().length > 10, null, { timeout: 60000 });
  const nodes = await page.$$eval('#log .row .node', (m) => [...new Set(m.map((x) => x.textContent))]);
  assert.deepEqual(nodes, ['transform']);
  step(`node view: transform only; notify chip "${chip.trim()}"`);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/log-viewer-nodes.png` });

  // The runs list: the failed run in red, with its errors.
  await page.waitForSelector(`#recent-runs li[data-run="${big}"] .outcome.bad`, { timeout: 30000 });
  const item = await page.textContent(`#recent-runs li[data-run="${big}"]`);
  assert.ok(item.includes('FAILED') && item.includes(`${errorsTotal} errors`), item);
  step('runs list: FAILED coloured as a failure, errors shown');

  // ---------------------------------------------------------------- follow without stealing the scroll position
  const live = crypto.randomUUID();
  await post(`/api/v1/runs/${live}/start`, { workflowId: crypto.randomUUID() });
  await post('/api/v1/admin/stream/load', { runId: live, entries: 300, ratePerSecond: 0 });
  await page.goto(`${BASE}/#run=${live}`);
  await page.waitForFunction(() => window.zenflowTail?.state().status === 'live' && window.zenflowTail.state().lastSeq === 300, null, { timeout: 60000 });
  assert.equal((await state()).follow, true);
  await page.evaluate(() => { document.getElementById('log').scrollTop = 0; });
  await page.waitForFunction(() => window.zenflowTail.state().follow === false);
  const loading = post('/api/v1/admin/stream/load', { runId: live, entries: 1000, ratePerSecond: 500 });
  await page.waitForFunction(() => window.zenflowTail.state().newCount >= 100, null, { timeout: 30000 });
  const top = await page.evaluate(() => document.getElementById('log').scrollTop);
  assert.equal(top, 0, 'the reader scrolled up: new entries do not move the view');
  assert.equal((await visible())[0], 1);
  const badge = await page.textContent('#new-entries');
  assert.match(badge, /^\d+ new entries/);
  step(`scrolled up while entries arrive: view kept at row 1, "${badge.trim()}"`);
  await loading;
  await page.click('#new-entries');
  await page.waitForFunction(() => { const s = window.zenflowTail.state(); return s.follow && s.newCount === 0; });
  await page.waitForFunction(() => { const v = window.zenflowTail.visibleSeqs(); return v[v.length - 1] === 1300; }, null, { timeout: 30000 });
  step('the indicator jumps to the newest entry and follows again');
});
