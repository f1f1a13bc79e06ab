#!/usr/bin/env python3
"""Slow and idle clients against the real binary (issue 13).

1. Slowloris: 150 connections from 127.0.0.2 each send one header byte a second (and reconnect
   once a second when the service closes them). Meanwhile GET /v1/health from 127.0.0.3, on a
   fresh connection each time, must be answered 200 in under 2 s, every time. The attack must be
   real: the service answers extra connections 503 (connections per client) and dripping headers
   408 once their deadline passed. Then SIGTERM, the drippers still open: the process exits with
   status 0 within 5 s.
2. Threads run short: 4 HTTP threads, no per-client cap, 4 drippers take them all. A probe from
   another address is still answered in under 2 s (slow headers are shed once every thread is
   taken), and idle keep-alive connections are shed too.
3. Header edges: two pipelined requests get two answers; a header whose lines end in a bare LF
   (httplib skips those lines, so it has not ended) gets 408 at the deadline; 64 KiB without its end: 431.

All on 127.0.0.1 with the clients' sockets bound to other loopback addresses (Linux routes all of
127.0.0.0/8 to lo). The service runs with its defaults except where said.

usage: slow_clients_test.py BINARY [--measure]   (--measure: print figures, assert nothing)
"""
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from netutil import free_port

PATIENCE_S = 20    # start-up; only a hang takes that long
ANSWER_S = 2.0     # the promise under attack
STOP_S = 5.0       # SIGTERM to exit
PROBE_TIMEOUT_S = 6.0
ATTACKER, VICTIM, IDLER = "127.0.0.2", "127.0.0.3", "127.0.0.4"
DRIP = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000


def fail(msg):
    raise SystemExit("slow_clients: FAIL: " + msg)


def start(binary, work, port, *flags):
    out = open(os.path.join(work, "out-%d" % port), "ab")
    proc = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--db", work + "/events-%d.db" % port,
         "--site-dir", work + "/site", "--stripe-webhook-secret-file", work + "/secret",
         *flags], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("the service exited with %d at start" % proc.returncode)
        try:
            probe(port, timeout=1)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    fail("the service did not come up on port %d" % port)


