// The live view: committed events as they come (EventSource on a single-use stream ticket, as
// EventSource cannot send an Authorization header) and small charts drawn on canvas: events per
// second by kind, failures, relay lag.
'use strict';

(() => {
  const { api, el, can, views, fmtTime } = CF;
  const WINDOW_S = 60;
  const KINDS = [['generation', '--gen'], ['payment', '--pay'], ['distribution', '--dist'], ['other', '--other']];
  const kindOf = (type) => (/^course\.(generation)\./.test(type) ? 'generation'
    : /^course\.payment\./.test(type) ? 'payment'
      : /^course\.distribution\./.test(type) ? 'distribution' : 'other');
  const color = (v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim() || '#888';

  // A chart of bars (stacked series per second) or a line, scaled to its largest value.
  function draw(canvas, points, series, opts) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 300;
    const h = canvas.clientHeight || 140;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, w, h);
    const pad = { l: 34, r: 6, t: 6, b: 16 };
    const max = Math.max(1, ...points.map((p) => series.reduce((a, [k]) => a + (opts.stack ? (p[k] || 0) : 0), 0)),
      ...points.map((p) => Math.max(...series.map(([k]) => p[k] || 0))));
    g.strokeStyle = '#d0d7de';
    g.fillStyle = '#59636e';
    g.font = '11px system-ui, sans-serif';
    g.beginPath();
    g.moveTo(pad.l, pad.t);
    g.lineTo(pad.l, h - pad.b);
    g.lineTo(w - pad.r, h - pad.b);
    g.stroke();
    g.fillText(String(Math.round(max * 100) / 100), 2, pad.t + 9);
    g.fillText('0', 2, h - pad.b);
    g.fillText(`last ${WINDOW_S} s`, pad.l + 4, h - 3);
    const n = opts.slots;
    const bw = (w - pad.l - pad.r) / n;
    const y = (v) => h - pad.b - (v / max) * (h - pad.t - pad.b);
    if (opts.stack) {
      points.forEach((p, i) => {
        let base = 0;
        for (const [k, c] of series) {
          const v = p[k] || 0;
          if (!v) continue;
          g.fillStyle = color(c);
          g.fillRect(pad.l + i * bw + 1, y(base + v), Math.max(1, bw - 2), y(base) - y(base + v));
          base += v;
        }
      });
    } else {
      for (const [k, c] of series) {
        g.strokeStyle = color(c);
        g.lineWidth = 2;
        g.beginPath();
        let started = false; // points without a value (before the first sample) are not drawn
        points.forEach((p, i) => {
          if (p[k] === undefined || p[k] === null) return;
          const px = pad.l + (i + 0.5) * bw;
          if (started) g.lineTo(px, y(p[k]));
          else g.moveTo(px, y(p[k]));
          started = true;
        });
        g.stroke();
      }
    }
  }

  function chart(id, title, legend) {
    const canvas = el('canvas', { id, role: 'img', 'aria-label': title });
    const box = el('div', { class: 'chart' }, el('h3', {}, title), canvas,
      el('ul', { class: 'legend' }, legend.map(([label, v]) => {
        const i = el('i');
        i.style.background = color(v);
        return el('li', {}, i, label);
      })));
    return { box, canvas };
  }

  views.live = {
    needs: 'events:read',
    async render(main, r, onLeave) {
      let stopped = false;
      let source = null;
      let lastId = null;
      const timers = [];
      onLeave(() => {
        stopped = true;
        if (source) source.close();
        timers.forEach(clearInterval);
      });

      main.append(el('h2', {}, 'Live'));
      const state = el('p', { id: 'live-state', role: 'status' }, 'Connecting…');
      main.append(state);
      const rate = chart('chart-rate', 'Events per second by kind', KINDS.map(([k, v]) => [k, v]));
      const fails = chart('chart-failures', 'Failures', [['failed events/s', '--bad'], ['dead letters', '--warn']]);
      const lag = chart('chart-lag', 'Relay lag (events)', [['not yet on the bus', '--accent']]);
      main.append(el('div', { class: 'charts' }, rate.box, fails.box, lag.box));
      const lagNote = el('p', { class: 'muted', id: 'lag-note' });
      main.append(lagNote);
      main.append(el('h3', {}, 'Events as they are committed'));
      const feed = el('ol', { class: 'feed', id: 'feed', 'aria-live': 'off' });
      main.append(feed);

      // Per-second buckets of what arrived live, and samples of /v1/stats.
      const buckets = new Map();
      const samples = [];
      let backfillUpTo = 0; // events up to this seq were read from the log, not seen live
      const second = () => Math.floor(Date.now() / 1000);

      if (can('courses:read')) {
        const stats = await api('GET', '/v1/stats');
        backfillUpTo = stats.head_seq;
        lastId = String(Math.max(0, stats.head_seq - 20)); // the last few events, then live ones
      }

      function add(e) {
        const item = el('li', { 'data-seq': e.seq, 'data-subject': e.subject || '', 'data-type': e.type },
          el('span', { class: 'mono' }, `#${e.seq}`),
          el('time', { datetime: e.time }, fmtTime(e.time)),
          el('strong', { class: e.type.endsWith('.failed') ? 'error' : '' }, e.type),
          e.subject ? el('a', { href: '#/course/' + encodeURIComponent(e.subject), class: 'mono' }, e.subject) : null,
          el('span', { class: 'muted' }, e.actor || ''));
        feed.prepend(item);
        while (feed.childElementCount > 200) feed.lastElementChild.remove();
        if (e.seq <= backfillUpTo) return;
        const s = second();
        const b = buckets.get(s) || {};
        b[kindOf(e.type)] = (b[kindOf(e.type)] || 0) + 1;
        if (e.type.endsWith('.failed')) b.failed = (b.failed || 0) + 1;
        buckets.set(s, b);
      }

      async function connect() {
        if (stopped) return;
        let t;
        try {
          t = await api('POST', '/v1/stream-tickets');
        } catch (err) {
          state.textContent = 'No stream ticket: ' + err.message + ' (trying again)';
          if (!stopped && err.status !== 401 && err.status !== 403) setTimeout(connect, 3000);
          return;
        }
        if (stopped) return;
        const q = new URLSearchParams({ ticket: t.ticket });
        if (lastId) q.set('after', lastId);
        source = new EventSource('/v1/events/stream?' + q.toString());
        source.onopen = () => { state.textContent = 'Connected: events appear as they are committed.'; };
        const onEvent = (m) => {
          if (m.lastEventId) lastId = m.lastEventId;
          let e;
          try { e = JSON.parse(m.data); } catch (_) { return; }
          add(e);
        };
        for (const ty of t.event_types || []) source.addEventListener(ty, onEvent);
        source.onmessage = onEvent;
        source.onerror = () => { // tickets are single-use: a new one for each connection
          source.close();
          if (stopped) return;
          state.textContent = 'Disconnected; reconnecting…';
          setTimeout(connect, 1000);
        };
      }

      async function sample() {
        if (stopped || !can('courses:read')) return;
        try {
          const s = await api('GET', '/v1/stats');
          const by = s.courses_by_status || {};
          samples.push({ t: second(), dead: (by.generation_failed || 0) + (by.payment_failed || 0) + (by.distribution_failed || 0),
            lag: s.relay ? s.relay.lag_events : 0 });
          while (samples.length > WINDOW_S / 2) samples.shift();
          lagNote.textContent = s.relay
            ? `Bus ${s.relay.connected ? 'connected' : 'disconnected'}; oldest unrelayed event ${s.relay.lag_seconds.toFixed(1)} s old.`
            : 'No bus configured: nothing to relay.';
        } catch (_) { /* the status line shows API errors */ }
      }

      function redraw() {
        const now = second();
        const points = [];
        for (let s = now - WINDOW_S + 1; s <= now; ++s) points.push(buckets.get(s) || {});
        for (const s of [...buckets.keys()]) if (s <= now - WINDOW_S) buckets.delete(s);
        draw(rate.canvas, points, KINDS.map(([k, v]) => [k, v]), { stack: true, slots: WINDOW_S });
        const deadByTime = points.map((p, i) => {
          const t = now - WINDOW_S + 1 + i;
          const last = samples.filter((x) => x.t <= t).pop();
          return { failed: p.failed || 0, dead: last ? last.dead : null, lag: last ? last.lag : null };
        });
        draw(fails.canvas, deadByTime, [['failed', '--bad'], ['dead', '--warn']], { slots: WINDOW_S });
        draw(lag.canvas, deadByTime, [['lag', '--accent']], { slots: WINDOW_S });
      }

      await sample();
      redraw();
      timers.push(setInterval(sample, 2000), setInterval(redraw, 1000));
      connect();
    },
  };
})();
