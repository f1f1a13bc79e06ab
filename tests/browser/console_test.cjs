// The operator's console in Debian's chromium, driven by puppeteer-core, against the real binary
// started here on a free loopback port in a scratch folder: sign in with a token made by
// `coursefactory token create`, find a course made by the test, its timeline equal to the API's
// events, retry a course whose generation failed and see it move, the live feed receive a new
// event, a read-only token see less, narrow widths; no browser console errors or CSP violations.
// usage: node console_test.cjs BINARY OUT (OUT holds node_modules; screenshots go to OUT/screenshots)
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [binary, out] = process.argv.slice(2);
const puppeteer = require(path.join(path.resolve(out), 'node_modules', 'puppeteer-core'));
const PATIENCE_MS = 20000; // how long to wait for what must happen: only a hang takes that long
const shots = path.join(out, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-console-'));
const db = path.join(work, 'var', 'events.db');
const failFlag = path.join(work, 'fail-flag');
const t0 = Date.now();
let service = null;
let browser = null;

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function eventually(what, probe) {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startService() {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(path.join(work, 'service.log'), 'a');
    service = spawn(binary, ['serve', '--port', '0', '--db', db,
      '--site-dir', path.join(work, 'var', 'site'),
      '--stripe-webhook-secret-file', path.join(work, 'var', 'secret'),
      '--generation-command', `/usr/bin/python3 ${path.join(__dirname, 'generator.py')} ${failFlag}`,
      '--retry-max-attempts', '1'], { stdio: ['ignore', 'pipe', log] });
    let text = '';
    const timer = setTimeout(() => reject(new Error('the service did not report its port')), PATIENCE_MS);
    service.stdout.on('data', (d) => {
      text += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    service.on('exit', (code) => reject(new Error('the service exited early: ' + code)));
  });
}

function makeToken(name, scopes) {
  return execFileSync(binary, ['token', 'create', '--db', db, '--name', name, '--scopes', scopes],
    { encoding: 'utf8' }).trim();
}

async function main() {
  const port = await startService();
  const base = `http://127.0.0.1:${port}`;
  const admin = makeToken('console-test', 'admin');
  const reader = makeToken('console-reader', 'courses:read');
  const watcher = makeToken('console-watcher', 'events:read');
  const api = async (method, p, body) => {
    const res = await fetch(base + p, { method, headers: Object.assign({ Authorization: 'Bearer ' + admin },
      body ? { 'Content-Type': 'application/json' } : {}), body: body ? JSON.stringify(body) : undefined });
    const data = await res.json();
    check(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const create = async (title, price) => (await api('POST', '/v1/courses', Object.assign({ title,
    language: 'en', audiences: ['Ops'], lesson_count: 2, user_id: 'console-test', dry_run: !price },
  price ? { price } : {}))).course_id;
  const statusOf = async (id) => (await api('GET', '/v1/courses/' + id)).status;
  const settle = (id, status) => eventually(`${id} to be ${status}`, async () => (await statusOf(id)) === status);

  // A paid course that goes all the way: generation, payment (`coursefactory pay`, a signed
  // Stripe-format webhook), distribution to the site.
  const good = await create('Console test course', { amount_cents: 4900, currency: 'EUR' });
  await settle(good, 'awaiting_payment');
  const secret = fs.readFileSync(path.join(work, 'var', 'secret'), 'utf8').split('\n')[0];
  execFileSync(binary, ['pay', good, '--url', base, '--token', admin, '--stripe-webhook-secret', secret],
    { encoding: 'utf8' });
  await settle(good, 'published');
  fs.writeFileSync(failFlag, 'x');
  const bad = await create('Console failing course');
  const stuck = await create('Console course left failed');
  await settle(bad, 'generation_failed');
  await settle(stuck, 'generation_failed');
  fs.unlinkSync(failFlag);

  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu'] });
  const problems = [];
  const watchPage = (page, label, allowed) => {
    page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (allowed && allowed.test(m.text())) return;
      problems.push(`${label}: console error: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !(allowed && allowed.test(`status of ${r.status()}`)))
        problems.push(`${label}: ${r.status()} for ${r.url()}`);
    });
    // CSP violations, reported by the page itself (the listener is added outside the CSP).
    return page.evaluateOnNewDocument(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  };
  const page = await browser.newPage();
  await watchPage(page, 'admin');
  await page.setViewport({ width: 1200, height: 900 });
  const shot = (name) => page.screenshot({ path: path.join(shots, `console-${name}.png`), fullPage: true });

  // Sign in.
  const first = await page.goto(base + '/console/', { waitUntil: 'networkidle2' });
  check(first.headers()['content-security-policy'].includes("script-src 'self'"), 'no CSP on /console/');
  await page.waitForSelector('#token', { visible: true });
  await shot('signin');
  await page.type('#token', admin);
  await page.keyboard.press('Enter'); // the form submits from the keyboard
  await page.waitForFunction(() => document.getElementById('who-name').textContent.includes('console-test'));
  check(await page.evaluate(() => sessionStorage.length === 1), 'the token is not in sessionStorage');
  check((await page.cookies()).length === 0, 'the console set a cookie');

  // The course list: counts, search.
  await page.waitForSelector(`tr[data-course="${good}"]`);
  const counts = await page.$$eval('.counts button', (bs) => bs.map((b) => b.textContent));
  check(counts.includes('generation_failed (2)') && counts.includes('all (3)'), 'counts: ' + counts);
  await page.type('#search', 'test course');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForFunction((bad) => location.hash.includes('q=test') &&
    !document.querySelector(`tr[data-course="${bad}"]`), {}, bad);
  await page.waitForSelector(`tr[data-course="${good}"]`);
  await shot('courses');

  // A course and its timeline, as the API has it.
  await page.click(`tr[data-course="${good}"] a`);
  await page.waitForSelector('#timeline li');
  const shown = await page.$$eval('#timeline li', (lis) => lis.map((li) => [Number(li.dataset.seq), li.dataset.type]));
  const events = (await api('GET', `/v1/courses/${good}/events?limit=1000`)).events;
  check(JSON.stringify(shown) === JSON.stringify(events.map((e) => [e.seq, e.type])),
    `timeline ${JSON.stringify(shown)} differs from the API's ${JSON.stringify(events.map((e) => [e.seq, e.type]))}`);
  check(events.length >= 6, 'too few events for a published course: ' + events.length);
  await page.click('#timeline li:first-child summary'); // expand: the event's JSON
  const expanded = JSON.parse(await page.$eval('#timeline li:first-child pre', (p) => p.textContent));
  check(expanded.id === events[0].id && expanded.correlationid === events[0].correlationid, 'expanded JSON differs');
  const facts = await page.$eval('#course-facts', (d) => d.textContent);
  check(facts.includes(good) && facts.includes('published') && facts.includes('49.00 EUR'), 'course facts: ' + facts);
  const link = await page.$eval('#course-facts a', (a) => a.getAttribute('href'));
  const published = (await api('GET', '/v1/courses/' + good)).url;
  check(published && link === published, `published link ${link}, the API says ${published}`);
  check(await page.$eval('#content-preview', (d) => d.textContent.includes('Console test course, lesson 2')), 'no content preview');
  const segments = await page.$$eval('#time-bar span', (s) => s.map((x) => x.className));
  for (const phase of ['generation', 'payment', 'distribution'])
    check(segments.includes('seg-' + phase), `no ${phase} in the time bar: ${segments}`);
  await shot('course');

  // Dead letters: retry the failed course and see it move.
  await page.goto(base + '/console/#/dead', { waitUntil: 'networkidle2' });
  await page.waitForSelector(`tr[data-course="${bad}"] button[data-retry]`);
  const lastError = await page.$eval(`tr[data-course="${bad}"] td.error`, (td) => td.textContent);
  check(lastError.includes('fail flag'), 'last error shown: ' + lastError);
  await shot('dead');
  await page.click(`tr[data-course="${bad}"] button[data-retry]`);
  await page.waitForFunction((bad) => {
    const r = document.querySelector(`tr[data-course="${bad}"] .result`);
    return r && r.dataset.status === 'generated';
  }, { timeout: PATIENCE_MS }, bad);
  const moved = await page.$eval(`tr[data-course="${bad}"] .result`, (r) => r.textContent);
  check(/Now: generating → generated/.test(moved), 'retry result: ' + moved);
  check((await statusOf(bad)) === 'generated', 'the API does not see the retried course generated');
  await shot('dead-retried');

  // Live: a course created now shows up in the feed.
  await page.goto(base + '/console/#/live', { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => (document.getElementById('live-state') || {}).textContent === 'Connected: events appear as they are committed.');
  const live = await create('Console live course');
  await page.waitForSelector(`#feed li[data-subject="${live}"]`, { timeout: PATIENCE_MS });
  await settle(live, 'generated');
  await page.waitForSelector(`#feed li[data-subject="${live}"][data-type="course.generation.completed"]`, { timeout: PATIENCE_MS });
  await new Promise((r) => setTimeout(r, 1200)); // one redraw of the charts for the picture
  await shot('live');

  // Narrow: nothing wider than the window.
  await page.setViewport({ width: 380, height: 800 });
  await page.goto(base + '/console/#/courses', { waitUntil: 'networkidle2' });
  await page.waitForSelector(`tr[data-course="${good}"]`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `at 380 px the page is ${overflow} px too wide`);
  await shot('narrow');
  // Keyboard: Tab reaches the controls.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.tagName);
  check(['A', 'BUTTON', 'INPUT', 'SELECT'].includes(focused), 'Tab focused ' + focused);
  check((await page.evaluate(() => window.__csp)).length === 0, 'CSP violations: ' + await page.evaluate(() => window.__csp.join('; ')));
  await page.click('#sign-out');
  check(await page.evaluate(() => sessionStorage.length === 0), 'sign-out left the token');

  // A read-only token sees less: no Live, Retry disabled, no timeline; a wrong token is refused.
  const context = await browser.createBrowserContext();
  const page2 = await context.newPage();
  await watchPage(page2, 'reader', /status of 401/);
  await page2.goto(base + '/console/', { waitUntil: 'networkidle2' });
  await page2.type('#token', 'cf_not_a_token');
  await page2.keyboard.press('Enter');
  await page2.waitForFunction(() => document.getElementById('signin-error').textContent.includes('not accepted'));
  await page2.type('#token', reader);
  await page2.keyboard.press('Enter');
  await page2.waitForFunction(() => document.getElementById('who-name').textContent.includes('console-reader'));
  check(await page2.$eval('#nav a[data-view=live]', (a) => a.hidden), 'Live shown without events:read');
  await page2.goto(base + '/console/#/dead', { waitUntil: 'networkidle2' });
  await page2.waitForSelector(`tr[data-course="${stuck}"] button[data-retry]`);
  check(await page2.$eval(`tr[data-course="${stuck}"] button[data-retry]`, (b) => b.disabled),
    'Retry enabled without courses:write');
  await page2.goto(base + `/console/#/course/${good}`, { waitUntil: 'networkidle2' });
  await page2.waitForFunction(() => document.body.innerText.includes('The timeline needs the scope events:read.'));
  check(await page2.evaluate(() => window.__csp.length === 0), 'CSP violations (reader)');

  // A token that may read events only: Live alone, and its feed works.
  const page3 = await (await browser.createBrowserContext()).newPage();
  await watchPage(page3, 'watcher');
  await page3.goto(base + '/console/#/live', { waitUntil: 'networkidle2' });
  await page3.type('#token', watcher);
  await page3.keyboard.press('Enter');
  await page3.waitForFunction(() => (document.getElementById('live-state') || {}).textContent === 'Connected: events appear as they are committed.');
  check(await page3.$$eval('#nav a', (as) => as.filter((a) => !a.hidden).map((a) => a.dataset.view).join()) === 'live',
    'views shown to an events:read token');
  const watched = await create('Console watched course');
  await page3.waitForSelector(`#feed li[data-subject="${watched}"]`, { timeout: PATIENCE_MS });
  check(await page3.evaluate(() => window.__csp.length === 0), 'CSP violations (watcher)');

  check(problems.length === 0, 'browser problems:\n  ' + problems.join('\n  '));
  console.log(`console_browser: 1 passed (${((Date.now() - t0) / 1000).toFixed(1)} s): sign-in, list, ` +
    `search, timeline = API (${events.length} events), retry generation_failed -> generated, live feed, ` +
    `narrow, scopes; screenshots in ${shots}`);
}

async function stop() {
  if (browser) await browser.close().catch(() => {});
  if (service && service.exitCode === null) {
    service.kill('SIGTERM');
    const code = await Promise.race([new Promise((r) => service.once('exit', r)),
      new Promise((r) => setTimeout(() => r('timeout'), PATIENCE_MS))]);
    if (code !== 0) {
      service.kill('SIGKILL');
      throw new Error('the service did not exit 0 after SIGTERM: ' + code);
    }
  }
}

main().then(stop).then(() => {
  fs.rmSync(work, { recursive: true, force: true });
}, async (err) => {
  console.error('console_browser: FAIL: ' + (err && err.stack || err));
  try { await stop(); } catch (e) { console.error(String(e)); }
  const logFile = path.join(work, 'service.log');
  if (fs.existsSync(logFile)) console.error('service log (last lines):\n' + fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'));
  process.exit(1);
});
