"""The crash test's verdicts (tests/integration/crash_test.py): every promise kept, no effect
twice, read from the log and the receiver's records."""
import datetime
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

from crash_parts import *  # noqa: F401,F403 (settings and TestFailure)


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


def event_wall(e):
    """An event's time (the service's wall clock when it appended it), in Unix seconds."""
    t = datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def moving(e):
    """Whether a course whose latest event is `e` has work in flight inside the service: a
    generation or delivery running or planned, a distribution to request."""
    t, d = e["type"], e["data"]
    return (t in ("course.generation.started", "course.payment.completed",
                  "course.distribution.requested")
            or (t in ("course.generation.failed", "course.distribution.failed")
                and d.get("will_retry") is True))


def check_kills_hit_work(crash, by_course):
    """Each SIGKILL hit work in flight: some course's latest event before the kill left work
    moving, and the course has events after the killed process was gone (the next
    incarnation carried the work on). Events appended while the process died count for
    neither side."""
    problems, hits = [], []
    for n, (before, gone) in enumerate(crash.service.kill_walls, 1):
        hit = 0
        for es in by_course.values():
            earlier = [e for e in es if event_wall(e) < before]
            if earlier and moving(earlier[-1]) and any(event_wall(e) > gone for e in es):
                hit += 1
        hits.append(hit)
        if hit == 0:
            problems.append("SIGKILL %d hit no work in flight (no lifecycle moving at it was "
                            "carried on after it)" % n)
    print("crash: lifecycles in flight at each SIGKILL and carried on after it: %s" % hits)
    return problems


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
    problems += check_kills_hit_work(crash, by_course)
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
