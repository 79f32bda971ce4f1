// Zenflow live log viewer: plain JS, no build step.
// Protocol 2: docs/websocket-protocol.md. One WebSocket per open run; every frame is JSON:
// {"type":"hello","protocol":2} | {"type":"logs","first","last","entries":[{...seq...}]} | {"type":"caught-up","seq"}
// | {"type":"run-ended","lastSeq","outcome"}.
// Resume: on any close but 1000 (run ended) and 1008 (bad request) the page reconnects with
// afterSeq = the last seq it holds, so it never shows a gap or a duplicate.
// Speed: frames are only collected on arrival; rendering happens once per animation frame, in one
// DocumentFragment, and the DOM keeps at most WINDOW rows (the newest matching the filters).
(() => {
  'use strict';
  const WINDOW = 2000;          // rows kept in the DOM
  const LOADED_MAX = 50000;     // entries kept in memory for filtering/search
  const RUNS_REFRESH_MS = 3000;
  const BACKOFF_FIRST_MS = 250, BACKOFF_MAX_MS = 5000;
  const LEVELS = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
  const $ = (id) => document.getElementById(id);
  const logEl = $('log');

  const st = {
    runId: null, ws: null, lastSeq: 0, entries: [], pending: [], nodes: new Set(),
    counts: { entries: 0, WARN: 0, ERROR: 0 }, duplicates: 0, reconnects: 0, backoff: BACKOFF_FIRST_MS,
    paused: false, follow: true, ended: null, status: 'idle', renderQueued: false, rendered: 0, timer: null,
  };

  // ------------------------------------------------------------------ connection
  function open(runId) {
    if (st.ws) { st.ws.onclose = null; st.ws.close(1000); }
    clearTimeout(st.timer);
    Object.assign(st, { runId, ws: null, lastSeq: 0, entries: [], pending: [], nodes: new Set(),
      counts: { entries: 0, WARN: 0, ERROR: 0 }, duplicates: 0, reconnects: 0, backoff: BACKOFF_FIRST_MS, ended: null });
    logEl.textContent = '';
    $('node').length = 1;
    $('run-title').textContent = runId;
    if (location.hash !== '#run=' + runId) history.replaceState(null, '', '#run=' + runId);
    updateCounts();
    markCurrent();
    connect();
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${proto}//${location.host}/ws/runs/${encodeURIComponent(st.runId)}?protocol=2&afterSeq=${st.lastSeq}`;
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
      setStatus('reconnecting', `reconnecting from seq ${st.lastSeq} (${ev.code}${ev.reason ? ': ' + ev.reason : ''})`);
      st.timer = setTimeout(connect, st.backoff);
      st.backoff = Math.min(BACKOFF_MAX_MS, st.backoff * 2);
    };
  }

  function onFrame(f) {
    if (f.type === 'logs') {
      for (const e of f.entries) {
        if (e.seq <= st.lastSeq) { st.duplicates++; continue; } // never expected: the server guarantees it
        st.lastSeq = e.seq;
        st.counts.entries++;
        if (e.level === 'WARN' || e.level === 'ERROR') st.counts[e.level]++;
        if (!st.nodes.has(e.nodeKey)) { st.nodes.add(e.nodeKey); $('node').add(new Option(e.nodeKey, e.nodeKey)); }
        st.entries.push(e);
        st.pending.push(e);
      }
      if (st.entries.length > LOADED_MAX) st.entries.splice(0, st.entries.length - LOADED_MAX);
      if (st.pending.length > WINDOW * 4) st.pending.splice(0, st.pending.length - WINDOW * 4); // only the newest can show
      scheduleRender();
    } else if (f.type === 'hello') {
      if (f.protocol !== 2) setStatus('error', `server speaks protocol ${f.protocol}, this page 2`);
    } else if (f.type === 'caught-up') {
      st.lastSeq = Math.max(st.lastSeq, f.seq);
      st.backoff = BACKOFF_FIRST_MS;
      setStatus('live', 'live');
    } else if (f.type === 'run-ended') {
      st.ended = f;
    }
  }

  // ------------------------------------------------------------------ rendering
  const filters = { level: 0, node: '', text: '' };
  function matches(e) {
    return LEVELS[e.level] >= filters.level && (!filters.node || e.nodeKey === filters.node)
      && (!filters.text || e.message.toLowerCase().includes(filters.text) || e.nodeKey.toLowerCase().includes(filters.text));
  }

  function scheduleRender() {
    if (st.renderQueued || st.paused) return;
    st.renderQueued = true;
    requestAnimationFrame(render);
  }

  function row(e) {
    const d = document.createElement('div');
    d.className = 'row ' + e.level;
    d.dataset.seq = e.seq;
    d.dataset.level = e.level;
    const t = new Date(e.ts);
    const cells = [e.seq, t.toTimeString().slice(0, 8) + '.' + String(t.getMilliseconds()).padStart(3, '0'), e.level, e.nodeKey,
      e.message + (e.errorCode ? ` [${e.errorCode}]` : '')];
    const cls = ['seq', 'ts', 'lvl', 'node', 'msg'];
    for (let i = 0; i < cells.length; i++) {
      const s = document.createElement('span');
      s.className = cls[i];
      s.textContent = cells[i];
      d.appendChild(s);
    }
    if (e.nodeKey.length > 14) d.children[3].title = e.nodeKey;
    return d;
  }

  function render() {
    st.renderQueued = false;
    if (st.paused) return;
    const batch = st.pending;
    st.pending = [];
    const frag = document.createDocumentFragment();
    let start = 0, n = 0;
    const shown = batch.filter(matches);
    if (shown.length > WINDOW) start = shown.length - WINDOW;
    for (let i = start; i < shown.length; i++) { frag.appendChild(row(shown[i])); n++; }
    logEl.appendChild(frag);
    let excess = logEl.childElementCount - WINDOW;
    while (excess-- > 0) logEl.removeChild(logEl.firstElementChild);
    st.rendered += n;
    if (st.follow) logEl.scrollTop = logEl.scrollHeight;
    updateCounts();
  }

  function rerender() {
    logEl.textContent = '';
    st.pending = st.entries.filter(matches).slice(-WINDOW);
    render();
  }

  function updateCounts() {
    $('count-entries').textContent = st.counts.entries;
    $('count-warn').textContent = st.counts.WARN;
    $('count-error').textContent = st.counts.ERROR;
    $('last-seq').textContent = st.lastSeq;
    $('footer').textContent = `${logEl.childElementCount} of ${st.entries.length} loaded entries shown`
      + (st.paused ? ` · paused (${st.pending.length} waiting)` : '') + (st.reconnects ? ` · ${st.reconnects} reconnects` : '');
  }

  function setStatus(kind, text) {
    st.status = kind;
    const el = $('status');
    el.className = 'status ' + kind;
    el.textContent = text;
  }

  // ------------------------------------------------------------------ controls
  $('level').onchange = (ev) => { filters.level = LEVELS[ev.target.value]; rerender(); };
  $('node').onchange = (ev) => { filters.node = ev.target.value; rerender(); };
  let searchTimer;
  $('search').oninput = (ev) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { filters.text = ev.target.value.trim().toLowerCase(); rerender(); }, 150);
  };
  $('pause').onclick = () => {
    st.paused = !st.paused;
    $('pause').textContent = st.paused ? 'Resume' : 'Pause';
    if (!st.paused) scheduleRender();
    updateCounts();
  };
  $('follow').onchange = (ev) => { st.follow = ev.target.checked; if (st.follow) logEl.scrollTop = logEl.scrollHeight; };
  logEl.addEventListener('wheel', (ev) => { // scrolling up stops following; reaching the bottom resumes it
    if (ev.deltaY < 0 && st.follow) { st.follow = false; $('follow').checked = false; }
  });
  logEl.addEventListener('scroll', () => {
    if (!st.follow && logEl.scrollTop + logEl.clientHeight >= logEl.scrollHeight - 2) { st.follow = true; $('follow').checked = true; }
  });
  $('open-form').onsubmit = (ev) => { ev.preventDefault(); const id = $('open-run').value.trim(); if (id) open(id); };

  // ------------------------------------------------------------------ runs list
  function runItem(r) {
    const li = document.createElement('li');
    li.dataset.run = r.runId;
    const id = document.createElement('span');
    id.className = 'id';
    id.textContent = r.runId.slice(0, 8) + '…' + r.runId.slice(-4);
    const meta = document.createElement('span');
    meta.className = 'meta';
    const started = new Date(r.start).toLocaleTimeString();
    meta.textContent = `${started} · ${r.entries} entries · `;
    const errs = document.createElement('span');
    errs.className = r.errors ? 'err' : 'ok';
    errs.textContent = `${r.errors} errors` + (r.outcome ? ` · ${r.outcome}` : '');
    meta.appendChild(errs);
    li.append(id, meta);
    li.title = r.runId;
    li.onclick = () => open(r.runId);
    return li;
  }

  async function refreshRuns() {
    for (const state of ['active', 'recent']) {
      try {
        const res = await fetch(`api/v1/runs?state=${state}`);
        if (!res.ok) continue;
        const body = await res.json();
        const ul = $(state + '-runs');
        ul.textContent = '';
        if (!body.runs.length) { const li = document.createElement('li'); li.className = 'empty'; li.textContent = 'none'; ul.appendChild(li); }
        for (const r of body.runs.slice(0, 100)) ul.appendChild(runItem(r));
      } catch (e) { /* server restarting: next refresh */ }
    }
    markCurrent();
  }

  function markCurrent() {
    document.querySelectorAll('.runs li').forEach((li) => li.classList.toggle('current', li.dataset.run === st.runId));
  }

  // For tests and for the curious: the page's view of the stream.
  window.zenflowTail = {
    state: () => ({ runId: st.runId, lastSeq: st.lastSeq, received: st.counts.entries, duplicates: st.duplicates,
      reconnects: st.reconnects, status: st.status, rows: logEl.childElementCount, loaded: st.entries.length }),
    seqs: () => st.entries.map((e) => e.seq),
  };

  refreshRuns();
  setInterval(refreshRuns, RUNS_REFRESH_MS);
  const m = /#run=([0-9a-fA-F-]{36})/.exec(location.hash);
  if (m) open(m[1]);
})();
