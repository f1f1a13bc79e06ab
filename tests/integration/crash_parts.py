"""The crash test's parts (tests/integration/crash_test.py): its settings, the flaky external
generator, the service it kills and restarts, the HTTP client that rides over restarts and the
webhook receiver. Python 3 standard library only."""
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
        self.kill_walls = []  # (wall clock just before SIGKILL, once the process was gone)
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
        before = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with self.lock:
            self.kill_walls.append((before, time.time()))

    def current_port(self):
        with self.lock:
            return self.port

    def auth(self):
        """The Authorization header with the admin token the service's first start wrote."""
        with open(self.work + "/admin-token") as f:
            return {"Authorization": "Bearer " + f.read().strip()}

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
                conn.request(method, path, body=body,
                             headers={**self.service.auth(), **(headers or {})})
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
