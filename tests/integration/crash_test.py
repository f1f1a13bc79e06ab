#!/usr/bin/env python3
"""Crash test of the real binary (issue 4): many concurrent course lifecycles while the service
is killed with SIGKILL at random moments and restarted on the same database.

Usage: crash_test.py PATH/TO/coursefactory   (Python 3 standard library only)

The service runs with a flaky external generator (a script written here: fails now and then, is
slow now and then) and the webhook distribution channel pointed at a receiver in this process
(answers 503 now and then). Eight client threads create free, priced and dry-run courses and pay
the priced ones with Stripe-signed webhooks (some delivered twice with the same event id), while
the service is killed at least five times. Only 2xx answers are promises: a request that got no
answer may or may not have happened. After the last restart the service stays up until every
course is terminal; then the log (GET /v1/events) and the receiver's records must show that
every promise was kept and no effect happened twice; SIGTERM must exit 0 and `verify` pass.

CRASH_SEED=N reproduces the test's own choices (not the service's timing).
"""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict

THREADS = 8
COURSES = 150
MIN_KILLS = 5
MAX_KILLS = 12
KILL_EVERY_S = (3.0, 8.0)
SETTLE_S = 90
LIFECYCLE_WAIT_S = 30  # how long a client waits for its course to await payment
PAUSE_S = 3.0  # a client pauses up to this long between courses: creation spans the kills
RECEIVER_503 = 0.15
RECEIVER_SLOW = 0.25  # answers after 0.1-1 s (the channel's timeout is 3 s)
GENERATOR_FAIL = 0.15
GENERATOR_SLOW = 0.10
GENERATOR_TIMEOUT = 0.02
GENERATION_TIMEOUT_MS = 2500
MAX_ATTEMPTS = 6  # --retry-max-attempts: the budget must survive restarts
TERMINAL = {"published", "generation_failed", "payment_failed", "distribution_failed"}

GENERATOR = r'''
import json, random, sys, time
req = json.load(sys.stdin)
r = random.Random()
x = r.random()
if x < FAIL:
    print("transient: the model is overloaded", file=sys.stderr)
    sys.exit(3)
if x < FAIL + SLOW:
    time.sleep(r.uniform(0.3, 1.5))
elif x < FAIL + SLOW + TIMEOUT:
    time.sleep(TIMEOUT_S)
n = max(1, int(req.get("lesson_count", 1)))
title = req.get("title", "course")
lessons = [{"title": "%s, lesson %d" % (title, i + 1), "objectives": ["part %d" % (i + 1)],
            "duration_minutes": 10 + i, "text": "Lesson %d about %s." % (i + 1, title)}
           for i in range(n)]
content = {
    "language": req.get("language", "en"),
    "modules": [{"title": title, "summary": "All of " + title, "lessons": lessons}],
    "quiz": [{"question": "What is %s?" % title, "options": ["a", "b", "c", "d"], "answer": 1,
              "explanation": "b is right"}],
    "landing_page": {"headline": title, "value_proposition": "Learn " + title,
                     "for_whom": ["beginners"], "not_for_whom": ["experts"]},
}
json.dump(content, sys.stdout)
'''


class TestFailure(Exception):
    pass


def now_s():
    return time.monotonic()


