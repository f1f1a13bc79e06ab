#!/usr/bin/env python3
"""Slow outside parties against the real binary (issue 15): a course webhook receiver that
accepts and never answers, one that trickles its answer a byte at a time, a generator that floods
stderr without end, and one that writes half a course and never closes stdout. Each of those
misbehaves on its course's first attempt only. Proves, from the log (not from wall-clock margins):
- the deadline holds: the attempt fails as transient with the timeout named, and is retried;
- other courses keep moving: a course ordered while a bad party held its attempt is published
  before that attempt failed;
- memory stays bounded: the service's peak RSS (VmHWM, reset before) grows by less than 64 MB
  while the flood pushes far more than that through its stderr pipe;
- the flooding generator is killed and reaped (its pid is gone, not a zombie).

usage: slow_parties_test.py BINARY
"""
import http.server
import json
import os
import threading
import time

import svcproc
from svcproc import PATIENCE_S, Failure, Service, check
from netutil import free_port

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATION_TIMEOUT_MS = 4000
WEBHOOK_TIMEOUT_MS = 3000

# The generator: misbehaves on the first attempt of "Flood ..." and "Stuck ..." courses, answers
# a valid course (bench/slow_generator.py's) otherwise. argv: BENCH_DIR WORK_DIR.
GENERATOR = r'''
import json, os, sys, time
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[1])
from slow_generator import content
work = sys.argv[2]
req = json.load(sys.stdin)
kind = req["title"].split()[0]
marker = os.path.join(work, kind + ".tried")
if kind in ("Flood", "Stuck") and not os.path.exists(marker):
    open(marker, "w").close()
    with open(os.path.join(work, kind + ".pid.tmp"), "w") as f:
        f.write(str(os.getpid()))
    os.rename(os.path.join(work, kind + ".pid.tmp"), os.path.join(work, kind + ".pid"))
    if kind == "Flood":
        chunk, sent = b"e" * (1 << 20), 0
        while True:
            os.write(2, chunk)
            sent += len(chunk)
            if sent % (16 << 20) == 0:
                with open(os.path.join(work, "flood.bytes.tmp"), "w") as f:
                    f.write(str(sent))
                os.rename(os.path.join(work, "flood.bytes.tmp"), os.path.join(work, "flood.bytes"))
    sys.stdout.write(json.dumps(content(req))[:200])
    sys.stdout.flush()
    while True:
        time.sleep(1)
json.dump(content(req), sys.stdout)
'''


class Receiver(http.server.ThreadingHTTPServer):
    """The course webhook receiver: the first delivery of a "Hang ..." course is never
    answered, that of a "Trickle ..." course gets a 200 status line and then a header byte every
    200 ms until the client gives up; everything else gets 200 at once."""
    daemon_threads = True

    def __init__(self, port):
        self.seen = {}            # course id -> deliveries
        self.holding = {}         # kind -> threading.Event, set while its first delivery is held
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        srv = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        kind = body["title"].split()[0]
        with srv.lock:
            n = srv.seen[body["course_id"]] = srv.seen.get(body["course_id"], 0) + 1
        if n == 1 and kind in ("Hang", "Trickle"):
            srv.holding.setdefault(kind, threading.Event()).set()
            if kind == "Trickle":
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not srv.stopping.wait(0.2):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                except OSError:
                    pass  # the service cut the connection: what it should do
            else:
                srv.stopping.wait(PATIENCE_S * 2)
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise Failure("no %s for pid %d" % (field, pid))


def wait_for(what, cond, patience=PATIENCE_S):
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise Failure("timed out waiting for " + what)


def first(events, type_, **fields):
    for e in events:
        if e["type"] == type_ and all(e["data"].get(k) == v for k, v in fields.items()):
            return e
    return None


def check_failed_then_done(svc, course_id, failed_type, done_type, needle):
    """The course's first attempt failed as transient naming `needle`, and the retry did it."""
    events = svc.events(course_id)
    failed = first(events, failed_type)
    check(failed is not None, "%s: no %s in %s" % (course_id, failed_type,
                                                   [e["type"] for e in events]))
    check(needle in failed["data"]["error"] and failed["data"]["will_retry"] is True,
          "%s: %s says %s" % (course_id, failed_type, failed["data"]))
    done = first(events, done_type)
    check(done is not None and done["seq"] > failed["seq"], course_id + ": no retry succeeded")
    return failed


