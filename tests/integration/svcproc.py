"""The real binary as a child process for the fault tests (clocks_test.py, slow_parties_test.py):
start on port 0 in a scratch folder (optionally under libfaketime), read its port from stdout,
call it with the admin token, wait for course states, stop with SIGTERM."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PATIENCE_S = 30  # how long to wait for what must happen: only a hang takes that long
SECRET = "whsec_fault_tests"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"  # Debian's libfaketime


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def faketime_env(rc_file):
    """The environment that runs a program on the wall clock in `rc_file` (libfaketime's
    FAKETIME_TIMESTAMP_FILE: an offset such as "-3d", read again at every clock call, so that
    writing the file makes the clock jump while the program runs). The monotonic clock stays
    real, as with a real clock step (NTP, date -s). Not for a program on jemalloc: libfaketime
    cannot start there (wolfcw/libfaketime#130)."""
    check(os.path.exists(FAKETIME_LIB), FAKETIME_LIB + " is missing (apt-get install faketime; "
          "scripts/setup.sh installs it)")
    env = dict(os.environ)
    env.update({"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": rc_file,
                "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    env.pop("FAKETIME", None)  # it would win over the file
    return env


class Service:
    def __init__(self, binary, work, args=(), env=None):
        self.binary, self.work, self.args, self.env = binary, work, list(args), env
        self.var = os.path.join(work, "var")
        self.db = os.path.join(self.var, "events.db")
        self.out = os.path.join(work, "service.log")
        self.proc, self.port, self.token = None, None, None

    def start(self):
        skip = os.path.getsize(self.out) if os.path.exists(self.out) else 0  # earlier runs
        with open(self.out, "ab") as out:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--port", "0", "--db", self.db,
                 "--site-dir", os.path.join(self.var, "site"),
                 "--stripe-webhook-secret-file", os.path.join(self.var, "secret"),
                 "--stripe-webhook-secret", SECRET] + self.args,
                stdout=out, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            with open(self.out, "rb") as f:
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read()[skip:])
            if m:
                self.port = int(m.group(1))
                with open(os.path.join(self.var, "admin-token")) as f:
                    self.token = f.read().strip()
                return
            check(self.proc.poll() is None, "the service exited early: " + self.log()[-2000:])
            time.sleep(0.05)
        raise Failure("the service did not report its port")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        check(self.proc.wait(timeout=PATIENCE_S) == 0, "exit code after SIGTERM not 0")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self):
        with open(self.out, errors="replace") as f:
            return f.read()

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def call(self, method, path, body=None):
        """(status, parsed JSON body) of one request with the admin token."""
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.url() + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=PATIENCE_S) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def create(self, title, cents=0):
        body = {"title": title, "language": "en", "audiences": ["operators"], "lesson_count": 1,
                "user_id": "u-fault"}
        if cents:
            body["price"] = {"amount_cents": cents, "currency": "EUR"}
        status, answer = self.call("POST", "/v1/courses", body)
        check(status == 202, "POST /v1/courses answered %d: %s" % (status, answer))
        return answer["course_id"]

    def await_status(self, course_id, statuses, patience=PATIENCE_S):
        """Polls the course until its status is one of `statuses`; returns the course."""
        deadline = time.monotonic() + patience
        course = None
        while time.monotonic() < deadline:
            status, course = self.call("GET", "/v1/courses/" + course_id)
            if status == 200 and course["status"] in statuses:
                return course
            time.sleep(0.1)
        raise Failure("course %s never reached %s; last: %s" % (course_id, statuses, course))

    def events(self, subject=None):
        """Every event (or `subject`'s), page by page, in the order the API gives them."""
        out, after = [], 0
        while True:
            path = ("/v1/courses/%s/events?after=%d&limit=1000" % (subject, after) if subject
                    else "/v1/events?after=%d&limit=1000" % after)
            status, page = self.call("GET", path)
            check(status == 200, "GET %s answered %d" % (path, status))
            out += page["events"]
            if not page["events"] or not page.get("next_after"):
                return out
            after = page["next_after"]


def main(name, run):
    """Runs `run(binary, work)` in a scratch folder with BINARY from argv; on a Failure prints the
    end of the service's log and exits non-zero with "<name>: FAIL: why"."""
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="cf_%s_" % name)
    try:
        run(binary, work)
    except Failure as e:
        log = os.path.join(work, "service.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                sys.stderr.write(f.read()[-4000:])
        raise SystemExit("%s: FAIL: %s" % (name, e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%s: ok" % name)
