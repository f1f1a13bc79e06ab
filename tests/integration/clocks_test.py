#!/usr/bin/env python3
"""The wall clock jumping under the real binary (issue 15), with Debian's libfaketime: the
service starts three days behind, the clock jumps a day ahead and two days back while it runs,
and two more days back while it is stopped. Proves:
- lifecycles complete whatever the clock does; seqs run 1, 2, 3... in commit order;
- an event's `time` follows the (fake) wall clock (within one process it never goes back), while
  the order of events is the order of seqs;
- a payment expiry stored before the restart and now two days "in the future" is re-armed for at
  most --payment-expiry-s, and fires (before the fix: it would have waited two days);
- the Stripe signature tolerance against skew: `coursefactory pay` on the real clock is refused
  with 400 signature_stale by the skewed service; on the service's clock it is recorded;
- `coursefactory verify` passes on the log.

usage: clocks_test.py BINARY
"""
import os
import subprocess
import time

import svcproc
from svcproc import SECRET, Service, check, faketime_env

DAY_S = 86400
SLACK_S = 600  # how far an event's time may be from the fake clock at the moment it was made


def set_clock(rc, offset):
    """Moves the fake wall clock to real time + `offset` (libfaketime syntax, "-3d")."""
    with open(rc + ".tmp", "w") as f:
        f.write(offset + "\n")
    os.replace(rc + ".tmp", rc)


def parse_time(text):
    """Seconds since the epoch of an RFC 3339 UTC time ("2026-12-01T10:00:00.123456Z")."""
    import calendar
    base, _, frac = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


def times_of(svc, course_id):
    return [parse_time(e["time"]) for e in svc.events(course_id)]


def check_near(times, expected, what):
    for t in times:
        check(abs(t - expected) < SLACK_S, "%s: event time %.0f is %.0f s from the fake clock"
              % (what, t, t - expected))


def pay(binary, svc, course_id, env=None):
    p = subprocess.run([binary, "pay", course_id, "--url", svc.url(), "--token", svc.token,
                        "--stripe-webhook-secret", SECRET],
                       capture_output=True, text=True, timeout=60, env=env)
    return p.returncode, p.stdout + p.stderr


def run(binary, work):
    rc = os.path.join(work, "faketime.rc")
    set_clock(rc, "-3d")
    env = faketime_env(rc)
    svc = Service(binary, work, ["--payment-expiry-s", "3600"], env=env)
    svc.start()
    try:
        # Three days behind from the start.
        a = svc.create("Started three days behind")
        svc.await_status(a, ["published"])
        check_near(times_of(svc, a), time.time() - 3 * DAY_S, "course A")

        # Stripe's tolerance (300 s) against a skewed clock: a genuine webhook signed on the
        # real clock is refused as stale; signed on the service's own clock it counts.
        p1 = svc.create("Paid across the skew", 4900)
        svc.await_status(p1, ["awaiting_payment"])
        code, out = pay(binary, svc, p1)
        check(code != 0 and out.startswith("400") and "signature_stale" in out,
              "a webhook signed 3 days off was not refused as stale: %d %s" % (code, out))
        code, out = pay(binary, svc, p1, env=env)
        check(code == 0 and out.startswith("200"), "a webhook on the service's clock: " + out)
        svc.await_status(p1, ["published"])

        # A jump forward while running: a day ahead of the real clock (four ahead of before).
        set_clock(rc, "+1d")
        b = svc.create("After a jump forward")
        svc.await_status(b, ["published"])
        check_near(times_of(svc, b), time.time() + DAY_S, "course B")

        # A jump back while running: two days behind. EventLog keeps the time monotonic within
        # its process (no event is stamped before one committed earlier).
        set_clock(rc, "-2d")
        c = svc.create("After a jump back")
        svc.await_status(c, ["published"])
        check(min(times_of(svc, c)) >= max(times_of(svc, b)), "time went back within a process")

        # A pending payment when the service stops: expires_at = (fake now) + 1 h.
        p2 = svc.create("Expires after the restart", 4900)
        svc.await_status(p2, ["awaiting_payment"])
        svc.stop()

        # Stopped; the clock goes two more days back, so expires_at lies two days ahead.
        set_clock(rc, "-4d")
        svc.args = ["--payment-expiry-s", "5"]
        svc.start()
        failed = svc.await_status(p2, ["payment_failed"])  # at most 5 s after the start
        reasons = [e["data"].get("reason") for e in svc.events(p2)
                   if e["type"] == "course.payment.failed"]
        check(reasons == ["expired"], "payment.failed reasons: %s (%s)" % (reasons, failed))
        d = svc.create("After the restart, further back")
        svc.await_status(d, ["published"])
        check_near(times_of(svc, d), time.time() - 4 * DAY_S, "course D")

        # The whole log: seqs 1, 2, 3... in the API's order; the time of the second process's
        # events lies before the first one's (the clock went back), the seq after.
        events = svc.events()
        seqs = [e["seq"] for e in events]
        check(seqs == list(range(1, len(events) + 1)), "seqs are not 1..N in order")
        d_first = min(e["seq"] for e in events if e["subject"] == d)
        c_last = max(e["seq"] for e in events if e["subject"] == c)
        check(d_first > c_last, "D committed after C but has a lower seq")
        check(min(times_of(svc, d)) < max(times_of(svc, c)), "D's times do not show the jump back")
        for course in (a, p1, b, c, d):
            check(svc.call("GET", "/v1/courses/" + course)[1]["status"] == "published",
                  "course %s not published" % course)
        svc.stop()
    finally:
        svc.kill()
    v = subprocess.run([binary, "verify", "--db", svc.db], capture_output=True, text=True,
                       timeout=60)
    check(v.returncode == 0 and v.stdout.startswith("ok:"), "verify: " + v.stdout + v.stderr)
    print("clocks: %d events, seq order kept across jumps of +4 d, -3 d and -2 d; %s"
          % (len(events), v.stdout.strip()))


if __name__ == "__main__":
    svcproc.main("clocks", run)
