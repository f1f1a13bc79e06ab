// The console's views of the data at rest: the course list, one course with its timeline, and
// the dead letters with their Retry button.
'use strict';

(() => {
  const { api, el, say, can, views, fmtTime, fmtDuration, fmtMoney, badge, isFailed, safeHref } = CF;
  const STATUSES = ['generating', 'generated', 'generation_failed', 'awaiting_payment', 'paid',
    'payment_failed', 'distributing', 'published', 'distribution_failed'];
  const DEAD = ['generation_failed', 'payment_failed', 'distribution_failed'];
  const PAGE = 20;

  const courseLink = (id) => el('a', { href: '#/course/' + encodeURIComponent(id), class: 'mono' }, id);

  // Every event of a course, page by page.
  async function courseEvents(id) {
    const out = [];
    let after = 0;
    for (;;) {
      const page = await api('GET', `/v1/courses/${encodeURIComponent(id)}/events?limit=1000&after=${after}`);
      out.push(...page.events);
      if (page.next_after === null || page.next_after === undefined) return out;
      after = page.next_after;
    }
  }

  // POST retry; shows the answer in `where` and calls `done` after it moved.
  function retryButton(id, where, done) {
    const b = el('button', { type: 'button', class: 'primary', 'data-retry': id }, 'Retry');
    if (!can('courses:write')) {
      b.disabled = true;
      b.title = 'needs courses:write';
    }
    b.addEventListener('click', async () => {
      b.disabled = true;
      where.textContent = 'Retrying…';
      try {
        const r = await api('POST', `/v1/courses/${encodeURIComponent(id)}/retry`);
        where.textContent = `Retry accepted: ${r.status}`;
        say(`Course ${id}: retry accepted (${r.status})`);
        if (done) done(r.status);
      } catch (err) {
        where.textContent = 'Retry refused: ' + err.message;
        where.classList.add('error');
        b.disabled = false;
      }
    });
    return b;
  }

  views.courses = {
    needs: 'courses:read',
    async render(main, r) {
      const status = r.params.get('status') || '';
      const q = r.params.get('q') || '';
      const after = r.params.get('after') || '';
      const prev = r.params.get('prev') || ''; // cursors of the pages before, comma-separated
      const go = (p) => { location.hash = '#/courses?' + new URLSearchParams(p).toString(); };

      main.append(el('h2', {}, 'Courses'));
      const counts = el('ul', { class: 'counts', 'aria-label': 'Courses by status' });
      main.append(counts);
      const stats = await api('GET', '/v1/stats');
      const by = stats.courses_by_status || {};
      const total = Object.values(by).reduce((a, b) => a + b, 0);
      const chip = (value, label, n) => el('li', {}, el('button', {
        type: 'button', 'aria-pressed': String(status === value), 'data-status': value,
        onclick: () => go({ status: value, q }),
      }, `${label} (${n})`));
      counts.append(chip('', 'all', total));
      for (const s of STATUSES) if (by[s] || s === status) counts.append(chip(s, s, by[s] || 0));

      const search = el('input', { type: 'search', id: 'search', name: 'q', value: q,
        placeholder: 'title or course id', 'aria-label': 'Search by title or course id' });
      const select = el('select', { id: 'status-filter', 'aria-label': 'Status' },
        el('option', { value: '' }, 'any status'),
        STATUSES.map((s) => el('option', { value: s, selected: s === status }, s)));
      const form = el('form', { class: 'toolbar', role: 'search' }, search, select,
        el('button', { type: 'submit' }, 'Search'));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        go({ status: select.value, q: search.value.trim() });
      });
      main.append(form);

      const params = new URLSearchParams({ limit: PAGE });
      if (status) params.set('status', status);
      if (q) params.set('q', q);
      if (after) params.set('after', after);
      const page = await api('GET', '/v1/courses?' + params.toString());
      if (!page.items.length) {
        main.append(el('p', { class: 'muted' }, 'No courses match.'));
      } else {
        const rows = page.items.map((c) => el('tr', { 'data-course': c.course_id },
          el('td', { class: 'id' }, courseLink(c.course_id)),
          el('td', {}, c.title),
          el('td', {}, badge(c.status)),
          el('td', {}, c.price ? fmtMoney(c.price.amount_cents, c.price.currency) : '—'),
          el('td', {}, fmtTime(c.updated_at))));
        main.append(el('div', { class: 'table-wrap' }, el('table', { class: 'courses' },
          el('thead', {}, el('tr', {}, ['Course', 'Title', 'Status', 'Price', 'Updated'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, rows))));
      }
      const nav = el('div', { class: 'toolbar' });
      const stack = prev ? prev.split(',') : [];
      if (after) {
        nav.append(el('button', { type: 'button', id: 'prev-page', onclick: () => {
          const back = stack.slice(0, -1);
          const to = stack[stack.length - 1] || '-';
          go(Object.assign({ status, q }, to !== '-' ? { after: to } : {}, back.length ? { prev: back.join(',') } : {}));
        } }, '← Previous page'));
      }
      if (page.next_after) {
        nav.append(el('button', { type: 'button', id: 'next-page', onclick: () => go(Object.assign(
          { status, q, after: page.next_after, prev: stack.concat([after || '-']).join(',') })) }, 'Next page →'));
      }
      main.append(nav);
    },
  };

  // Where the time went: each gap between two events goes to the phase the earlier one opened.
  function phaseOf(type) {
    if (/^course\.(requested|created|generation\.)/.test(type)) return type.endsWith('.failed') ? 'other' : 'generation';
    if (/^course\.payment\.required$/.test(type) || type === 'course.generation.completed') return 'payment';
    if (/^course\.(payment\.completed|distribution\.requested)$/.test(type)) return 'distribution';
    return 'other';
  }
  const PHASES = [['generation', 'generation'], ['payment', 'waiting for payment'],
    ['distribution', 'distribution'], ['other', 'other / idle']];

  function timeBar(events) {
    const spent = { generation: 0, payment: 0, distribution: 0, other: 0 };
    for (let i = 1; i < events.length; ++i) {
      const gap = Date.parse(events[i].time) - Date.parse(events[i - 1].time);
      if (gap > 0) spent[phaseOf(events[i - 1].type)] += gap;
    }
    const total = Object.values(spent).reduce((a, b) => a + b, 0);
    const bar = el('div', { class: 'bar', role: 'img', id: 'time-bar',
      'aria-label': PHASES.map(([k, label]) => `${label} ${fmtDuration(spent[k])}`).join(', ') });
    for (const [k, label] of PHASES) {
      if (!spent[k]) continue;
      bar.append(el('span', { class: 'seg-' + k, title: `${label}: ${fmtDuration(spent[k])}`,
        style: null }));
      bar.lastChild.style.flexGrow = String(spent[k] / (total || 1));
    }
    const legend = el('ul', { class: 'legend' }, PHASES.map(([k, label]) =>
      el('li', {}, el('i', { class: 'seg-' + k }), `${label}: ${fmtDuration(spent[k])}`)));
    return [bar, legend, el('p', { class: 'muted' }, `Total ${fmtDuration(total)} from first to last event.`)];
  }

  function timeline(events) {
    const list = el('ol', { class: 'timeline', id: 'timeline' });
    events.forEach((e, i) => {
      const delta = i ? Date.parse(e.time) - Date.parse(events[i - 1].time) : null;
      list.append(el('li', { 'data-seq': e.seq, 'data-type': e.type },
        el('div', { class: 'ev-head' },
          el('span', { class: 'mono' }, `#${e.seq}`),
          el('span', { class: 'ev-type' + (e.type.endsWith('.failed') ? ' failed' : '') }, e.type),
          el('time', { datetime: e.time }, fmtTime(e.time)),
          delta === null ? null : el('span', { class: 'delta' }, '+' + fmtDuration(delta)),
          el('span', { class: 'muted' }, 'actor: ', e.actor || '—'),
          el('span', { class: 'muted mono' }, 'correlation: ', e.correlationid || '—')),
        el('details', {}, el('summary', {}, 'JSON'), el('pre', {}, JSON.stringify(e, null, 2)))));
    });
    return list;
  }

  function contentPreview(content) {
    if (!content || typeof content !== 'object') return el('p', { class: 'muted' }, 'No content yet.');
    const box = el('div', { class: 'preview', id: 'content-preview' });
    const lp = content.landing_page || {};
    if (lp.headline) box.append(el('p', {}, el('strong', {}, lp.headline), lp.value_proposition ? ' — ' + lp.value_proposition : ''));
    for (const m of (content.modules || []).slice(0, 10)) {
      box.append(el('h4', {}, m.title || 'module'));
      if (m.summary) box.append(el('p', { class: 'muted' }, m.summary));
      box.append(el('ul', {}, (m.lessons || []).slice(0, 20).map((l) =>
        el('li', {}, l.title || 'lesson', l.duration_minutes ? ` (${l.duration_minutes} min)` : ''))));
    }
    if (Array.isArray(content.quiz)) box.append(el('p', { class: 'muted' }, `Quiz: ${content.quiz.length} questions`));
    return box;
  }

  views.course = {
    needs: 'courses:read',
    async render(main, r, onLeave) {
      const id = r.arg;
      const c = await api('GET', '/v1/courses/' + encodeURIComponent(id));
      let loadTimeline = async () => {}; // set below when the token may read events
      main.append(el('p', {}, el('a', { href: '#/courses' }, '← Courses')));
      main.append(el('h2', {}, c.title || id));
      const url = safeHref(c.url);
      const result = el('p', { class: 'result', role: 'status', id: 'retry-result' });
      main.append(el('dl', { class: 'facts', id: 'course-facts' },
        el('dt', {}, 'Course'), el('dd', { class: 'mono' }, c.course_id),
        el('dt', {}, 'State'), el('dd', { id: 'course-status' }, badge(c.status),
          isFailed(c.status) ? [' ', retryButton(c.course_id, result, (first) => watch(c.course_id, first, result, onLeave, (now) => {
            document.getElementById('course-status').replaceChildren(badge(now.status));
            loadTimeline();
          }))] : null),
        c.last_error ? [el('dt', {}, 'Last error'), el('dd', { class: 'error' }, c.last_error)] : null,
        el('dt', {}, 'Attempt'), el('dd', {}, String(c.attempt)),
        el('dt', {}, 'Price'), el('dd', {}, c.price ? fmtMoney(c.price.amount_cents, c.price.currency) : (c.dry_run ? 'dry run' : '—')),
        el('dt', {}, 'Payment'), el('dd', {}, c.payment_id ? `${c.payment_id} (expires ${fmtTime(c.payment_expires_at)})` : '—'),
        el('dt', {}, 'Published'), el('dd', {}, url ? el('a', { href: url, rel: 'noopener noreferrer' }, c.url) : '—'),
        el('dt', {}, 'Requested by'), el('dd', {}, c.user_id || '—'),
        el('dt', {}, 'Created'), el('dd', {}, fmtTime(c.created_at)),
        el('dt', {}, 'Updated'), el('dd', {}, fmtTime(c.updated_at))));
      main.append(result);
      main.append(el('h3', {}, 'Content'), contentPreview(c.content));
      main.append(el('h3', {}, 'Timeline'));
      if (!can('events:read')) {
        main.append(el('p', { class: 'muted' }, 'The timeline needs the scope events:read.'));
        return;
      }
      const box = el('div', { id: 'timeline-box' });
      main.append(box);
      loadTimeline = async () => {
        const events = await courseEvents(id);
        box.replaceChildren(el('h4', {}, 'Where the time went'), ...timeBar(events),
          el('p', { class: 'muted', id: 'event-count' }, `${events.length} events`), timeline(events));
      };
      await loadTimeline();
    },
  };

  views.dead = {
    needs: 'courses:read',
    async render(main, r, onLeave) {
      main.append(el('h2', {}, 'Dead letters'));
      main.append(el('p', { class: 'muted' }, 'Courses whose step failed for good. Retry starts the failed step again (needs courses:write).'));
      for (const status of DEAD) {
        const page = await api('GET', `/v1/courses?status=${status}&limit=100`);
        main.append(el('h3', {}, `${status} (${page.items.length}${page.next_after ? '+' : ''})`));
        if (!page.items.length) {
          main.append(el('p', { class: 'muted' }, 'None.'));
          continue;
        }
        const rows = page.items.map((c) => {
          const result = el('div', { class: 'result', role: 'status' });
          return el('tr', { 'data-course': c.course_id },
            el('td', { class: 'id' }, courseLink(c.course_id)),
            el('td', {}, c.title),
            el('td', { class: 'error' }, c.last_error || '—'),
            el('td', {}, String(c.attempt)),
            el('td', {}, retryButton(c.course_id, result, (first) => watch(c.course_id, first, result, onLeave)), result));
        });
        main.append(el('div', { class: 'table-wrap' }, el('table', {},
          el('thead', {}, el('tr', {}, ['Course', 'Title', 'Last error', 'Attempt', ''].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, rows))));
      }
    },
  };

  // After a retry: polls the course until its status settles, showing each one it passes,
  // starting with the one the retry answered.
  function watch(id, first, where, onLeave, settled) {
    const seen = first ? [first] : [];
    let stopped = false;
    onLeave(() => { stopped = true; });
    const tick = async () => {
      if (stopped) return;
      try {
        const c = await api('GET', '/v1/courses/' + encodeURIComponent(id));
        if (seen[seen.length - 1] !== c.status) seen.push(c.status);
        where.textContent = 'Now: ' + seen.join(' → ');
        where.dataset.status = c.status;
        if (['generating', 'paid', 'distributing'].includes(c.status)) setTimeout(tick, 300);
        else if (settled) settled(c);
      } catch (err) {
        where.textContent = 'Cannot read the course: ' + err.message;
      }
    };
    setTimeout(tick, 200);
  }
})();
