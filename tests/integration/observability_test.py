#!/usr/bin/env python3
"""Observability against real clients: GET /metrics parsed by the official Prometheus client's
text parser (Debian's python3-prometheus-client), and GET /v1/events/stream read by a real
EventSource client (Debian's node-eventsource) that survives a restart of the service and
resumes with Last-Event-ID, missing nothing and repeating nothing.

usage: observability_test.py BINARY
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


HERE = os.path.dirname(os.path.abspath(__file__))
PATIENCE_S = 30  # how long to wait for what must happen: only a hang takes that long


def fail(msg):
    raise SystemExit("observability: FAIL: " + msg)


class Service:
    """The real binary on a port the kernel picks (--port 0): no free port is guessed, closed
    and bound again. Each start gets a new port."""

    def __init__(self, binary, work):
        self.binary, self.work, self.port, self.proc = binary, work, None, None

    def start(self):
        path = os.path.join(self.work, "out")
        skip = os.path.getsize(path) if os.path.exists(path) else 0
        out = open(path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", "0", "--db", self.work + "/events.db",
             "--site-dir", self.work + "/site", "--stripe-webhook-secret-file",
             self.work + "/secret"], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            with open(path, "rb") as f:
                f.seek(skip)
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                fail("the service exited at start (rc %d)" % self.proc.returncode)
            time.sleep(0.05)
        fail("the service did not report its port")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        if rc != 0:
            fail("exit code %d after SIGTERM" % rc)


class Relay:
    """A TCP relay on a port of its own (bound once, kept) to the service's current port: the
    EventSource client keeps one URL while the service restarts on another port. A connection
    made while the service is down is closed at once, as the service's refusal would be."""

    def __init__(self, service):
        self.service = service
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                down, _ = self.sock.accept()
            except OSError:
                return  # closed
            try:
                up = socket.create_connection(("127.0.0.1", self.service.port), timeout=5)
                up.settimeout(None)
            except (OSError, TypeError):
                down.close()
                continue
            for a, b in ((down, up), (up, down)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):  # one side ended: end both, so the client sees the stream close
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.sock.close()


def auth(work):
    """The Authorization header with the admin token the service's first start wrote."""
    with open(os.path.join(work, "admin-token")) as f:
        return {"Authorization": "Bearer " + f.read().strip()}


def post_course(port, title, work):
    body = json.dumps({"title": title, "language": "en", "audiences": ["Ops"],
                       "lesson_count": 1, "user_id": "obs"}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/v1/courses" % port, data=body,
                                 headers={"Content-Type": "application/json", **auth(work)})
    with urllib.request.urlopen(req, timeout=PATIENCE_S) as res:
        if res.status != 202:
            fail("POST /v1/courses answered %d" % res.status)
        return json.loads(res.read())["course_id"]


def read_lines(proc, n, deadline):
    lines = []
    while len(lines) < n:
        if time.monotonic() > deadline:
            fail("the EventSource client got %d of %d messages: %s" % (len(lines), n, lines))
        line = proc.stdout.readline()
        if not line:
            fail("the EventSource client ended after %s" % lines)
        lines.append(json.loads(line))
    return lines


def scrape(port, work):
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port, headers=auth(work))
    with urllib.request.urlopen(req, timeout=PATIENCE_S) as res:
        return res.headers["Content-Type"], res.read().decode()


def check_metrics(port, work):
    # Consumers store a checkpoint that needed no effect of its own a moment later (~200 ms):
    # scrape until they have caught up.
    deadline = time.monotonic() + PATIENCE_S
    while True:
        ctype, text = scrape(port, work)
        lagging = [line for line in text.splitlines()
                   if line.startswith("coursefactory_subscriber_lag_events{")
                   and not line.endswith(" 0")]
        if not lagging or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if not ctype.startswith("text/plain; version=0.0.4"):
        fail("/metrics content type " + ctype)
    families = {f.name: f for f in text_string_to_metric_families(text)}  # raises if malformed
    def samples(name):
        if name not in families:
            fail("no metric family %s in /metrics" % name)
        return families[name].samples
    def value(name, **labels):
        for s in samples(name):
            if all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
        fail("no sample %s%s" % (name, labels))
    if families["coursefactory_append_seconds"].type != "histogram":
        fail("append_seconds is not a histogram")
    # The parser strips _total from counter family names.
    if value("coursefactory_events_appended", type="course.distribution.completed") < 1:
        fail("no distribution.completed counted")
    if value("coursefactory_courses", status="published") != 2:
        fail("courses{status=published} is not 2")
    if value("coursefactory_http_requests", method="POST", route="/v1/courses",
             status="202") < 1:
        fail("no POST /v1/courses 202 counted")
    for consumer in ("payment", "course_factory", "distribution"):
        if value("coursefactory_subscriber_lag_events", consumer=consumer) != 0:
            fail("consumer %s lags" % consumer)
    buckets = [s for s in samples("coursefactory_commit_seconds") if s.name.endswith("_bucket")]
    counts = [s.value for s in buckets]
    if counts != sorted(counts) or buckets[-1].labels["le"] != "+Inf":
        fail("commit_seconds buckets are not cumulative")
    total = [s.value for s in samples("coursefactory_commit_seconds") if s.name.endswith("_count")]
    if total != [counts[-1]]:
        fail("commit_seconds_count %s != +Inf bucket %s" % (total, counts[-1]))
    return len(families)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    work = tempfile.mkdtemp(prefix="cf_obs_")
    svc = Service(os.path.abspath(sys.argv[1]), work)
    client, relay = None, None
    try:
        svc.start()
        relay = Relay(svc)
        env = dict(os.environ, NODE_PATH="/usr/share/nodejs")
        client = subprocess.Popen(
            ["node", os.path.join(HERE, "eventsource_client.js"),
             "http://127.0.0.1:%d/v1/events/stream?after=0" % relay.port, "8",
             auth(work)["Authorization"]],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        deadline = time.monotonic() + 60
        first = post_course(svc.port, "Observed before the restart", work)
        got = read_lines(client, 4, deadline)
        svc.stop()  # ends the stream; the client reconnects with Last-Event-ID: 4
        svc.start()  # on another port: the relay follows
        port = svc.port
        second = post_course(port, "Observed after the restart", work)
        got += read_lines(client, 4, deadline)
        if client.wait(timeout=PATIENCE_S) != 0:
            fail("the EventSource client did not finish")
        ids = [int(m["id"]) for m in got]
        if ids != list(range(1, 9)):
            fail("message ids %s, expected 1..8 once each" % ids)
        if [m["subject"] for m in got] != [first] * 4 + [second] * 4:
            fail("subjects out of order: %s" % got)
        n = check_metrics(port, work)
        svc.stop()
        print("observability: ok: EventSource resumed over a restart (ids 1..8), "
              "/metrics parsed by prometheus_client (%d families)" % n)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    except SystemExit as e:
        print(e)
        with open(os.path.join(work, "out")) as f:
            print("--- service output:\n" + f.read()[-3000:])
        return 1
    finally:
        if relay:
            relay.close()
        if client and client.poll() is None:
            client.kill()
        if svc.proc and svc.proc.poll() is None:
            svc.proc.kill()


if __name__ == "__main__":
    sys.exit(main())