def sign(secret, body, t=None):
    """Stripe's scheme (util/signature_header.cpp): t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), ("%d." % t).encode() + body, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (t, mac)


def signature_ok(secret, header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    return "t" in parts and hmac.compare_digest(sign(secret, body, int(parts["t"])), header)


class Service:
    """One `coursefactory serve` at a time on the same database; restarts get a new port."""

    def __init__(self, binary, work, receiver_url):
        self.binary = binary
        self.work = work
        self.receiver_url = receiver_url
        self.proc = None
        self.port = None
        self.incarnation = 0
        self.kill_times = []  # monotonic times of each SIGKILL
        self.lock = threading.Lock()
        self.outputs = []

    def args(self):
        w = self.work
        return [self.binary, "serve", "--port", "0", "--db", w + "/events.db",
                "--site-dir", w + "/site", "--stripe-webhook-secret-file", w + "/secret",
                "--generation-command", sys.executable + " " + w + "/gen.py",
                "--generation-timeout-ms", str(GENERATION_TIMEOUT_MS),
                "--distribution-channels", "site,webhook",
                "--distribution-webhook-urls", self.receiver_url,
                "--distribution-timeout-ms", "3000",
                "--retry-initial-delay-ms", "100", "--retry-multiplier", "2",
                "--retry-max-delay-ms", "1000", "--retry-max-attempts", str(MAX_ATTEMPTS)]

    def start(self):
        self.incarnation += 1
        out = "%s/out.%d" % (self.work, self.incarnation)
        self.outputs.append(out)
        with open(out, "wb") as f:
            proc = subprocess.Popen(self.args(), stdout=f, stderr=subprocess.STDOUT)
        deadline = now_s() + 30  # a busy machine starts slowly; only a hang takes this long
        while now_s() < deadline:
            with open(out, "rb") as f:
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                with self.lock:
                    self.proc, self.port = proc, int(m.group(1))
                return
            if proc.poll() is not None:
                raise TestFailure("the service exited early (incarnation %d, rc %s)"
                                  % (self.incarnation, proc.returncode))
            time.sleep(0.05)
        proc.kill()
        raise TestFailure("the service did not report its port (incarnation %d)" % self.incarnation)

    def kill(self):
        with self.lock:
            proc, self.port = self.proc, None
            self.kill_times.append(now_s())
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def current_port(self):
        with self.lock:
            return self.port

    def tail(self, lines=60):
        text = []
        for path in self.outputs:
            with open(path, "r", errors="replace") as f:
                text += ["[%s] %s" % (os.path.basename(path), l.rstrip("\n")) for l in f]
        return "\n".join(text[-lines:])


class Client:
    """HTTP calls that ride over restarts: connection errors and 502-504 are retried on the
    current port until `deadline_s` has passed."""

    RETRY_STATUS = (502, 503, 504)

    def __init__(self, service):
        self.service = service

    def call(self, method, path, body=None, headers=None, retry_status=RETRY_STATUS,
             deadline_s=120):
        end = now_s() + deadline_s
        last = None
        while now_s() < end:
            port = self.service.current_port()
            if port is None:
                time.sleep(0.05)
                continue
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                res = conn.getresponse()
                data = res.read()
                if res.status not in retry_status:
                    return res.status, dict(res.getheaders()), data
                last = "HTTP %d %s" % (res.status, data[:200])
            except (OSError, http.client.HTTPException) as e:
                last = repr(e)
            finally:
                conn.close()
            time.sleep(0.1)
        raise TestFailure("%s %s: no usable answer within %d s (last: %s)"
                          % (method, path, deadline_s, last))

    def get_json(self, path, deadline_s=120):
        status, _, data = self.call("GET", path, deadline_s=deadline_s)
        if status != 200:
            raise TestFailure("GET %s answered %d: %s" % (path, status, data[:300]))
        return json.loads(data)


class Receiver:
    """The webhook channel's target: answers 503 now and then, slowly now and then, and records
    every delivery (before answering: a delivery counts as acknowledged even if the sender was
    killed before it read the answer)."""

    def __init__(self, rng):
        self.rng = rng
        self.lock = threading.Lock()
        self.deliveries = []  # dicts: at, key, course_id, attempt, status, sig_ok, body_hash
        self.secret = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                at = now_s()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = 503 if receiver.rng.random() < RECEIVER_503 else 200
                    slow = receiver.rng.random() < RECEIVER_SLOW
                    delay = receiver.rng.uniform(0.1, 1.0) if slow else 0
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = {}
                sig = self.headers.get("Coursefactory-Signature", "")
                record = {"at": at, "key": self.headers.get("Idempotency-Key", ""),
                          "course_id": doc.get("course_id"), "attempt": doc.get("attempt"),
                          "distribution_id": doc.get("distribution_id"), "status": status,
                          "sig_ok": bool(receiver.secret) and signature_ok(receiver.secret, sig,
                                                                           body),
                          "body_hash": hashlib.sha256(body).hexdigest()}
                with receiver.lock:
                    receiver.deliveries.append(record)
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Crash:
    def __init__(self, binary, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.work = tempfile.mkdtemp(prefix="cf_crash_")
        with open(self.work + "/gen.py", "w") as f:
            f.write("FAIL, SLOW, TIMEOUT, TIMEOUT_S = %r, %r, %r, %r\n"
                    % (GENERATOR_FAIL, GENERATOR_SLOW, GENERATOR_TIMEOUT,
                       GENERATION_TIMEOUT_MS / 1000 + 1.5) + GENERATOR)
        self.receiver = Receiver(random.Random(seed + 1))
        self.service = Service(binary, self.work, self.receiver.url)
        self.client = Client(self.service)
        self.lock = threading.Lock()
        self.failures = []  # problems found while driving
        self.created = []  # (idempotency key, correlation id, course id, replayed) per 2xx POST
        self.intent = {}  # course id -> "free", "priced", "fail" or "dry"
        self.price = {}  # course id -> (amount_cents, currency)
        self.webhooks = []  # (event id, course id, outcome, result, detail) per 2xx webhook
        self.drivers_done = threading.Event()
        self.quota = list(range(COURSES))

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    # -- driving ---------------------------------------------------------------------------

    def create_course(self, rng, worker, n):
        kind = rng.choices(["free", "priced", "fail", "dry"], [35, 52, 6, 7])[0]
        body = {"title": "Crash course %d-%d-%d" % (self.seed, worker, n),
                "language": rng.choice(["en", "de"]), "audiences": ["testers"],
                "lesson_count": rng.randint(1, 3), "user_id": "crash-%d" % worker}
        if kind in ("priced", "fail"):
            body["price"] = {"amount_cents": rng.choice([900, 4900, 12000]),
                             "currency": rng.choice(["EUR", "USD"])}
        if kind == "dry":
            body["dry_run"] = True
        key = "crash-%d-%d-%d-%s" % (self.seed, worker, n, uuid.UUID(int=rng.getrandbits(128)))
        correlation = "corr-" + key
        headers = {"Content-Type": "application/json", "Idempotency-Key": key,
                   "X-Correlation-ID": correlation}
        data = json.dumps(body).encode()
        # 409: the twin of this key is still being processed (an earlier try whose answer we lost).
        status, hdrs, answer = self.client.call("POST", "/v1/courses", data, headers,
                                                retry_status=(409, 502, 503, 504))
        if status != 202:
            self.fail("POST /v1/courses answered %d: %s" % (status, answer[:300]))
            return None
        course_id = json.loads(answer)["course_id"]
        with self.lock:
            self.created.append((key, correlation, course_id, "Idempotent-Replayed" in hdrs))
            self.intent[course_id] = kind
            if "price" in body:
                self.price[course_id] = (body["price"]["amount_cents"], body["price"]["currency"])
        return course_id, kind

    def stripe_event(self, course_id, payment_id, outcome, event_id=None):
        amount, currency = self.price[course_id]
        meta = {"course_id": course_id, "payment_id": payment_id}
        if outcome == "completed":
            ev_type = "checkout.session.completed"
            obj = {"id": "cs_" + uuid.uuid4().hex, "object": "checkout.session",
                   "amount_total": amount, "currency": currency.lower(),
                   "payment_intent": "pi_" + uuid.uuid4().hex, "payment_status": "paid",
                   "metadata": meta}
        else:
            ev_type = "payment_intent.payment_failed"
            obj = {"id": "pi_" + uuid.uuid4().hex, "object": "payment_intent", "amount": amount,
                   "currency": currency.lower(),
                   "last_payment_error": {"code": "card_declined", "message": "declined"},
                   "metadata": meta}
        return json.dumps({"id": event_id or "evt_" + uuid.uuid4().hex, "object": "event",
                           "type": ev_type, "created": int(time.time()), "livemode": False,
                           "data": {"object": obj}}).encode()

    def send_webhook(self, course_id, body, outcome):
        """POSTs a signed webhook (signed anew on every try); records a 2xx answer."""
        end = now_s() + 120
        while True:
            headers = {"Content-Type": "application/json",
                       "Stripe-Signature": sign(self.secret, body)}
            status, _, answer = self.client.call("POST", "/v1/payments/webhook", body, headers,
                                                 deadline_s=max(1, end - now_s()))
            if 200 <= status < 300:
                a = json.loads(answer)
                with self.lock:
                    self.webhooks.append((json.loads(body)["id"], course_id, outcome,
                                          a.get("result"), a.get("detail")))
                return a
            self.fail("webhook for %s answered %d: %s" % (course_id, status, answer[:300]))
            return None

    def pay(self, rng, course_id, payment_id, outcome):
        body = self.stripe_event(course_id, payment_id, outcome)
        self.send_webhook(course_id, body, outcome)
        if rng.random() < 0.3:  # Stripe delivers the same event again
            time.sleep(rng.uniform(0, 0.5))
            self.send_webhook(course_id, body, outcome)
        if outcome == "completed" and rng.random() < 0.1:  # a second, distinct event
            self.send_webhook(course_id, self.stripe_event(course_id, payment_id, outcome),
                              outcome)

    def await_payable(self, course_id):
        end = now_s() + LIFECYCLE_WAIT_S
        while now_s() < end:
            c = self.client.get_json("/v1/courses/" + course_id)
            if c["status"] == "awaiting_payment":
                return c
            if c["status"] in TERMINAL:
                return None
            time.sleep(0.2)
        return None  # the settle phase pays it

    def drive(self, worker):
        rng = random.Random("%d-%d" % (self.seed, worker))
        n = 0
        while True:
            with self.lock:
                if not self.quota:
                    return
                self.quota.pop()
            n += 1
            try:
                made = self.create_course(rng, worker, n)
                if made and made[1] in ("priced", "fail"):
                    c = self.await_payable(made[0])
                    if c:
                        self.pay(rng, made[0], c.get("payment_id", ""),
                                 "completed" if made[1] == "priced" else "failed")
            except TestFailure as e:
                self.fail("client %d: %s" % (worker, e))
            time.sleep(rng.uniform(0, PAUSE_S))

    def killer(self):
        kills = 0
        while kills < MAX_KILLS and not (self.drivers_done.is_set() and kills >= MIN_KILLS):
            time.sleep(self.rng.uniform(*KILL_EVERY_S))
            self.service.kill()
            kills += 1
            print("crash: SIGKILL %d at %.1f s" % (kills, now_s() - self.t0), flush=True)
            self.service.start()

    # -- settling --------------------------------------------------------------------------

    def all_courses(self):
        out, after = [], ""
        while True:
            page = self.client.get_json("/v1/courses?limit=500" + ("&after=" + after
                                                                   if after else ""))
            out += page["items"]
            if not page.get("next_after"):
                return out
            after = page["next_after"]

    def settle(self):
        """Waits until every course is terminal, paying courses that still await payment."""
        end = now_s() + SETTLE_S
        paid_at = {}
        rng = random.Random(self.seed + 2)
        while True:
            courses = self.all_courses()
            waiting = [c for c in courses if not is_terminal(c)]
            if not waiting:
                return courses
            if now_s() > end:
                raise TestFailure("%d courses not terminal after %d s: %s" % (
                    len(waiting), SETTLE_S,
                    ", ".join("%s %s" % (c["course_id"], c["status"]) for c in waiting[:20])))
            for c in waiting:
                cid = c["course_id"]
                if c["status"] != "awaiting_payment" or now_s() - paid_at.get(cid, -99) < 5:
                    continue
                paid_at[cid] = now_s()
                with self.lock:
                    if cid not in self.price:  # created by a POST whose answer was lost
                        p = c.get("price") or {}
                        self.price[cid] = (p.get("amount_cents"), p.get("currency"))
                outcome = "failed" if self.intent.get(cid) == "fail" else "completed"
                self.pay(rng, cid, c.get("payment_id", ""), outcome)
            time.sleep(0.5)

    def sigterm(self):
        """SIGTERM; the problems if the service does not exit 0 within 30 s."""
        self.service.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.service.proc.wait(timeout=30)
            return ["exit code %d after SIGTERM" % rc] if rc != 0 else []
        except subprocess.TimeoutExpired:
            self.service.proc.kill()
            return ["the service did not stop within 30 s of SIGTERM"]

    def stop_under_load(self):
        """Graceful shutdown: SIGTERM while 16 clients post courses. The service must exit 0,
        answer every request it took with its real answer (202 or a 4xx/503 problem, never a
        500), and every course it answered 202 must be in the log after a restart."""
        port, stop, lock = self.service.current_port(), threading.Event(), threading.Lock()
        accepted, wrong = [], []

        def post(i):
            n = 0
            while not stop.is_set():
                n += 1
                body = json.dumps({"title": "Shutdown %d-%d" % (i, n), "language": "en",
                                   "audiences": ["Ops"], "lesson_count": 1,
                                   "user_id": "sigterm", "dry_run": True})
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    conn.request("POST", "/v1/courses", body=body,
                                 headers={"Content-Type": "application/json"})
                    res = conn.getresponse()
                    data = res.read()
                    with lock:
                        if res.status == 202:
                            accepted.append(json.loads(data)["course_id"])
                        elif res.status >= 500 and res.status != 503:
                            wrong.append("HTTP %d %s" % (res.status, data[:200]))
                except (OSError, http.client.HTTPException):
                    return  # refused or reset: a request the service never took
                finally:
                    conn.close()

        clients = [threading.Thread(target=post, args=(i,)) for i in range(16)]
        for t in clients:
            t.start()
        time.sleep(0.5)
        problems = self.sigterm()
        stop.set()
        for t in clients:
            t.join()
        problems += wrong
        self.service.start()
        missing = [cid for cid in accepted
                   if self.client.call("GET", "/v1/courses/" + cid)[0] != 200]
        if missing:
            problems.append("%d of %d courses answered 202 before SIGTERM are not in the log: %s"
                            % (len(missing), len(accepted), ", ".join(missing[:10])))
        print("crash: SIGTERM under load: %d courses accepted, all in the log after restart"
              % len(accepted) if not missing else "", flush=True)
        return problems + self.sigterm()

    def read_log(self):
        events, after = [], 0
        while True:
            page = self.client.get_json("/v1/events?limit=1000&after=%d" % after)
            events += page["events"]
            if page.get("next_after") is None:
                return events
            after = page["next_after"]

    # -- the run ---------------------------------------------------------------------------

    def run(self):
        self.t0 = now_s()
        self.service.start()
        with open(self.work + "/secret") as f:
            self.secret = f.read().strip()
        self.receiver.secret = self.secret
        drivers = [threading.Thread(target=self.drive, args=(i,)) for i in range(THREADS)]
        killer = threading.Thread(target=self.killer)
        for t in drivers + [killer]:
            t.start()
        for t in drivers:
            t.join()
        self.drivers_done.set()
        print("crash: clients done at %.1f s: %d courses, %d webhooks answered 2xx"
              % (now_s() - self.t0, len(self.created), len(self.webhooks)), flush=True)
        killer.join()
        courses = self.settle()
        print("crash: all %d courses terminal at %.1f s" % (len(courses), now_s() - self.t0),
              flush=True)
        events = self.read_log()
        problems = list(self.failures) + check(self, courses, events)
        problems += self.stop_under_load()
        v = subprocess.run([self.service.binary, "verify", "--db", self.work + "/events.db"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if v.returncode != 0:
            problems.append("verify exited %d: %s" % (v.returncode, v.stdout.strip()))
        else:
            print("crash: " + v.stdout.strip())
        return problems, courses, events


def is_terminal(c):
    return c["status"] in TERMINAL or (c.get("dry_run") and c["status"] == "generated")


def effect_key(e):
    """What makes an event one effect: a second event with the same key happened twice."""
    d, t = e["data"], e["type"]
    if t in ("course.generation.started", "course.generation.completed",
             "course.generation.failed", "course.distribution.requested"):
        return (e["subject"], t, d.get("attempt"))
    if t == "course.distribution.failed":  # one per channel and try of an attempt
        return (e["subject"], t, d.get("attempt"), d.get("channel"), d.get("retry_count"))
    if t.startswith("course.payment."):
        return (e["subject"], t, d.get("payment_id"))
    return (e["subject"], t)  # distribution.completed: once per course


def show(events):
    return "\n".join("    " + json.dumps({k: e.get(k) for k in (
        "seq", "type", "subject", "subjectversion", "causationid", "correlationid", "data")})[:400]
        for e in events)


def check(crash, courses, events):
    problems = []
    by_course = defaultdict(list)
    for e in events:
        by_course[e["subject"]].append(e)
    listed = {c["course_id"]: c for c in courses}

    # Every 2xx-answered course is in the log; an Idempotency-Key names one course only.
    courses_of_key = defaultdict(set)
    for key, correlation, cid, _ in crash.created:
        courses_of_key[key].add(cid)
        if not any(e["type"] == "course.generation.started" for e in by_course.get(cid, [])):
            problems.append("course %s was answered 202 but is not in the log" % cid)
    for key, ids in courses_of_key.items():
        if len(ids) > 1:
            problems.append("Idempotency-Key %s answered with courses %s" % (key, sorted(ids)))
    firsts = defaultdict(list)
    for e in events:
        if e["type"] == "course.generation.started" and e["data"].get("attempt") == 1:
            firsts[e["correlationid"]].append(e)
    for corr, es in firsts.items():
        if corr.startswith("corr-crash-") and len(es) > 1:
            problems.append("one request (correlation %s) created %d courses:\n%s"
                            % (corr, len(es), show(es)))

    # Every course of the log is listed and terminal.
    for cid in by_course:
        if cid not in listed:
            problems.append("course %s is in the log but not in GET /v1/courses" % cid)
    for cid, c in listed.items():
        if not is_terminal(c):
            problems.append("course %s is %s, not terminal:\n%s"
                            % (cid, c["status"], show(by_course.get(cid, []))))

    # No effect twice; subject versions 1, 2, 3...; priced courses distributed only when paid.
    for cid, es in by_course.items():
        seen = defaultdict(list)
        for e in es:
            seen[effect_key(e)].append(e)
        for key, dup in seen.items():
            if len(dup) > 1:
                problems.append("effect %s happened %d times:\n%s" % (key, len(dup), show(dup)))
        versions = [e["subjectversion"] for e in es]
        if versions != list(range(1, len(es) + 1)):
            problems.append("course %s has subject versions %s" % (cid, versions))
        for t in ("course.generation.completed", "course.payment.required",
                  "course.payment.completed"):  # across attempts and payment ids
            n = sum(1 for e in es if e["type"] == t)
            if n > 1:
                problems.append("course %s has %d %s:\n%s" % (cid, n, t, show(es)))
        # No user retries here: the retry budget is all a course gets, restarts or not.
        tries = defaultdict(list)
        for e in es:
            if e["type"] == "course.generation.started":
                tries["generation"].append(e)
            elif e["type"] == "course.distribution.failed":
                tries[(e["data"].get("attempt"), e["data"].get("channel"))].append(e)
        for what, tried in tries.items():
            if len(tried) > MAX_ATTEMPTS:
                problems.append("course %s: %s tried %d times, more than %d attempts:\n%s"
                                % (cid, what, len(tried), MAX_ATTEMPTS, show(tried)))
        params = es[0]["data"].get("parameters", {}) if es else {}
        priced = (params.get("price") or {}).get("amount_cents", 0) > 0 and not params.get(
            "dry_run")
        paid = False
        for e in es:
            paid = paid or e["type"] == "course.payment.completed"
            if e["type"] == "course.distribution.requested" and priced and not paid:
                problems.append("priced course %s distributed before payment:\n%s"
                                % (cid, show(es)))
                break

    # Every 2xx-answered webhook had its effect.
    for event_id, cid, outcome, result, detail in crash.webhooks:
        es = by_course.get(cid, [])
        want = "course.payment." + outcome
        if result in ("recorded", "duplicate"):
            if not any(e["type"] == want and e.get("causationid") == event_id for e in es):
                problems.append("webhook %s for %s answered %s but no %s caused by it:\n%s"
                                % (event_id, cid, result, want, show(es)))
        elif result == "ignored":
            if not any(e["type"] in ("course.payment.completed", "course.payment.failed")
                       for e in es):
                problems.append("webhook %s for %s ignored (%s), yet the course was never "
                                "settled:\n%s" % (event_id, cid, detail, show(es)))
        else:
            problems.append("webhook %s for %s: unexpected result %s (%s)"
                            % (event_id, cid, result, detail))

    problems += check_receiver(crash, by_course)
    return problems


def check_receiver(crash, by_course):
    problems = []
    with crash.receiver.lock:
        deliveries = list(crash.receiver.deliveries)
    acked = defaultdict(list)  # (course, attempt) -> acknowledged deliveries
    for d in deliveries:
        if not d["sig_ok"]:
            problems.append("delivery %s for %s carries a bad signature" % (d["key"],
                                                                            d["course_id"]))
        if d["key"] != d["distribution_id"]:
            problems.append("delivery for %s: Idempotency-Key %s but distribution_id %s"
                            % (d["course_id"], d["key"], d["distribution_id"]))
        if 200 <= d["status"] < 300:
            acked[(d["course_id"], d["attempt"])].append(d)
    for (cid, attempt), ds in acked.items():
        es = by_course.get(cid, [])
        requested = {e["id"] for e in es if e["type"] == "course.distribution.requested"
                     and e["data"].get("attempt") == attempt}
        keys = {d["key"] for d in ds}
        if len(keys) > 1:
            problems.append("course %s attempt %s delivered under %d Idempotency-Keys %s:\n%s"
                            % (cid, attempt, len(keys), sorted(keys), show(es)))
        if not keys <= requested:
            problems.append("course %s: delivered keys %s are not its distribution.requested "
                            "ids %s" % (cid, sorted(keys), sorted(requested)))
        if len({d["body_hash"] for d in ds}) > 1:
            problems.append("course %s: deliveries under one key differ in body" % cid)
        # Delivered again after an acknowledgement: only a crash in between excuses that.
        for first, again in zip(ds, ds[1:]):
            if not any(first["at"] - 0.5 <= k <= again["at"] for k in crash.service.kill_times):
                problems.append("course %s: key %s acknowledged at %.2f s and delivered again at "
                                "%.2f s without a crash in between"
                                % (cid, again["key"], first["at"] - crash.t0,
                                   again["at"] - crash.t0))
    for cid, es in by_course.items():
        if any(e["type"] == "course.distribution.completed" for e in es):
            attempt = [e for e in es if e["type"] == "course.distribution.requested"][-1]
            if not acked.get((cid, attempt["data"].get("attempt"))):
                problems.append("course %s published, but the receiver acknowledged no "
                                "delivery:\n%s" % (cid, show(es)))
    redelivered = sum(len(ds) - 1 for ds in acked.values())
    print("crash: receiver saw %d deliveries, %d acknowledged, %d redelivered after a crash"
          % (len(deliveries), sum(len(ds) for ds in acked.values()), redelivered))
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    seed = int(os.environ.get("CRASH_SEED", "4"))
    print("crash: seed %d (set CRASH_SEED to repeat)" % seed, flush=True)
    crash = Crash(os.path.abspath(sys.argv[1]), seed)
    ok = False
    try:
        problems, courses, events = crash.run()
        kills = len(crash.service.kill_times)
        if kills < MIN_KILLS:
            problems.append("only %d kills" % kills)
        statuses = defaultdict(int)
        for c in courses:
            statuses[c["status"]] += 1
        print("crash: %d kills, %d events, %d courses %s, %.1f s"
              % (kills, len(events), len(courses), dict(statuses), now_s() - crash.t0))
        for p in problems:
            print("crash: FAIL: " + p)
        ok = not problems
    except TestFailure as e:
        print("crash: FAIL: %s" % e)
    finally:
        if crash.service.proc and crash.service.proc.poll() is None:
            crash.service.proc.kill()
        crash.receiver.server.shutdown()
    if not ok:
        print("--- service output (tail):\n" + crash.service.tail())
        print("crash: seed %d; files kept in %s" % (seed, crash.work))
        return 1
    shutil.rmtree(crash.work, ignore_errors=True)
    print("crash: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
