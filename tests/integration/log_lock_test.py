#!/usr/bin/env python3
"""One process per log, and the commands beside a running service (issue 15), on the real binary:

- a second `serve` on the same database exits at once with code 75 and names the holder's pid;
  the first one keeps serving;
- `verify`, `backup` and `rebuild` run beside it, each with a one-line note naming the service;
- on a large live log (LIVE_EVENTS events, writers still posting): `backup` gives a copy that
  verifies and is a prefix of the live log (same hash at its last seq), `rebuild` commits while
  the writers go on, and the log verifies afterwards.

usage: log_lock_test.py BINARY [LIVE_EVENTS]
"""
import sqlite3
import sys
import threading
import time

from faultkit import PATIENCE_S, Service, check, run_command, run_scenarios, verify

EXIT_LOG_IN_USE = 75  # app/exit_codes.hpp
WRITERS = 8


def second_serve(binary, work):
    started = time.monotonic()
    first = Service(binary, work).start()
    try:
        second = Service(binary, work).launch()
        rc = second.wait_exit()
        out = second.output()
        check(rc == EXIT_LOG_IN_USE, "a second serve exited %s, not %d: %s"
              % (rc, EXIT_LOG_IN_USE, out))
        check("in use" in out and "pid %d" % first.proc.pid in out,
              "the second serve does not name the holder: %s" % out)
        status, body = first.health()
        check(status == 200 and body["status"] == "ok", "the first serve after it: %s" % body)
        status, _, doc = first.post_course("after the second serve")
        check(status == 202, "the first serve took no write after it: %d %s" % (status, doc))
        for command, extra in (("verify", []), ("backup", [work + "/copy.db"]),
                               ("rebuild", [])):
            rc, out, err = run_command(binary, command, "--db", first.db, *extra)
            check(rc == 0, "%s beside the service exited %d: %s %s" % (command, rc, out, err))
            check("note: a service (pid %d) holds" % first.proc.pid in err,
                  "%s says nothing of the running service: %r" % (command, err))
        check(first.stop() == 0, "the first serve did not stop cleanly")
    finally:
        first.kill()
    # Its lock went with it: a new serve starts.
    again = Service(binary, work).start()
    check(again.stop() == 0, "a serve after the first one stopped did not stop cleanly")
    print("second serve: exit %d naming pid %d; verify, backup, rebuild ran beside it (%.1f s)"
          % (EXIT_LOG_IN_USE, first.proc.pid, time.monotonic() - started))


class Writers:
    """WRITERS threads posting courses until stopped; counts 202s and other answers."""

    def __init__(self, svc):
        self.svc, self.stop_flag = svc, threading.Event()
        self.lock, self.accepted, self.refused, self.errors = threading.Lock(), 0, 0, []
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(WRITERS)]

    def run(self, i):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            try:
                status, _, doc = self.svc.post_course("live %d-%d" % (i, n))
            except OSError as e:
                with self.lock:
                    self.errors.append(repr(e))
                continue
            with self.lock:
                if status == 202:
                    self.accepted += 1
                elif status == 503:  # a write that waited for the rebuild past the busy timeout
                    self.refused += 1
                else:
                    self.errors.append("%d %s" % (status, doc))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join()

    def count(self):
        with self.lock:
            return self.accepted


def head_of(svc):
    status, body = svc.health()
    check(status == 200, "health answered %d" % status)
    return body["last_seq"]


def hash_at(db, seq):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=PATIENCE_S)
    try:
        row = con.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def live_backup(binary, work, live_events):
    svc = Service(binary, work).start()
    try:
        with Writers(svc) as writers:
            started = time.monotonic()
            deadline = started + 4 * PATIENCE_S
            while head_of(svc) < live_events:
                check(time.monotonic() < deadline, "the log did not reach %d events" % live_events)
                time.sleep(0.2)
            filled = time.monotonic() - started
            copy = work + "/live-copy.db"
            before = writers.count()
            t = time.monotonic()
            rc, out, err = run_command(binary, "backup", "--db", svc.db, copy)
            took = {"backup": time.monotonic() - t}
            check(rc == 0, "backup of the live log exited %d: %s %s" % (rc, out, err))
            out = verify(binary, copy)
            copied = int(out.split()[1])
            check(copied >= live_events, "the copy has %d events, fewer than %d"
                  % (copied, live_events))
            # A prefix of the live log: the same event, chained the same way, at its last seq.
            check(hash_at(copy, copied) == hash_at(svc.db, copied),
                  "the copy's head differs from the live log's event %d" % copied)
            t = time.monotonic()
            rc, out, err = run_command(binary, "rebuild", "--db", svc.db)
            took["rebuild"] = time.monotonic() - t
            check(rc == 0, "rebuild of the live log exited %d: %s %s" % (rc, out, err))
            during = writers.count()
            check(during > before, "the writers did not go on while backup ran")
            goal = during + 20
            deadline = time.monotonic() + PATIENCE_S
            while writers.count() < goal:  # they go on after the rebuild
                check(time.monotonic() < deadline, "no writes after the rebuild")
                time.sleep(0.05)
        check(not writers.errors, "writers saw: %s" % writers.errors[:5])
        # SIGKILL: a SIGTERM waits for thousands of courses still at work (a minute here), and
        # what is committed is what counts (the crash test covers the kill itself).
        svc.kill()
    finally:
        svc.kill()
    verify(binary, svc.db)
    print("live log: %d events in %.1f s; backup of %d events verified and a prefix of the log; "
          "rebuild beside %d writers (%d writes refused while it ran); %d courses accepted; backup "
          "%.1f s, rebuild %.1f s" % (live_events, filled, copied, WRITERS, writers.refused,
                                     writers.accepted, took["backup"], took["rebuild"]))


def main():
    live_events = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    run_scenarios("log_lock", (second_serve, lambda b, w: live_backup(b, w, live_events)),
                  sys.argv[1])


if __name__ == "__main__":
    main()
