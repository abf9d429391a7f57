// The live view in the browser: renders /api/view and re-renders on each server-sent `view`
// event (polling /api/view where EventSource is missing). Every value from the server is
// hostile (device and manifest names): it only ever becomes text, through textContent and
// createTextNode; there is no innerHTML, no inline handler, and the CSP allows no inline code.
'use strict';

(function () {
  const app = document.getElementById('app');
  const asOf = document.getElementById('asof');
  const connection = document.getElementById('connection');
  let states = [];
  // With Tenants the page shows one: ?tenant=<namespace> (default: the server's first).
  const tenant = new URLSearchParams(location.search).get('tenant');
  const query = tenant ? `?tenant=${encodeURIComponent(tenant)}` : '';

  /** An element with a class, attributes and children (strings become text nodes). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'className') node.className = v;
        else if (k === 'title') node.title = String(v);
        else node.setAttribute(k, String(v));
      }
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  function setConnection(state, text) {
    connection.dataset.state = state;
    connection.textContent = text;
  }

  /** The stacked bar of a tally, each part as wide as its share of the devices. */
  function bar(tally, total, big) {
    const node = el('div', { className: big ? 'bar big' : 'bar', role: 'img' });
    const parts = [];
    for (const s of states) {
      const n = tally[s.key] || 0;
      if (n === 0 || total === 0) continue;
      const part = el('span', { className: `s-${s.key}`, title: `${n} ${s.label}` });
      // CSSOM, not a style attribute: allowed under style-src 'self'.
      part.style.width = `${(100 * n) / total}%`;
      node.append(part);
      parts.push(`${n} ${s.label}`);
    }
    node.setAttribute('aria-label', parts.join(', ') || 'no devices');
    return node;
  }

  function legend(tally, small) {
    return el('ul', { className: small ? 'legend small' : 'legend' },
      states.map((s) => {
        const n = tally[s.key] || 0;
        if (small && n === 0) return null;
        return el('li', { className: n === 0 ? 'zero' : undefined, 'data-state': s.key, title: s.hint },
          el('span', { className: `swatch s-${s.key}` }), el('span', { className: 'n' }, n), ` ${s.label}`);
      }));
  }

  function timeText(t) {
    return t ? `${t.local} (${t.relative})` : '';
  }

  function wavesDots(r) {
    if (!r.waves) return null;
    const dots = el('span', { className: 'waves', title: r.text });
    for (let w = 1; w <= r.waves; w++) {
      const done = r.wave !== undefined && (w < r.wave || (w === r.wave && (r.state === 'Baking' || r.state === 'Complete')));
      dots.append(el('i', { className: done ? 'done' : r.wave === w ? 'now' : undefined }));
    }
    return dots;
  }

  function rolloutList(rollouts) {
    if (!rollouts.length) return el('p', { className: 'empty' }, 'no automatic rollout in progress');
    return el('ul', { className: 'rollouts' }, rollouts.map((r) =>
      el('li', { 'data-software': r.softwareType },
        el('strong', null, r.software), r.version ? ` ${r.version}` : '', wavesDots(r),
        el('span', { className: r.state === 'Stopped' || r.state === 'Suspended' ? 'badge bad' : 'badge' }, r.state),
        el('span', { className: 'muted' }, r.text))));
  }

  function conditionLine(c) {
    if (c.stalled && c.stalled.status === 'True') return el('div', { className: 'condition stalled' }, `Stalled (${c.stalled.reason}): ${c.stalled.message}`);
    if (c.ready) return el('div', { className: 'condition' }, `${c.ready.status === 'True' ? 'Ready' : 'Not ready'} (${c.ready.reason}): ${c.ready.message}`);
    return null;
  }

  function summary(view) {
    return el('section', { className: 'panel', id: 'summary' },
      el('h2', null, `${plural(view.devices, 'device')} in groups`),
      bar(view.tally, view.devices, true),
      legend(view.tally, false));
  }

  function stopBox(s) {
    const what = s.kind === 'suspended' ? `${s.policy} suspended` : `${s.software || s.softwareType} rollout of ${s.policy} stopped`;
    return el('div', { className: 'stop', 'data-stop': s.kind },
      el('strong', null, what), el('span', { className: 'who' }, `by ${s.by}${s.since ? `, ${timeText(s.since)}` : ''}`),
      el('div', null, s.reason),
      el('div', { className: 'muted' }, s.until ? `until ${timeText(s.until)}, ${s.untilText}` : s.untilText));
  }

  function problemTable(problems, id) {
    return el('div', { className: 'wrap' }, el('table', { id, className: 'problems' },
      el('thead', null, el('tr', null, ['device', 'group', 'software', 'version', '', 'why', 'when'].map((h) => el('th', null, h)))),
      el('tbody', null, problems.map((p) => el('tr', { 'data-device-id': p.deviceId },
        el('td', { className: 'device', title: `id ${p.deviceId}` }, p.device),
        el('td', { className: 'nowrap' }, p.group || p.scheduledUpdate || '(no group)'),
        el('td', { className: 'nowrap' }, p.software),
        el('td', null, p.version || ''),
        el('td', null, el('span', { className: `state s-${p.state}` }, p.state)),
        el('td', null, p.scheduledUpdate ? `ScheduledUpdate ${p.scheduledUpdate}: ${p.reason}` : p.reason),
        el('td', { className: 'muted nowrap' }, p.time ? p.time.relative : ''))))));
  }

  function attention(view) {
    const calm = view.stops.length === 0 && view.problems.length === 0;
    const section = el('section', { className: calm ? 'panel attention calm' : 'panel attention', id: 'attention' },
      el('h2', null, 'Needs attention'));
    if (calm) {
      section.append(el('p', { className: 'empty' }, 'Nothing: no failed or refused update, no suspended or stopped rollout.'));
      return section;
    }
    for (const s of view.stops) section.append(stopBox(s));
    if (view.problems.length) {
      const total = view.problems.length + view.moreProblems;
      const kinds = view.problemKinds.map((k) => `${k.updates} ${k.code}`).join(', ');
      section.append(el('p', { className: 'note', id: 'problem-kinds' }, `${plural(total, 'update')} failed or refused: ${kinds}`));
      // The first few in sight, the rest one click away: a long list would hide the groups.
      const shown = 8;
      section.append(problemTable(view.problems.slice(0, shown), 'problems'));
      if (view.problems.length > shown) {
        section.append(el('details', { className: 'more', 'data-key': 'problems' }, el('summary', null, `show ${view.problems.length - shown} more`), problemTable(view.problems.slice(shown), 'problems-more')));
      }
      if (view.moreProblems) section.append(el('p', { className: 'note' }, `and ${view.moreProblems} more (the statuses' needsAttention and firmwarden plan list them all)`));
    }
    return section;
  }

  function windowCell(g) {
    const cell = el('td', null);
    if (g.freeze) cell.append(el('div', { className: 'window' }, el('span', { className: 'badge warn' }, 'frozen'), ` ${g.freeze.name} until ${timeText(g.freeze.until)}`));
    if (g.currentWindow) cell.append(el('div', { className: 'window open' }, `open now (${g.currentWindow.name}) until ${g.currentWindow.end.local}`));
    if (g.nextWindow) cell.append(el('div', { className: 'window' }, `next ${g.nextWindow.name ? `(${g.nextWindow.name}) ` : ''}${timeText(g.nextWindow.start)}`));
    if (!g.currentWindow && !g.nextWindow) cell.append(el('span', { className: 'muted' }, 'no window'));
    return cell;
  }

  function groupRows(groups) {
    return el('div', { className: 'wrap' }, el('table', { className: 'groups' },
      el('thead', null, el('tr', null, el('th', null, 'group'), el('th', { className: 'num' }, 'devices'), el('th', null, 'progress'), el('th', null, 'waves'), el('th', null, 'windows (local time)'))),
      el('tbody', null, groups.map((g) => [
        el('tr', { 'data-group': g.name, className: 'group-main' },
          el('td', null, el('strong', null, g.name), el('div', { className: 'muted' }, `${g.timeZone} · ${g.phase}${g.license === 'Basic' ? ' · Basic' : ''}`)),
          el('td', { className: 'num', 'data-field': 'devices' }, g.devices),
          el('td', null, bar(g.tally, g.devices, false), legend(g.tally, true)),
          el('td', null, rolloutList(g.rollouts)),
          windowCell(g)),
        // The status's own words, across the row: what Flux and kubectl read.
        el('tr', { 'data-group-status': g.name, className: 'group-status' }, el('td', { colspan: 5 }, conditionLine(g.conditions))),
      ]))));
  }

  function policies(view) {
    const section = el('section', { className: 'panel', id: 'policies' }, el('h2', null, 'Policies and groups'));
    const byPolicy = new Map();
    for (const g of view.groups) {
      const k = g.policy || '';
      if (!byPolicy.has(k)) byPolicy.set(k, []);
      byPolicy.get(k).push(g);
    }
    for (const p of view.policies) {
      const box = el('div', { className: 'policy', 'data-policy': p.name },
        el('div', { className: 'policy-head' }, el('h3', null, `policy ${p.name}`), el('span', { className: 'muted' }, plural(p.devices, 'device')),
          p.suspended ? el('span', { className: 'badge bad' }, 'suspended') : null),
        conditionLine(p.conditions),
        rolloutList(p.rollouts));
      const groups = byPolicy.get(p.name) || [];
      byPolicy.delete(p.name);
      if (groups.length) box.append(groupRows(groups));
      section.append(box);
    }
    for (const [, groups] of byPolicy) {
      section.append(el('div', { className: 'policy' },
        el('div', { className: 'policy-head' }, el('h3', null, 'groups without a valid policy'), el('span', { className: 'badge bad' }, groups.map((g) => g.missingPolicy).filter(Boolean).join(', ') || 'none named')),
        groupRows(groups)));
    }
    if (!view.policies.length && !view.groups.length) section.append(el('p', { className: 'empty' }, 'No valid DeviceGroup or UpdatePolicy yet.'));
    return section;
  }

  function scheduled(view) {
    if (!view.scheduledUpdates.length) return null;
    return el('section', { className: 'panel', id: 'scheduled' }, el('h2', null, 'Scheduled updates'),
      el('div', { className: 'wrap' }, el('table', null,
        el('thead', null, el('tr', null, el('th', null, 'name'), el('th', { className: 'num' }, 'devices'), el('th', null, 'progress'), el('th', null, 'at'), el('th', null, 'completed'))),
        el('tbody', null, view.scheduledUpdates.map((s) => el('tr', { 'data-scheduled': s.name },
          el('td', null, el('strong', null, s.name), conditionLine(s.conditions)),
          el('td', { className: 'num' }, s.devices),
          el('td', null, bar(s.tally, states.reduce((n, x) => n + (s.tally[x.key] || 0), 0), false), legend(s.tally, true)),
          el('td', null, s.scheduledTime ? timeText(s.scheduledTime) : 'now'),
          el('td', null, s.completionTime ? timeText(s.completionTime) : '')))))));
  }

  function level(n, max) {
    if (n === 0) return undefined;
    const share = n / max;
    return share > 0.75 ? 'l4' : share > 0.5 ? 'l3' : share > 0.25 ? 'l2' : 'l1';
  }

  function batchTable(batches, id) {
    return el('div', { className: 'wrap' }, el('table', { id, className: 'batches' },
      el('thead', null, el('tr', null, el('th', null, 'starts (local time)'), el('th', null, 'group'), el('th', null, 'update'), el('th', { className: 'num' }, 'devices'), el('th', null, 'which'))),
      el('tbody', null, batches.map((b) => el('tr', null,
        el('td', { className: 'nowrap' }, b.time.local, el('div', { className: 'muted' }, b.time.relative)),
        el('td', { className: 'nowrap' }, b.group),
        el('td', null, `${b.software} ${b.version}${b.wave ? `, wave ${b.wave}` : ''}`),
        el('td', { className: 'num' }, b.devices),
        el('td', { className: 'names' }, b.names.join(', ') + (b.devices > b.names.length ? ` and ${b.devices - b.names.length} more` : '')))))));
  }

  function forecast(view) {
    const section = el('section', { className: 'panel', id: 'forecast' }, el('h2', null, 'Forecast: the next 30 days'));
    const f = view.forecast;
    if (!f) {
      section.append(el('p', { className: 'empty' }, 'Computing the forecast…'));
      return section;
    }
    section.append(el('p', { className: 'note' }, `Simulated from ${f.from.local} to ${f.to.local}; ${f.assumptions}.${f.truncated ? ' The simulation stopped early (step limit): later updates are missing.' : ''}`));
    if (!f.batches.length && !f.rows.length) {
      section.append(el('p', { className: 'empty' }, 'Nothing is due to start in the next 30 days.'));
      return section;
    }
    const max = Math.max(1, ...f.rows.flatMap((r) => r.updates));
    section.append(el('div', { className: 'wrap' }, el('table', { className: 'grid', 'aria-label': 'updates starting per group and local day' },
      el('thead', null, el('tr', null, el('th', null, ''), f.dates.map((d) => el('th', { className: 'day', title: d }, d.slice(5))))),
      el('tbody', null, f.rows.map((r) => el('tr', { 'data-group': r.group },
        el('th', { className: 'row', title: r.timeZone }, r.group),
        r.updates.map((n, i) => el('td', { className: level(n, max), title: `${r.group}, ${f.dates[i]} (${r.timeZone}): ${plural(n, 'update')}` }, n ? n : ''))))))));
    const shown = 12;
    section.append(batchTable(f.batches.slice(0, shown), 'batches'));
    if (f.batches.length > shown) {
      section.append(el('details', { className: 'more', 'data-key': 'batches' }, el('summary', null, `show ${f.batches.length - shown} more`), batchTable(f.batches.slice(shown), 'batches-more')));
    }
    if (f.more) section.append(el('p', { className: 'note' }, `and ${f.more} more batches (firmwarden plan --forecast 30 lists every device)`));
    return section;
  }

  function render(view) {
    states = view.states;
    asOf.textContent = `as of ${view.now.local}${view.revision ? ` · revision ${view.revision.slice(0, 12)}` : ''}`;
    // A list someone opened stays open when the next view arrives.
    const open = new Set(Array.from(app.querySelectorAll('details[data-key][open]'), (d) => d.dataset.key));
    app.replaceChildren(...[summary(view), attention(view), policies(view), scheduled(view), forecast(view)].filter(Boolean));
    for (const d of app.querySelectorAll('details[data-key]')) d.open = open.has(d.dataset.key);
    document.body.dataset.renderedAt = view.now.at;
  }

  function accept(text) {
    try {
      render(JSON.parse(text));
    } catch (error) {
      setConnection('reconnecting', 'bad data');
      console.error(error);
    }
  }

  function poll() {
    setConnection('polling', 'polling');
    const tick = () =>
      fetch(`/api/view${query}`, { credentials: 'same-origin', cache: 'no-store' })
        .then((r) => (r.ok ? r.text().then(accept) : undefined))
        .catch(() => setConnection('reconnecting', 'reconnecting'))
        .finally(() => setTimeout(tick, 5000));
    tick();
  }

  if (typeof EventSource !== 'function') {
    poll();
    return;
  }
  const events = new EventSource(`/api/events${query}`);
  events.addEventListener('open', () => setConnection('live', 'live'));
  events.addEventListener('view', (e) => {
    setConnection('live', 'live');
    accept(e.data);
  });
  events.addEventListener('error', () => setConnection('reconnecting', 'reconnecting'));
})();
