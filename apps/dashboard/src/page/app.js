/* global document, window, fetch, EventSource, requestAnimationFrame, setInterval */
// The dashboard page: a snapshot, then batched row changes and stats samples over Server-Sent Events.
(function () {
  'use strict';
  const MAX_ROWS = 200;
  const HISTORY = 120;
  const NUMERIC = new Set(['Restarts', 'Keys', 'Up-to-date', 'Available', 'Age']);
  const COLORS = { pods: '#58a6ff', deployments: '#3fb950', configmaps: '#d29922', nodes: '#bc8cff' };

  const tables = new Map(); // name -> { title, columns, rows: Map<key, row> }
  const changed = new Set(); // keys of the active table changed since the last render
  let history = [];
  let active = 'pods';
  let dirty = true;
  let windowMs = 0;

  const $ = (id) => document.getElementById(id);
  const text = (tag, value, className) => {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  };
  const number = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '–');
  const age = (ms) => {
    if (!ms) return '–';
    const s = Math.max(0, Math.floor((Date.now() - ms) / 1000));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h`;
    return `${Math.floor(s / 86400)}d`;
  };
  const since = (ms) => (ms ? `${age(ms)} ago` : '–');

  function applySnapshot(state) {
    $('cluster').textContent =
      `${state.cluster}${state.namespace ? ` · namespace ${state.namespace}` : ''}${state.labelSelector ? ` · ${state.labelSelector}` : ''}`;
    tables.clear();
    for (const t of state.tables)
      tables.set(t.name, {
        title: t.title,
        columns: t.columns,
        rows: new Map(t.rows.map((r) => [r.key, r])),
      });
    history = state.history.slice(-HISTORY);
    renderTabs();
    renderHealth(state.health);
    renderStats();
    dirty = true;
  }

  function applyChanges(changes) {
    for (const change of changes) {
      const table = tables.get(change.resource);
      if (!table) continue;
      if (change.row === null) table.rows.delete(change.key);
      else table.rows.set(change.key, change.row);
      if (change.resource === active) changed.add(change.key);
    }
    dirty = true;
  }

  function renderTabs() {
    const nav = $('tabs');
    nav.replaceChildren(
      ...[...tables].map(([name, t]) => {
        const button = text('button', t.title);
        button.setAttribute('role', 'tab');
        button.dataset.table = name;
        button.setAttribute('aria-selected', String(name === active));
        button.append(text('span', number(t.rows.size), 'count'));
        button.onclick = () => {
          active = name;
          changed.clear();
          renderTabs();
          dirty = true;
        };
        return button;
      }),
    );
  }

  function renderTable() {
    const table = tables.get(active);
    if (!table) return;
    const filter = $('filter').value.trim().toLowerCase();
    const head = document.createElement('tr');
    for (const c of [...table.columns, 'Age']) head.append(text('th', c, NUMERIC.has(c) ? 'num' : ''));
    $('objects').tHead.replaceChildren(head);
    let rows = [...table.rows.values()];
    if (filter) rows = rows.filter((r) => r.key.toLowerCase().includes(filter));
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const shown = rows.slice(0, MAX_ROWS);
    $('objects').tBodies[0].replaceChildren(
      ...shown.map((r) => {
        const tr = document.createElement('tr');
        tr.className = r.tone + (changed.has(r.key) ? ' changed' : '');
        tr.dataset.key = r.key;
        r.cells.forEach((cell, i) => {
          const column = table.columns[i];
          if (column === 'Status') {
            const td = document.createElement('td');
            td.append(text('span', cell, `pill ${r.tone}`));
            tr.append(td);
          } else {
            tr.append(text('td', cell, /^\d+$/.test(cell) ? 'num' : ''));
          }
        });
        tr.append(text('td', age(r.created), 'num'));
        return tr;
      }),
    );
    $('shown').textContent =
      `showing ${number(shown.length)} of ${number(rows.length)}${filter ? ` matching "${filter}"` : ''} (${number(table.rows.size)} ${table.title.toLowerCase()} in the cache)`;
    changed.clear();
    for (const button of $('tabs').children) {
      const t = tables.get(button.dataset.table);
      if (t) button.querySelector('.count').textContent = number(t.rows.size);
    }
  }

  function renderHealth(health) {
    $('health').tBodies[0].replaceChildren(
      ...health.map((h) => {
        const tr = document.createElement('tr');
        const tone = h.phase === 'watching' ? 'ok' : h.phase === 'failed' ? 'bad' : 'warn';
        const phase = document.createElement('td');
        phase.append(text('span', h.phase, `pill ${tone}`));
        tr.append(
          text('td', h.resource),
          phase,
          text('td', h.synced ? 'yes' : 'no'),
          text('td', number(h.size), 'num'),
          text('td', h.resourceVersion ?? '–', 'num'),
          text('td', number(h.relists), 'num'),
          text('td', number(h.restarts), 'num'),
          text('td', since(h.lastEventAt)),
          text('td', since(h.lastBookmarkAt)),
        );
        const error = text(
          'td',
          h.lastError ? `${h.lastError}${h.lastReason ? ` (${h.lastReason})` : ''}` : '–',
          h.lastError ? 'error' : '',
        );
        error.title = h.lastError ?? '';
        tr.append(error);
        return tr;
      }),
    );
  }

  function renderStats() {
    const last = history[history.length - 1];
    const names = [...tables.keys()];
    const total = last ? names.reduce((sum, n) => sum + (last.eventsPerSecond[n] ?? 0), 0) : 0;
    const cards = [
      ...names.map((n) => ({
        label: tables.get(n).title,
        value: number(tables.get(n).rows.size),
        sub: `${number(last?.eventsPerSecond[n] ?? 0)} events/s`,
      })),
      { label: 'Events / s', value: number(total), sub: 'all informers' },
      {
        label: 'Relists',
        value: number(last?.relists ?? 0),
        sub: `${number(last?.health.reduce((s, h) => s + h.restarts, 0) ?? 0)} watch restarts`,
      },
      { label: 'Messages / s', value: number(last?.messagesPerSecond ?? 0), sub: 'to this page' },
    ];
    $('cards').replaceChildren(
      ...cards.map((c) => {
        const card = text('div', '', 'card');
        card.append(text('div', c.label, 'label'), text('div', c.value, 'value'), text('div', c.sub, 'sub'));
        return card;
      }),
    );
    // The time axis spans at least 30 s and grows to 2 minutes as samples arrive.
    const points = Math.min(HISTORY, Math.max(30, history.length));
    window.drawChart($('chart'), {
      points,
      series: names.map((n) => ({
        name: n,
        color: COLORS[n] ?? '#8597a8',
        values: history.map((s) => s.eventsPerSecond[n] ?? 0),
      })),
      relists: [
        ...new Array(Math.max(0, points - history.length)).fill(0),
        ...history.map((s) => s.relistsInInterval),
      ],
    });
    $('legend').replaceChildren(
      ...names.map((n) => {
        const item = text('span', tables.get(n).title);
        const swatch = document.createElement('i');
        swatch.style.background = COLORS[n] ?? '#8597a8';
        item.prepend(swatch);
        return item;
      }),
      (() => {
        const item = text('span', 'relist');
        const swatch = document.createElement('i');
        swatch.style.background = '#f85149';
        item.prepend(swatch);
        return item;
      })(),
    );
    const b = last?.batches ?? { count: 0, averageSize: 0, maxSize: 0, lastSize: 0 };
    const facts = [
      ['Coalescing window', `${windowMs} ms`],
      ['Batches in the last second', number(b.count)],
      ['Average changes per batch', number(b.averageSize)],
      ['Largest batch', number(b.maxSize)],
      ['Last batch', number(b.lastSize)],
    ];
    $('batches').replaceChildren(...facts.flatMap(([k, v]) => [text('dt', k), text('dd', v)]));
    const recent = history.slice(-40).map((s) => s.batches.maxSize);
    const top = Math.max(1, ...recent);
    $('batch-bars').replaceChildren(
      ...recent.map((v) => {
        const bar = document.createElement('span');
        bar.style.height = `${(v / top) * 100}%`;
        bar.title = `largest batch: ${v} changes`;
        return bar;
      }),
    );
    if (last) renderHealth(last.health);
  }

  async function refreshMetrics() {
    try {
      const response = await fetch('/metrics');
      const body = await response.text();
      const lines = body.split('\n').filter((l) => l.startsWith('rxinformer_') && !l.includes('_bucket{'));
      const pre = $('metrics');
      pre.replaceChildren(
        ...lines.flatMap((line) => {
          const space = line.lastIndexOf(' ');
          return [
            text('span', line.slice(0, space), 'name'),
            document.createTextNode(`${line.slice(space)}\n`),
          ];
        }),
      );
    } catch {
      $('metrics').textContent = 'metrics unavailable';
    }
  }

  function setStatus(state, label) {
    $('status').dataset.state = state;
    $('status').querySelector('span').textContent = label;
  }

  const source = new EventSource('/events');
  source.addEventListener('open', () => setStatus('live', 'live'));
  source.addEventListener('error', () => setStatus('down', 'reconnecting…'));
  source.addEventListener('snapshot', (e) => {
    const state = JSON.parse(e.data);
    windowMs = state.window;
    applySnapshot(state);
    setStatus('live', 'live');
  });
  source.addEventListener('changes', (e) => applyChanges(JSON.parse(e.data)));
  source.addEventListener('stats', (e) => {
    history.push(JSON.parse(e.data));
    if (history.length > HISTORY) history.shift();
    renderStats();
    dirty = true; // ages move on
  });
  $('filter').addEventListener('input', () => (dirty = true));

  function frame() {
    if (dirty) {
      dirty = false;
      renderTable();
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  refreshMetrics();
  setInterval(refreshMetrics, 5000);
})();
