// Zenflow live log viewer: plain JS, no build step.
// Protocol 2: docs/websocket-protocol.md. One WebSocket per open run; every frame is JSON:
// {"type":"hello","protocol":2} | {"type":"logs","first","last","entries":[{...seq...}]} | {"type":"caught-up","seq"}
// | {"type":"run-ended","lastSeq","outcome"}.
// Resume: on any close but 1000 (run ended) and 1008 (bad request) the page reconnects with
// afterSeq = the last seq it holds, so it never shows a gap or a duplicate.
//
// The view is virtual over the whole run: seq 1..lastSeq are rows of a fixed height; only the rows
// in view exist in the DOM. Entries come from a cache filled by the WebSocket (the tail) and by
// history pages loaded on demand from GET /api/v1/runs/{id}/logs when a row without its entry comes
// into view (scrolling up loads older pages). With a filter (level, node, search) the view is the
// server's answer for the whole run (paged forward as you scroll) plus matching live entries.
// Follow keeps the newest row in view only while the reader is at the bottom; otherwise new
// entries are counted in the "N new entries" button. The URL (#run=…&level=…&node=…&q=…&seq=…&tz=…)
// restores run, filters and position.
(() => {
  'use strict';
  const ROW_H = 20;                 // px per row (fixed: the view computes positions from it)
  const MAX_SPACER_PX = 30_000_000; // browsers cap element heights near 33.5M px; beyond, positions are scaled
  const PAGE = 500;                 // entries per history request
  const TAIL = 1000;                // entries before the stored end that the WebSocket resends on open
  const CACHE_MAX = 100_000;        // entries kept; pages far from the view are dropped beyond it
  const LOADS_IN_FLIGHT = 4;
  const RUNS_REFRESH_MS = 3000, NODES_REFRESH_MS = 5000;
  const BACKOFF_FIRST_MS = 250, BACKOFF_MAX_MS = 5000;
  const MAX_SEQ = '9223372036854775807';
  const LEVELS = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
  const $ = (id) => document.getElementById(id);
  const logEl = $('log'), rowsEl = $('rows'), spacerEl = $('spacer');

  const st = {
    runId: null, ws: null, gen: 0, lastSeq: 0, storedSeq: 0, cache: new Map(), pages: new Map(), loading: 0, wanted: [],
    counts: { WARN: 0, ERROR: 0 }, received: 0, wsSeqs: [], duplicates: 0, reconnects: 0, backoff: BACKOFF_FIRST_MS,
    follow: true, newCount: 0, ended: null, status: 'idle', renderQueued: false, timer: null, highlight: 0,
    utc: false, nodes: [], results: null, resAfter: 0, resDone: false, resLoading: false, selected: null,
  };
  const filters = { level: 0, node: '', q: '' };
  const filtered = () => filters.level > 0 || !!filters.node || !!filters.q;
  const api = (path) => `api/v1/runs/${encodeURIComponent(st.runId)}${path}`;

  // ------------------------------------------------------------------ opening a run
  async function open(runId, restore) {
    if (st.ws) { st.ws.onclose = null; st.ws.close(1000); }
    clearTimeout(st.timer);
    const gen = ++st.gen;
    Object.assign(st, { runId, ws: null, lastSeq: 0, storedSeq: 0, cache: new Map(), pages: new Map(), loading: 0, wanted: [],
      counts: { WARN: 0, ERROR: 0 }, received: 0, wsSeqs: [], duplicates: 0, reconnects: 0, backoff: BACKOFF_FIRST_MS,
      follow: true, newCount: 0, ended: null, endedAt: 0, highlight: 0, nodes: [], results: null, selected: null,
      wsFrom: 0, wsLast: undefined, note: '' });
    Object.assign(filters, { level: LEVELS[restore?.level] ?? 0, node: restore?.node ?? '', q: restore?.q ?? '' });
    $('level').value = Object.keys(LEVELS)[filters.level];
    $('search').value = filters.q;
    $('node').length = 1;
    if (filters.node) $('node').add(new Option(filters.node, filters.node));
    $('node').value = filters.node;
    $('follow').checked = true;
    $('details').hidden = true;
    $('run-title').textContent = runId;
    logEl.scrollTop = 0;
    markCurrent();
    updateLinks();
    // Where the stored log ends: the last entry before "infinity". The WebSocket resends a short tail
    // before it (the seam takes care of the rest), older rows load from history as they come into view.
    try {
      const res = await fetch(api(`/logs?beforeSeq=${MAX_SEQ}&limit=1`));
      if (res.ok) { const p = await res.json(); if (p.entries.length) st.storedSeq = p.entries[0].seq; }
    } catch (e) { /* the WebSocket still brings everything */ }
    if (gen !== st.gen) return;
    st.lastSeq = st.storedSeq;
    st.wsFrom = Math.max(0, st.storedSeq - TAIL);
    refreshNodes();
    if (filtered() && !restore?.seq) startResults();
    connect();
    if (restore?.seq) jumpToSeq(restore.seq, false); else scrollToEnd();
    scheduleRender();
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const after = Math.max(st.wsFrom, lastContiguous());
    const url = `${proto}//${location.host}/ws/runs/${encodeURIComponent(st.runId)}?protocol=2&afterSeq=${after}`;
    setStatus('connecting', 'connecting…');
    const ws = new WebSocket(url);
    st.ws = ws;
    ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
    ws.onclose = (ev) => {
      if (st.ws !== ws) return;
      st.ws = null;
      if (ev.code === 1000 && st.ended) return setStatus('ended', `run ended: ${st.ended.outcome} (last seq ${st.ended.lastSeq})`);
      if (ev.code === 1008) return setStatus('error', `refused: ${ev.reason}`);
      st.reconnects++;
      setStatus('reconnecting', `reconnecting from seq ${lastContiguous()} (${ev.code}${ev.reason ? ': ' + ev.reason : ''})`);
      st.timer = setTimeout(connect, st.backoff);
      st.backoff = Math.min(BACKOFF_MAX_MS, st.backoff * 2);
    };
  }

  /** The highest seq the WebSocket delivered without a hole since wsFrom (its resume point). */
  function lastContiguous() { return st.wsLast ?? st.wsFrom ?? 0; }

  function onFrame(f) {
    if (f.type === 'logs') {
      let added = 0;
      for (const e of f.entries) {
        if (e.seq <= lastContiguous()) { st.duplicates++; continue; } // never expected: the server guarantees it
        st.wsLast = e.seq;
        st.wsSeqs.push(e.seq);
        st.received++;
        if (!st.cache.has(e.seq)) st.cache.set(e.seq, e);
        if (e.seq > st.lastSeq) { st.lastSeq = e.seq; added++; }
        if (e.seq > st.storedSeq && (e.level === 'WARN' || e.level === 'ERROR')) st.counts[e.level]++;
        if (st.results && st.resDone && matches(e) && (!st.results.length || e.seq > st.results[st.results.length - 1].seq)) {
          st.results.push(e);
        }
        if (!nodeKnown(e.nodeKey)) addNodeOption(e.nodeKey);
      }
      if (!st.follow && added) st.newCount += added;
      scheduleRender();
    } else if (f.type === 'hello') {
      if (f.protocol !== 2) setStatus('error', `server speaks protocol ${f.protocol}, this page 2`);
    } else if (f.type === 'caught-up') {
      if (f.seq > lastContiguous()) st.wsLast = f.seq;
      st.lastSeq = Math.max(st.lastSeq, f.seq);
      st.backoff = BACKOFF_FIRST_MS;
      setStatus('live', 'live');
      scheduleRender();
    } else if (f.type === 'run-ended') {
      st.ended = f;
      st.endedAt = Date.now();
      refreshNodes();
    }
  }

  // ------------------------------------------------------------------ history pages (whole-run view)
  function ensurePage(p) {
    if (st.pages.has(p)) return;
    st.pages.set(p, 'wanted');
    st.wanted.push(p);
    pumpLoads();
  }

  function pumpLoads() {
    while (st.loading < LOADS_IN_FLIGHT && st.wanted.length) {
      const p = st.wanted.pop(); // newest wish first: the rows in view now
      if (!pageInView(p)) { st.pages.delete(p); continue; }
      st.loading++;
      st.pages.set(p, 'loading');
      const gen = st.gen;
      fetch(api(`/logs?afterSeq=${p * PAGE}&limit=${PAGE}`)).then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((page) => {
          if (gen !== st.gen) return;
          for (const e of page.entries) if (!st.cache.has(e.seq)) st.cache.set(e.seq, e);
          // A short page: the rest is not stored yet (it comes over the WebSocket); ask again later.
          if (page.entries.length < PAGE && (p + 1) * PAGE <= st.lastSeq) setTimeout(() => st.pages.delete(p), 1000);
          else st.pages.set(p, 'loaded');
          evict();
          scheduleRender();
        })
        .catch(() => { if (gen === st.gen) setTimeout(() => st.pages.delete(p), 1000); })
        .finally(() => { if (gen === st.gen) { st.loading--; pumpLoads(); } });
    }
  }

  function pageInView(p) {
    const [first, n] = windowRange();
    const a = Math.floor(first / PAGE), b = Math.floor((first + n) / PAGE);
    return p >= a - 1 && p <= b + 1;
  }

  /** Beyond CACHE_MAX entries, drops whole pages farthest from the view (they load again when needed). */
  function evict() {
    if (st.cache.size <= CACHE_MAX) return;
    const here = Math.floor(windowRange()[0] / PAGE);
    const loaded = [...st.pages.keys()].filter((p) => st.pages.get(p) === 'loaded').sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
    for (const p of loaded) {
      if (st.cache.size <= CACHE_MAX * 0.8 || Math.abs(p - here) <= 2) break;
      for (let s = p * PAGE + 1; s <= (p + 1) * PAGE; s++) st.cache.delete(s);
      st.pages.delete(p);
    }
  }

  // ------------------------------------------------------------------ filtered view (server search)
  function matches(e) {
    return LEVELS[e.level] >= filters.level && (!filters.node || e.nodeKey === filters.node)
      && (!filters.q || e.message.toLowerCase().includes(filters.q.toLowerCase())
        || (e.errorCode ?? '').toLowerCase().includes(filters.q.toLowerCase()));
  }

  function filterQuery() {
    const p = new URLSearchParams();
    if (filters.level) p.set('minLevel', Object.keys(LEVELS)[filters.level]);
    if (filters.node) p.set('nodeKey', filters.node);
    if (filters.q) p.set('q', filters.q);
    return p.toString();
  }

  /** A filtered view starting at the first match at or after fromSeq (earlier matches load when scrolling up). */
  function startResults(fromSeq = 0) {
    st.results = [];
    st.resAfter = Math.max(0, fromSeq - 1);
    st.resDone = false;
    st.resLoading = false;
    st.resBefore = Math.max(1, fromSeq);
    st.resHeadDone = fromSeq <= 1;
    st.resHeadLoading = false;
    logEl.scrollTop = 0;
    moreResults();
  }

  /** Prepends the page of matches before the first one held, keeping the rows in view where they are. */
  function earlierResults() {
    if (!st.results || st.resHeadDone || st.resHeadLoading || !st.resDone && !st.results.length) return;
    st.resHeadLoading = true;
    const gen = st.gen, results = st.results;
    const before = results.length ? results[0].seq : st.resBefore;
    fetch(api(`/logs?beforeSeq=${before}&limit=${PAGE}&${filterQuery()}`)).then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((page) => {
        if (gen !== st.gen || results !== st.results) return;
        const [first] = windowRange();
        results.unshift(...page.entries);
        if (page.entries.length < PAGE) st.resHeadDone = true;
        spacerEl.style.height = geometry().spacer + 'px';
        if (page.entries.length && !st.follow) logEl.scrollTop = scrollTopFor(first + page.entries.length);
        st.resHeadLoading = false;
        render();
      })
      .catch(() => { st.resHeadLoading = false; });
  }

  function moreResults() {
    if (!st.results || st.resDone || st.resLoading) return;
    st.resLoading = true;
    const gen = st.gen, results = st.results;
    fetch(api(`/logs?afterSeq=${st.resAfter}&limit=${PAGE}&${filterQuery()}`))
      .then((r) => (r.ok ? r.json() : r.text().then((t) => Promise.reject(new Error(`${r.status} ${t}`)))))
      .then((page) => {
        if (gen !== st.gen || results !== st.results) return;
        for (const e of page.entries) results.push(e);
        st.resAfter = page.nextAfterSeq;
        if (page.entries.length < PAGE) {
          st.resDone = true;
          // Live entries that passed meanwhile and are newer than the stored answer.
          for (const s of [...st.cache.keys()].filter((k) => k > st.resAfter).sort((a, b) => a - b)) {
            const e = st.cache.get(s);
            if (matches(e)) results.push(e);
          }
        }
        st.resLoading = false;
        scheduleRender();
      })
      .catch((e) => { st.resLoading = false; setFooterNote(`search failed: ${e.message}`); });
  }

  function applyFilters() {
    st.selected = null;
    $('details').hidden = true;
    if (filtered()) startResults(); else { st.results = null; scrollToEnd(); }
    updateLinks();
    updateHash();
    render(); // at once: no row of the previous view may stay visible under the new filter
  }

  // ------------------------------------------------------------------ the virtual view
  function count() { return st.results ? st.results.length : st.lastSeq; }
  function entryAt(i) { return st.results ? st.results[i] : st.cache.get(i + 1); }

  function geometry() {
    const total = count() * ROW_H;
    const spacer = Math.min(total, MAX_SPACER_PX);
    return { total, spacer, scaled: total > spacer };
  }

  /** @returns [index of the first row in view, rows in view] */
  function windowRange() {
    const n = Math.ceil(logEl.clientHeight / ROW_H) + 1;
    const g = geometry();
    let first;
    if (!g.scaled) first = Math.floor(logEl.scrollTop / ROW_H);
    else {
      const room = Math.max(1, g.spacer - logEl.clientHeight);
      first = Math.floor((logEl.scrollTop / room) * Math.max(0, count() - n + 1));
    }
    return [Math.max(0, Math.min(first, Math.max(0, count() - 1))), n];
  }

  function scrollTopFor(index) {
    const g = geometry();
    if (!g.scaled) return index * ROW_H;
    const n = Math.ceil(logEl.clientHeight / ROW_H) + 1;
    return ((g.spacer - logEl.clientHeight) * index) / Math.max(1, count() - n + 1);
  }

  function scheduleRender() {
    if (st.renderQueued) return;
    st.renderQueued = true;
    requestAnimationFrame(render);
  }

  function render() {
    st.renderQueued = false;
    const g = geometry();
    spacerEl.style.height = g.spacer + 'px';
    // A filtered view follows only once it holds the whole stored answer (else it would page it all in).
    if (st.follow && (!st.results || st.resDone)) logEl.scrollTop = logEl.scrollHeight;
    const [first, n] = windowRange();
    const frag = document.createDocumentFragment();
    for (let i = first; i < Math.min(count(), first + n); i++) {
      const e = entryAt(i);
      if (e) frag.appendChild(row(e));
      else {
        frag.appendChild(placeholder(i + 1));
        if (!st.results) ensurePage(Math.floor(i / PAGE));
      }
    }
    rowsEl.textContent = '';
    rowsEl.appendChild(frag);
    rowsEl.style.transform = `translateY(${g.scaled ? logEl.scrollTop : first * ROW_H}px)`;
    if (st.results && !st.resDone && first + n >= st.results.length - PAGE / 5) moreResults();
    if (st.results && !st.resHeadDone && first < PAGE / 5) earlierResults();
    const btn = $('new-entries');
    btn.hidden = st.follow || st.newCount === 0;
    btn.textContent = `${st.newCount} new entr${st.newCount === 1 ? 'y' : 'ies'} \u2193`;
    updateCounts(first);
  }

  function fmtTs(iso) {
    const t = new Date(iso);
    const micros = /\.(\d+)Z$/.exec(iso)?.[1]?.padEnd(6, '0').slice(3, 6) ?? '000';
    const p = (v, w = 2) => String(v).padStart(w, '0');
    const [Y, M, D, h, m, s, ms] = st.utc
      ? [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds()]
      : [t.getFullYear(), t.getMonth() + 1, t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds(), t.getMilliseconds()];
    return `${Y}-${p(M)}-${p(D)} ${p(h)}:${p(m)}:${p(s)}.${p(ms, 3)}${micros === '000' ? '' : micros}`;
  }

  function cell(cls, text) {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function row(e) {
    const d = document.createElement('div');
    d.className = 'row ' + e.level + (e.seq === st.highlight ? ' highlight' : '') + (st.selected === e.seq ? ' selected' : '');
    d.dataset.seq = e.seq;
    d.dataset.level = e.level;
    d.append(cell('seq', e.seq), cell('ts', fmtTs(e.ts)), cell('lvl', e.level), cell('node', e.nodeKey),
      cell('msg', e.message + (e.errorCode ? ` [${e.errorCode}]` : '')));
    d.title = e.nodeKey;
    return d;
  }

  function placeholder(seq) {
    const d = document.createElement('div');
    d.className = 'row loading';
    d.dataset.seq = seq;
    d.append(cell('seq', seq), cell('ts', '…'), cell('lvl', ''), cell('node', ''), cell('msg', 'loading'));
    return d;
  }

  function scrollToEnd() {
    st.follow = true;
    $('follow').checked = true;
    st.newCount = 0;
    logEl.scrollTop = logEl.scrollHeight;
    scheduleRender();
  }

  /** Puts seq at the top of the whole-run view (leaving a filtered view), highlighted; stops following. */
  function jumpToSeq(seq, leaveFilters = true) {
    seq = Math.max(1, Math.min(Number(seq), Math.max(st.lastSeq, 1)));
    if (leaveFilters && filtered()) {
      Object.assign(filters, { level: 0, node: '', q: '' });
      $('level').value = 'DEBUG'; $('node').value = ''; $('search').value = '';
      st.results = null;
      updateLinks();
      renderNodes();
    }
    if (filtered()) {
      // A filtered view starts again at the first match at or after seq.
      st.highlight = seq;
      st.follow = false;
      $('follow').checked = false;
      startResults(seq);
    } else {
      st.highlight = seq;
      st.follow = false;
      $('follow').checked = false;
      spacerEl.style.height = geometry().spacer + 'px';
      logEl.scrollTop = scrollTopFor(seq - 1);
    }
    updateHash(seq);
    scheduleRender();
  }

  async function jump(text) {
    text = text.trim();
    if (!text) return;
    if (/^\d+$/.test(text)) return jumpToSeq(Number(text), false);
    // An ISO instant goes to the server as written (microseconds kept); other forms through Date.
    const iso = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(text) ? text : null;
    const t = iso ? 0 : Date.parse(text.includes('T') || text.includes(' ') || text.includes('-') ? text : `${new Date().toDateString()} ${text}`);
    if (Number.isNaN(t)) return setFooterNote(`not a seq or a time: ${text}`);
    const from = iso ?? new Date(t).toISOString();
    const res = await fetch(api(`/logs?from=${encodeURIComponent(from)}&limit=1&${filterQuery()}`));
    const page = res.ok ? await res.json() : { entries: [] };
    if (!page.entries.length) return setFooterNote(`no entry at or after ${from}`);
    jumpToSeq(page.entries[0].seq, false);
  }

  /** The seq the error navigation starts from: the highlighted row, else the top row in view. */
  function currentSeq() {
    if (st.highlight) return st.highlight;
    const e = entryAt(windowRange()[0]);
    return e ? e.seq : windowRange()[0] + 1;
  }

  /** The next/previous ERROR within the view's node and text filters (a level filter always includes ERROR). */
  async function nextError(forward) {
    const cur = currentSeq();
    const q = forward ? `afterSeq=${cur}` : `beforeSeq=${cur}`;
    const p = new URLSearchParams(filterQuery());
    p.set('minLevel', 'ERROR');
    const res = await fetch(api(`/logs?${q}&limit=1&${p}`));
    let seq = 0;
    if (res.ok) { const p = await res.json(); if (p.entries.length) seq = p.entries[0].seq; }
    if (!seq && forward) { // not stored yet: the live tail may hold it
      for (const [s, e] of st.cache) if (s > cur && e.level === 'ERROR' && matches(e) && (!seq || s < seq)) seq = s;
    }
    if (!seq) return setFooterNote(forward ? 'no later error' : 'no earlier error');
    jumpToSeq(seq, false);
  }

  // ------------------------------------------------------------------ details on demand
  function showDetails(e) {
    st.selected = e.seq;
    $('details-title').textContent = `seq ${e.seq} · ${e.level} · ${e.nodeKey}`;
    const dl = $('details-body');
    dl.textContent = '';
    const add = (k, v) => { if (v === null || v === undefined || v === '') return; dl.append(cell('k', k)); const dd = document.createElement('dd'); dd.textContent = v; dl.append(dd); };
    add('time', `${new Date(e.ts).toString()} · ${e.ts} (UTC)`);
    add('message', e.message);
    add('errorCode', e.errorCode);
    add('traceId', e.traceId);
    add('hierarchy', e.hierarchy);
    add('metadata', e.metadata ? JSON.stringify(e.metadata, null, 2) : null);
    add('workflowId', e.workflowId);
    $('details').hidden = false;
    scheduleRender();
  }

  // ------------------------------------------------------------------ nodes, counts, links, URL
  function nodeKnown(k) { return [...$('node').options].some((o) => o.value === k); }
  function addNodeOption(k) { $('node').add(new Option(k, k)); }

  async function refreshNodes() {
    if (!st.runId) return;
    const gen = st.gen;
    try {
      const res = await fetch(api('/nodes'));
      if (!res.ok || gen !== st.gen) return;
      st.nodes = (await res.json()).nodes;
    } catch (e) { return; }
    // Live counts cover what the database does not hold yet (entries after its highest stored seq).
    st.storedSeq = Math.max(st.storedSeq, ...st.nodes.map((n) => n.lastSeq));
    st.counts = { WARN: 0, ERROR: 0 };
    for (const s of st.cache.keys()) if (s > st.storedSeq) { const e = st.cache.get(s); if (e.level in st.counts) st.counts[e.level]++; }
    for (const n of st.nodes) if (!nodeKnown(n.nodeKey)) addNodeOption(n.nodeKey);
    renderNodes();
    updateCounts(windowRange()[0]);
  }

  function renderNodes() {
    const el = $('nodes');
    el.textContent = '';
    const chip = (key, label, n) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'chip' + (filters.node === key ? ' on' : '');
      b.dataset.node = key;
      b.setAttribute('role', 'tab');
      b.append(cell('name', label));
      if (n) {
        b.append(cell('n', ` ${n.entries}`));
        if (n.warnings) b.append(cell('w', ` ${n.warnings} warn`));
        if (n.errors) b.append(cell('e', ` ${n.errors} err`));
      }
      b.onclick = () => { filters.node = key; $('node').value = key; applyFilters(); renderNodes(); };
      return b;
    };
    el.append(chip('', 'all nodes', null));
    for (const n of st.nodes) el.append(chip(n.nodeKey, n.nodeKey, n));
  }

  function storedTotals() {
    const t = { WARN: 0, ERROR: 0 };
    for (const n of st.nodes) { t.WARN += n.warnings; t.ERROR += n.errors; }
    return t;
  }

  function updateCounts(first) {
    const stored = storedTotals();
    $('count-entries').textContent = count() === st.lastSeq ? st.lastSeq : `${count()} of ${st.lastSeq}`;
    $('count-warn').textContent = stored.WARN + st.counts.WARN;
    $('count-error').textContent = stored.ERROR + st.counts.ERROR;
    $('last-seq').textContent = st.lastSeq;
    const view = st.results ? `${st.results.length}${st.resDone ? '' : '+'} matching entries` : `whole run, ${st.cache.size} entries loaded`;
    $('footer').textContent = `${view} · rows ${count() ? first + 1 : 0}–${Math.min(count(), first + Math.ceil(logEl.clientHeight / ROW_H))}`
      + (st.reconnects ? ` · ${st.reconnects} reconnects` : '') + (st.note ? ` · ${st.note}` : '') + ` · times ${st.utc ? 'UTC' : 'local'}`;
  }

  function setFooterNote(text) { st.note = text; scheduleRender(); setTimeout(() => { if (st.note === text) { st.note = ''; scheduleRender(); } }, 6000); }

  function updateLinks() {
    if (!st.runId) return;
    const f = filterQuery();
    $('dl-ndjson').href = api(`/logs?format=ndjson${f ? '&' + f : ''}`);
    $('dl-text').href = api(`/logs?format=text${f ? '&' + f : ''}`);
  }

  let hashTimer;
  function updateHash(seq) {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      if (!st.runId) return;
      const p = new URLSearchParams({ run: st.runId });
      if (filters.level) p.set('level', Object.keys(LEVELS)[filters.level]);
      if (filters.node) p.set('node', filters.node);
      if (filters.q) p.set('q', filters.q);
      const at = seq ?? (st.follow ? 0 : currentSeq());
      if (at) p.set('seq', at);
      if (st.utc) p.set('tz', 'utc');
      const h = '#' + p.toString();
      if (location.hash !== h) history.replaceState(null, '', h);
    }, seq ? 0 : 300);
  }

  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const run = p.get('run');
    if (!run || !/^[0-9a-fA-F-]{36}$/.test(run)) return null;
    return { run, level: p.get('level')?.toUpperCase(), node: p.get('node') ?? '', q: p.get('q') ?? '',
      seq: Number(p.get('seq')) || 0, utc: p.get('tz') === 'utc' };
  }

  function setStatus(kind, text) {
    st.status = kind;
    const el = $('status');
    el.className = 'status ' + kind;
    el.textContent = text;
  }

  // ------------------------------------------------------------------ controls
  $('level').onchange = (ev) => { filters.level = LEVELS[ev.target.value]; applyFilters(); };
  $('node').onchange = (ev) => { filters.node = ev.target.value; applyFilters(); renderNodes(); };
  $('search').onkeydown = (ev) => { if (ev.key === 'Enter') { filters.q = ev.target.value.trim(); applyFilters(); } };
  $('search').onsearch = (ev) => { if (!ev.target.value && filters.q) { filters.q = ''; applyFilters(); } };
  $('jump-form').onsubmit = (ev) => { ev.preventDefault(); jump($('jump').value); };
  $('next-error').onclick = () => nextError(true);
  $('prev-error').onclick = () => nextError(false);
  $('tz').onclick = () => { st.utc = !st.utc; $('tz').textContent = st.utc ? 'UTC' : 'Local'; updateHash(); scheduleRender(); };
  $('follow').onchange = (ev) => { if (ev.target.checked) scrollToEnd(); else st.follow = false; };
  $('new-entries').onclick = () => { st.highlight = 0; scrollToEnd(); updateHash(); };
  logEl.addEventListener('scroll', () => {
    const atBottom = logEl.scrollTop + logEl.clientHeight >= logEl.scrollHeight - 2;
    if (atBottom !== st.follow) { st.follow = atBottom; $('follow').checked = atBottom; }
    if (atBottom) st.newCount = 0;
    updateHash();
    scheduleRender();
  });
  new ResizeObserver(() => scheduleRender()).observe(logEl);
  rowsEl.addEventListener('click', (ev) => {
    const r = ev.target.closest('.row');
    if (!r || r.classList.contains('loading')) return;
    const seq = Number(r.dataset.seq);
    const e = st.results ? st.results.find((x) => x.seq === seq) : st.cache.get(seq);
    if (e) showDetails(e);
  });
  $('details-close').onclick = () => { st.selected = null; $('details').hidden = true; scheduleRender(); };
  $('details-show').onclick = () => { if (st.selected) jumpToSeq(st.selected); };
  $('details-link').onclick = () => {
    if (!st.selected) return;
    updateHash(st.selected);
    setTimeout(() => navigator.clipboard?.writeText(location.href).catch(() => {}), 10);
    setFooterNote('link to this entry in the address bar');
  };
  $('open-form').onsubmit = (ev) => { ev.preventDefault(); const id = $('open-run').value.trim(); if (id) { open(id); updateHash(); } };
  window.addEventListener('hashchange', () => {
    const r = readHash();
    if (r && r.run !== st.runId) start(r);
  });

  // ------------------------------------------------------------------ runs list
  const OUTCOME_CLASS = { SUCCEEDED: 'ok', FAILED: 'bad', TIMED_OUT: 'bad', CANCELLED: 'warn' };
  function runItem(r) {
    const li = document.createElement('li');
    li.dataset.run = r.runId;
    const id = cell('id', r.runId.slice(0, 8) + '…' + r.runId.slice(-4));
    const outcome = r.outcome ? r.outcome : (r.end ? 'idle' : 'running');
    const badge = cell('outcome ' + (OUTCOME_CLASS[r.outcome] ?? (r.end ? 'idle' : 'running')), outcome);
    const meta = document.createElement('span');
    meta.className = 'meta';
    const started = r.start ? new Date(r.start).toLocaleString() : '';
    meta.append(`${started} · ${r.entries ?? 0} entries · `,
      cell(r.errors ? 'err' : 'none', `${r.errors ?? 0} errors`), ` · `, cell(r.warnings ? 'warn' : 'none', `${r.warnings ?? 0} warn`));
    li.append(id, badge, meta);
    li.title = r.runId;
    li.onclick = () => { open(r.runId); updateHash(); };
    return li;
  }

  async function refreshRuns() {
    for (const state of ['active', 'recent']) {
      const ul = $(state + '-runs');
      try {
        const res = await fetch(`api/v1/runs?state=${state}`);
        if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 120)}`);
        const body = await res.json();
        ul.textContent = '';
        if (!body.runs.length) { const li = document.createElement('li'); li.className = 'empty'; li.textContent = 'none'; ul.appendChild(li); }
        for (const r of body.runs.slice(0, 100)) ul.appendChild(runItem(r));
      } catch (e) {
        ul.textContent = '';
        const li = document.createElement('li');
        li.className = 'error';
        li.textContent = `could not load ${state} runs: ${e.message}`;
        ul.appendChild(li);
      }
    }
    markCurrent();
  }

  function markCurrent() {
    document.querySelectorAll('.runs li').forEach((li) => li.classList.toggle('current', li.dataset.run === st.runId));
  }

  // For tests and for the curious: the page's view of the stream.
  window.zenflowTail = {
    state: () => ({ runId: st.runId, lastSeq: st.lastSeq, received: st.received, duplicates: st.duplicates,
      reconnects: st.reconnects, status: st.status, rows: rowsEl.childElementCount, loaded: st.cache.size, follow: st.follow,
      newCount: st.newCount, filtered: !!st.results, results: st.results?.length ?? 0, resultsDone: st.resDone,
      firstRow: Number(rowsEl.firstElementChild?.dataset.seq ?? 0), highlight: st.highlight }),
    seqs: () => st.wsSeqs.slice(),
    visibleSeqs: () => [...rowsEl.children].filter((r) => !r.classList.contains('loading')).map((r) => Number(r.dataset.seq)),
  };

  function start(r) {
    st.utc = r.utc;
    $('tz').textContent = st.utc ? 'UTC' : 'Local';
    open(r.run, r);
  }

  refreshRuns();
  setInterval(refreshRuns, RUNS_REFRESH_MS);
  // Node counts come from the database: keep refreshing while the run is live and shortly after its end
  // (its last batches may still be on their way to the database).
  setInterval(() => { if (st.runId && (!st.ended || Date.now() - st.endedAt < 30000)) refreshNodes(); }, NODES_REFRESH_MS);
  const r = readHash();
  if (r) start(r);
})();