def probe(port, timeout=PROBE_TIMEOUT_S, source=VICTIM):
    """GET /v1/health on a fresh connection from `source`: (status, seconds)."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("GET", "/v1/health")
        res = conn.getresponse()
        res.read()
        return res.status, time.monotonic() - t0
    finally:
        conn.close()


class Drippers:
    """`n` connections from `source` that send DRIP one byte a second, from one thread. A
    connection the service closes is opened again at the next tick; what the service answered
    before closing is counted by status."""

    def __init__(self, port, n, source):
        self.port, self.n, self.source = port, n, source
        self.socks = [None] * n
        self.sent = [0] * n
        self.answers = {}   # status line -> count
        self.opened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self, i):
        s = socket.socket()
        s.setblocking(True)
        s.settimeout(2)
        try:
            s.bind((self.source, 0))
            s.connect(("127.0.0.1", self.port))
        except OSError:
            s.close()
            return
        s.setblocking(False)
        self.socks[i], self.sent[i] = s, 0
        self.opened += 1

    def closed_by_service(self, i):
        s = self.socks[i]
        try:
            data = s.recv(4096)
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        if data:
            status = data.split(b"\r\n", 1)[0].decode(errors="replace")
            self.answers[status] = self.answers.get(status, 0) + 1
        s.close()
        self.socks[i] = None
        return True

    def run(self):
        while not self.stop.is_set():
            for i in range(self.n):
                if self.socks[i] is not None and self.closed_by_service(i):
                    continue  # opened again at the next tick
                if self.socks[i] is None:
                    self.connect(i)
                    continue
                try:
                    self.socks[i].send(DRIP[self.sent[i]:self.sent[i] + 1])
                    self.sent[i] = min(self.sent[i] + 1, len(DRIP) - 1)
                except OSError:
                    self.socks[i].close()
                    self.socks[i] = None
            self.stop.wait(1.0)

    def open_now(self):
        return sum(1 for s in self.socks if s is not None)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        for s in self.socks:
            if s is not None:
                s.close()

    def count(self, code):
        return sum(n for status, n in self.answers.items() if (" %d " % code) in status + " ")


def timed_probes(port, n, spacing_s):
    times, statuses = [], []
    for _ in range(n):
        try:
            status, seconds = probe(port)
        except OSError:
            status, seconds = 0, PROBE_TIMEOUT_S
        statuses.append(status)
        times.append(seconds)
        time.sleep(spacing_s)
    return statuses, times


def sigterm_seconds(proc):
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=STOP_S + 10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None, time.monotonic() - t0
    return rc, time.monotonic() - t0


def slowloris(binary, work, measure):
    port = free_port()
    proc = start(binary, work, port)
    drip = Drippers(port, 150, ATTACKER)
    try:
        drip.thread.start()
        time.sleep(1.5)  # every dripper has connected and sent a byte
        # 12 probes over ~13 s: across the 10 s header deadline, when the admitted drippers are
        # closed with 408 and connect again.
        statuses, times = timed_probes(port, 12, 1.0)
        held = drip.open_now()
        rc, stop_s = sigterm_seconds(proc)
    finally:
        drip.close()
        if proc.poll() is None:
            proc.kill()
    print("slowloris: probes median %.3f s, max %.3f s, statuses %s; drippers open %d, "
          "connections opened %d, answers %s; SIGTERM to exit %.2f s, status %s"
          % (statistics.median(times), max(times), sorted(set(statuses)), held, drip.opened,
             drip.answers, stop_s, rc))
    if measure:
        return
    if any(s != 200 for s in statuses):
        fail("a probe was not answered 200 under attack: %s" % statuses)
    if max(times) >= ANSWER_S:
        fail("a probe took %.3f s under attack (times %s)" % (max(times), times))
    if drip.count(503) == 0:
        fail("no dripper was refused with 503: the per-client cap did not act (%s)" % drip.answers)
    if drip.count(408) == 0:
        fail("no dripper got 408: the header deadline did not act (%s)" % drip.answers)
    if held == 0:
        fail("no dripping connection was open at the end: the attack was not real")
    if rc != 0:
        fail("exit status %s after SIGTERM (after %.2f s)" % (rc, stop_s))
    if stop_s >= STOP_S:
        fail("SIGTERM took %.2f s to end the service with drippers open" % stop_s)


def threads_short(binary, work, measure):
    port = free_port()
    proc = start(binary, work, port, "--http-threads", "4",
                 "--http-max-connections-per-client", "0")
    drip = Drippers(port, 4, ATTACKER)
    idle = []
    try:
        drip.thread.start()
        time.sleep(0.5)
        statuses, times = timed_probes(port, 4, 0.5)
        # Idle keep-alive connections from a third address: each answered once, then kept open.
        for _ in range(4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT_S,
                                              source_address=(IDLER, 0))
            conn.request("GET", "/v1/health")
            conn.getresponse().read()
            idle.append(conn)
        more_statuses, more_times = timed_probes(port, 4, 0.5)
        statuses += more_statuses
        times += more_times
    finally:
        drip.close()
        for c in idle:
            c.close()
        rc, stop_s = sigterm_seconds(proc)
    print("threads short: probes median %.3f s, max %.3f s, statuses %s; dripper answers %s; "
          "SIGTERM to exit %.2f s, status %s"
          % (statistics.median(times), max(times), sorted(set(statuses)), drip.answers, stop_s,
             rc))
    if measure:
        return
    if any(s != 200 for s in statuses) or max(times) >= ANSWER_S:
        fail("with every thread taken, probes got %s in %s s" % (statuses, times))
    if drip.count(408) == 0:
        fail("no slow header was shed (408) while threads ran short (%s)" % drip.answers)
    if rc != 0 or stop_s >= STOP_S:
        fail("exit status %s after %.2f s on SIGTERM" % (rc, stop_s))


def read_all(sock):
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


def header_edges(binary, work, measure):
    """Where a header ends is decided before httplib parses it: both must agree."""
    port = free_port()
    proc = start(binary, work, port, "--http-header-timeout-ms", "1000")
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S)
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        pipelined = read_all(s).count(b"HTTP/1.1 200 ")
        s.close()
        # Lines ending in a bare LF: httplib skips them, so this header has not ended.
        s = socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S)
        t0 = time.monotonic()
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\n\n")
        lf_only, lf_s = read_all(s), time.monotonic() - t0
        s.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S)
        # Exactly the 64 KiB the service reads before it answers, so that nothing is left unread
        # (a close with unread bytes would reset the connection, and the answer could be lost).
        start_line = b"GET /v1/health HTTP/1.1\r\nX-Big: "
        s.sendall(start_line + b"a" * (65536 - len(start_line)))
        too_big = read_all(s)
        s.close()
    finally:
        rc, _ = sigterm_seconds(proc)
    print("header edges: %d pipelined answers; LF-only header: %r after %.2f s; 64 KiB header: %r"
          % (pipelined, lf_only[:30], lf_s, too_big[:30]))
    if measure:
        return
    if pipelined != 2:
        fail("two pipelined requests got %d answers" % pipelined)
    if not lf_only.startswith(b"HTTP/1.1 408 ") or lf_s >= 4:
        fail("a header of bare-LF lines: %r after %.2f s, expected 408 at ~1 s" % (lf_only, lf_s))
    if not too_big.startswith(b"HTTP/1.1 431 "):
        fail("a 64 KiB header was answered %r, expected 431" % too_big[:40])
    if rc != 0:
        fail("exit status %s after SIGTERM" % rc)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary, measure = sys.argv[1], "--measure" in sys.argv[2:]
    for addr in (ATTACKER, VICTIM, IDLER):
        try:
            s = socket.socket()
            s.bind((addr, 0))
            s.close()
        except OSError as e:
            fail("cannot bind a client socket to %s (Linux loopback needed): %s" % (addr, e))
    work = tempfile.mkdtemp(prefix="cf_slow_")
    try:
        slowloris(binary, work, measure)
        threads_short(binary, work, measure)
        header_edges(binary, work, measure)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("slow_clients: OK" if not measure else "slow_clients: measured")


if __name__ == "__main__":
    main()
