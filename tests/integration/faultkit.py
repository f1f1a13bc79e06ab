"""The real binary for the fault tests (storage_faults_test.py, log_lock_test.py): one
`coursefactory serve` on a scratch folder and a free port, optionally with extra environment
(the failing disk of fault_preload.cpp); plain HTTP calls that return 503s instead of raising.
Python 3 standard library only."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from netutil import free_port

PATIENCE_S = 30  # how long to wait for what must happen: only a hang takes that long


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def run_command(binary, *args, timeout=PATIENCE_S * 4):
    """Runs `binary args...`; returns (exit code, stdout, stderr)."""
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class Service:
    def __init__(self, binary, work, env=None):
        self.binary, self.work, self.env = binary, work, env
        self.proc, self.port, self.out_path = None, None, None
        self.starts = 0

    @property
    def db(self):
        return os.path.join(self.work, "events.db")

    def args(self, port):
        return [self.binary, "serve", "--port", str(port), "--db", self.db,
                "--site-dir", os.path.join(self.work, "site"),
                "--stripe-webhook-secret-file", os.path.join(self.work, "secret")]

    def launch(self, port=None):
        """Starts the process without waiting for it (for a start that must fail)."""
        self.starts += 1
        self.port = port or free_port()
        self.out_path = os.path.join(self.work, "out.%d" % self.starts)
        env = dict(os.environ, **(self.env or {}))
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(self.args(self.port), stdout=out,
                                         stderr=subprocess.STDOUT, env=env)
        return self

    def start(self):
        """Starts it and waits until /v1/health answers."""
        self.launch()
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            check(self.proc.poll() is None,
                  "the service exited with %s at start: %s" % (self.proc.returncode, self.output()))
            try:
                self.request("GET", "/v1/health", auth=False, timeout=1)
                return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise TestFailure("the service did not come up on port %d" % self.port)

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def token(self):
        with open(os.path.join(self.work, "admin-token")) as f:
            return f.read().strip()

    def request(self, method, path, body=None, auth=True, timeout=PATIENCE_S):
        """(status, headers as a dict of lower-case names, body bytes); raises OSError when the
        connection fails."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            if auth:
                headers["Authorization"] = "Bearer " + self.token()
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def post_course(self, title):
        body = json.dumps({"title": title, "language": "en", "audiences": ["Ops"],
                           "lesson_count": 1, "user_id": "faults"})
        status, headers, data = self.request("POST", "/v1/courses", body)
        doc = json.loads(data) if data else {}
        return status, headers, doc

    def health(self):
        status, _, data = self.request("GET", "/v1/health", auth=False)
        return status, json.loads(data)

    def metrics(self):
        """{name with labels: value} of GET /metrics."""
        status, _, data = self.request("GET", "/metrics")
        check(status == 200, "GET /metrics answered %d" % status)
        out = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def wait_exit(self, timeout=PATIENCE_S):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure("the service did not exit within %d s" % timeout)

    def stop(self, timeout=PATIENCE_S):
        """SIGTERM; the exit code. After a burst of work the service takes a while to stop:
        the actor system waits for every course actor still running (seen: 16-20 s after
        1,500 courses in 10 s, on main too)."""
        self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Disk:
    """The failures tests/integration/fault_preload.cpp injects into a service started with
    `Disk.env()`: a file per failure in a folder it watches."""

    def __init__(self, preload, work):
        self.preload, self.dir = preload, os.path.join(work, "faults")
        os.makedirs(self.dir, exist_ok=True)

    def env(self):
        return {"LD_PRELOAD": self.preload, "CF_FAULT_DIR": self.dir}

    def fail(self, what):
        """what: "sync" (fsync/fdatasync fail with EIO) or "pwrite" (ENOSPC)."""
        open(os.path.join(self.dir, what), "w").close()

    def heal(self, what):
        os.remove(os.path.join(self.dir, what))


TERMINAL = {"published", "generation_failed", "payment_failed", "distribution_failed"}


def settle(svc, course_ids):
    """Waits until each course is in a final state and every consumer has caught up: the service
    writes nothing more of its own accord (until its 30 s sweep)."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        states = [json.loads(svc.request("GET", "/v1/courses/" + c)[2]).get("status")
                  for c in course_ids]
        lag = [v for k, v in svc.metrics().items()
               if k.startswith("coursefactory_subscriber_lag_events{") and v > 0]
        if all(s in TERMINAL for s in states) and not lag:
            return
        check(time.monotonic() < deadline, "not settled: courses %s, lag %s" % (states, lag))
        time.sleep(0.1)


def all_there(svc, course_ids):
    """Fails unless GET /v1/courses/{id} answers 200 for each of `course_ids`."""
    for cid in course_ids:
        status, _, _ = svc.request("GET", "/v1/courses/" + cid)
        check(status == 200, "acknowledged course %s answered %d after the restart" % (cid, status))


def verify(binary, db):
    rc, out, err = run_command(binary, "verify", "--db", db)
    check(rc == 0 and out.startswith("ok:"), "verify: exit %d: %s %s" % (rc, out, err))
    return out


def run_scenarios(test, scenarios, *args):
    """Runs each scenario(*args, scratch folder) in a new scratch folder, removed when it passed,
    kept (and named) when it failed; exits 1 at the first failure."""
    started = time.monotonic()
    for scenario in scenarios:
        work = tempfile.mkdtemp(prefix="cf-%s-" % test)
        try:
            scenario(*args, work)
        except TestFailure as e:
            print("%s: FAIL: %s" % (test, e))
            print("(scratch folder kept: %s)" % work)
            sys.exit(1)
        shutil.rmtree(work, ignore_errors=True)
    print("%s: ok in %.1f s" % (test, time.monotonic() - started))