def run(binary, work):
    port = free_port()
    receiver = Receiver(port)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    gen = os.path.join(work, "gen.py")
    with open(gen, "w") as f:
        f.write(GENERATOR)
    svc = Service(binary, work, [
        "--distribution-channels", "site,webhook",
        "--distribution-webhook-urls", "http://127.0.0.1:%d/hook" % port,
        "--distribution-timeout-ms", str(WEBHOOK_TIMEOUT_MS),
        "--generation-command", "/usr/bin/python3 %s %s %s" % (gen, os.path.join(REPO, "bench"),
                                                                work),
        "--generation-timeout-ms", str(GENERATION_TIMEOUT_MS),
        "--retry-initial-delay-ms", "200", "--retry-max-delay-ms", "500",
        "--retry-max-attempts", "3"])
    svc.start()
    try:
        warm = svc.create("Warm up")
        svc.await_status(warm, ["published"])
        pid = svc.proc.pid
        try:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")  # VmHWM := VmRSS: the peak from here on
            base_kb = status_kb(pid, "VmRSS")
        except OSError:  # not allowed here: growth beyond the peak so far
            base_kb = status_kb(pid, "VmHWM")

        # A generator floods stderr; meanwhile another course is ordered and published.
        flood = svc.create("Flood of stderr")
        wait_for("the flooding generator", lambda: os.path.exists(os.path.join(work, "Flood.pid")))
        beside_flood = svc.create("Beside the flood")
        stuck = svc.create("Stuck with stdout open")
        wait_for("the stuck generator", lambda: os.path.exists(os.path.join(work, "Stuck.pid")))
        beside_stuck = svc.create("Beside the stuck one")

        # A receiver hangs, one trickles; meanwhile other courses are delivered.
        hang = svc.create("Hang the webhook")
        wait_for("the hanging delivery", lambda: "Hang" in receiver.holding)
        beside_hang = svc.create("Beside the hang")
        trickle = svc.create("Trickle the webhook")
        wait_for("the trickling delivery", lambda: "Trickle" in receiver.holding)
        beside_trickle = svc.create("Beside the trickle")

        for c in (flood, beside_flood, stuck, beside_stuck, hang, beside_hang, trickle,
                  beside_trickle):
            svc.await_status(c, ["published"], patience=PATIENCE_S * 2)

        timed_out = "timed out after %d ms" % GENERATION_TIMEOUT_MS
        flood_failed = check_failed_then_done(svc, flood, "course.generation.failed",
                                              "course.generation.completed", timed_out)
        stuck_failed = check_failed_then_done(svc, stuck, "course.generation.failed",
                                              "course.generation.completed", timed_out)
        url = "http://127.0.0.1:%d/hook" % port
        hang_failed = check_failed_then_done(svc, hang, "course.distribution.failed",
                                             "course.distribution.completed", url)
        trickle_failed = check_failed_then_done(
            svc, trickle, "course.distribution.failed", "course.distribution.completed",
            "%s: no complete answer within %d ms" % (url, WEBHOOK_TIMEOUT_MS))
        for beside, failed in ((beside_flood, flood_failed), (beside_stuck, stuck_failed),
                               (beside_hang, hang_failed), (beside_trickle, trickle_failed)):
            done = first(svc.events(beside), "course.distribution.completed")
            check(done["seq"] < failed["seq"],
                  "%s was published only after %s failed" % (beside, failed["subject"]))

        # Memory and processes.
        peak_kb = status_kb(pid, "VmHWM")
        with open(os.path.join(work, "flood.bytes")) as f:
            flooded = int(f.read())
        for kind in ("Flood", "Stuck"):
            with open(os.path.join(work, kind + ".pid")) as f:
                gen_pid = int(f.read())
            check(not os.path.exists("/proc/%d" % gen_pid),
                  "the %s generator (pid %d) is still there (running or a zombie)"
                  % (kind, gen_pid))
        check(flooded > 64 << 20, "the flood wrote only %d bytes" % flooded)
        check(peak_kb - base_kb < 64 * 1024, "peak RSS grew by %d kB" % (peak_kb - base_kb))
        print("slow_parties: flood of %d MB through stderr, service RSS %d kB, peak %d kB "
              "(+%d kB)" % (flooded >> 20, base_kb, peak_kb, peak_kb - base_kb))
        svc.stop()
    finally:
        receiver.stopping.set()
        svc.kill()
        receiver.shutdown()


if __name__ == "__main__":
    svcproc.main("slow_parties", run)
