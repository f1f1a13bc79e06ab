// The console's core: the token (this tab only), calls to the API, the DOM builder (text only,
// never HTML from data), scopes and the router. Views register themselves in CF.views.
'use strict';

const CF = (() => {
  const KEY = 'coursefactory.token';
  const state = { me: null, route: null, cleanup: [] };

  const token = () => sessionStorage.getItem(KEY) || '';

  // el('a', {href: '#/x', class: 'c'}, 'text', child): attributes as attributes, children as
  // nodes or text nodes. Event handlers: {onclick: fn}.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function say(text, isError) {
    const line = document.getElementById('status-line');
    line.textContent = text;
    line.classList.toggle('error', !!isError);
  }

  class ApiError extends Error {
    constructor(status, body) {
      const detail = body && typeof body === 'object' ? (body.detail || body.title) : body;
      super(detail ? `${status}: ${detail}` : `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  // One call with the Bearer token; JSON in, JSON out. A 401 signs the tab out.
  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
    const init = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = text; }
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && path !== '/v1/whoami') signOut('Signed out: ' + err.message);
      throw err;
    }
    return data;
  }

  const can = (scope) => !!state.me && state.me.scopes.includes(scope);

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace('Z', ' UTC');
  }
  function fmtDuration(ms) {
    if (!isFinite(ms)) return '';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
    if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
    return `${(ms / 3600000).toFixed(1)} h`;
  }
  function fmtMoney(cents, currency) {
    if (!currency && !cents) return '—';
    return `${(Number(cents || 0) / 100).toFixed(2)} ${String(currency || '').toUpperCase()}`;
  }
  const isFailed = (status) => /_failed$/.test(String(status || ''));
  const badge = (status) =>
    el('span', { class: 'badge ' + (isFailed(status) ? 'failed' : String(status || '')) }, status || '?');
  // Only same-site paths and http(s) links from data become links.
  function safeHref(url) {
    const u = String(url || '');
    if (u.startsWith('/') && !u.startsWith('//')) return u;
    return /^https?:\/\//i.test(u) ? u : null;
  }

  const views = {};
  // Routes: #/courses?status=..&q=..  #/course/<id>  #/dead  #/live
  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const [path, query] = h.split('?');
    const parts = path.split('/').map(decodeURIComponent);
    return { name: parts[0] || 'courses', arg: parts[1] || '', params: new URLSearchParams(query || '') };
  }

  async function route() {
    for (const f of state.cleanup.splice(0)) { try { f(); } catch (_) { /* gone */ } }
    if (!state.me) return;
    const r = parseHash();
    const view = views[r.name] || views.courses;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === (views[r.name] ? r.name : 'courses') ||
          (r.name === 'course' && a.dataset.view === 'courses')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const main = document.getElementById('main');
    main.replaceChildren();
    if (view.needs && !can(view.needs)) {
      main.append(el('p', { class: 'error' }, `This token lacks the scope ${view.needs} for this view.`));
      return;
    }
    try {
      await view.render(main, r, (f) => state.cleanup.push(f));
    } catch (err) {
      main.append(el('p', { class: 'error', role: 'alert' }, 'Could not load: ' + err.message));
    }
  }

  function showSignedIn() {
    document.getElementById('signin').hidden = true;
    document.getElementById('nav').hidden = false;
    document.getElementById('who').hidden = false;
    document.getElementById('who-name').textContent =
      `${state.me.name} (${state.me.scopes.join(', ') || 'no scopes'})`;
    for (const a of document.querySelectorAll('#nav a')) a.hidden = !can(a.dataset.needs);
    route();
  }

  function signOut(why) {
    sessionStorage.removeItem(KEY);
    state.me = null;
    for (const f of state.cleanup.splice(0)) { try { f(); } catch (_) { /* gone */ } }
    document.getElementById('main').replaceChildren();
    document.getElementById('nav').hidden = true;
    document.getElementById('who').hidden = true;
    document.getElementById('signin').hidden = false;
    document.getElementById('signin-error').textContent = why || '';
    document.getElementById('token').focus();
  }

  async function signIn(candidate) {
    sessionStorage.setItem(KEY, candidate);
    try {
      state.me = await api('GET', '/v1/whoami');
    } catch (err) {
      signOut(err.status === 401 ? 'That token was not accepted.' : 'Sign-in failed: ' + err.message);
      return;
    }
    document.getElementById('signin-error').textContent = '';
    say(`Signed in as ${state.me.name}`);
    showSignedIn();
  }

  function start() {
    document.getElementById('signin-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = document.getElementById('token');
      const value = input.value.trim();
      input.value = '';
      if (value) signIn(value);
    });
    document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
    window.addEventListener('hashchange', route);
    if (token()) signIn(token());
    else signOut('');
  }

  document.addEventListener('DOMContentLoaded', start);
  return { api, el, say, can, views, fmtTime, fmtDuration, fmtMoney, badge, isFailed, safeHref, state };
})();
