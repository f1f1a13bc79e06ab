#!/usr/bin/env python3
"""Channel bus end to end (issue 12): the real binary with `--distribution-channels bus`, a real
redis-server, and a distribution module written as the platform's modules are (python3-redis):
it reads coursefactory's events from the relay's stream with its own consumer group, takes each
course.distribution.requested naming channel bus as an order, and answers on the inbound stream
in the platform's envelope. It refuses every course's first order (so each course is retried
with a new order) and completes the second. The service is SIGKILLed once while orders are out
and answers wait in the inbound stream. Afterwards every course is published exactly once with
the module's URL, and each course has exactly two orders.

Usage: bus_module_test.py PATH/TO/coursefactory. Bounded: about 10-30 s.
"""
import json
import sys
import tempfile
import threading
import time

from bus_test import Redis, Service, TestFailure, clean_up, failed, log_events, wait_for

STREAM, INBOUND = "coursefactory:events", "coursefactory:inbound"
COURSES = 12


def distribution_module(r, stop, answered):
    """The outside module: XREADGROUP on the relay's stream, an answer per order, XACK."""
    r.xgroup_create(STREAM, "distribution", id="0", mkstream=True)
    while not stop.is_set():
        for _stream, entries in r.xreadgroup("distribution", "module-1", {STREAM: ">"},
                                             count=50, block=100) or []:
            for entry_id, fields in entries:
                data = json.loads(fields["data"])["data"]
                if fields["type"] == "course.distribution.requested" and "bus" in data["channels"]:
                    first = data["retry_count"] == 0
                    payload = {"course_id": data["course_id"], "request_id": fields["id"]}
                    if first:
                        payload["error"] = "first orders are refused by this test"
                    else:
                        payload["url"] = "https://learn.example/%s/" % data["course_id"]
                    r.xadd(INBOUND, {"event": json.dumps({
                        "id": "answer-" + fields["id"], "source": "distribution",
                        "type": "course.distribution." + ("failed" if first else "completed"),
                        "target": "coursefactory", "payload": payload,
                        "timestamp": "2026-12-04T12:00:00Z", "correlation_id": None})})
                    answered.append(fields["id"])
                r.xack(STREAM, "distribution", entry_id)


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="coursefactory-bus-module-")
    red = Redis(work)
    svc = Service(binary, work, red.port,
                  ["--distribution-channels", "bus", "--distribution-bus-timeout-s", "60",
                   "--bus-claim-idle-ms", "1000"])
    stop, answered = threading.Event(), []
    module = None
    try:
        red.start()
        svc.start()
        module = threading.Thread(target=distribution_module,
                                  args=(red.client(), stop, answered))
        module.start()
        for i in range(COURSES):
            if not svc.post_course("Module %d" % i):
                raise TestFailure("course %d was not accepted" % i)
        # Killed while orders and answers are under way; the answers wait in the inbound stream.
        wait_for("a first answer", lambda: len(answered) >= 1)
        svc.kill()
        svc.start()
        published = lambda: svc.get("/v1/courses?status=published&limit=100")["items"]
        wait_for("every course to be published", lambda: len(published()) == COURSES)
        events = log_events(svc)
        for c in published():
            mine = [e for e in events if e["subject"] == c["course_id"]]
            kinds = [e["type"] for e in mine]
            done = [e for e in mine if e["type"] == "course.distribution.completed"]
            orders = [e for e in mine if e["type"] == "course.distribution.requested"]
            if len(done) != 1 or len(orders) != 2:
                raise TestFailure("%s: %d completed, %d orders: %s"
                                  % (c["course_id"], len(done), len(orders), kinds))
            if done[0]["data"]["url"] != "https://learn.example/%s/" % c["course_id"]:
                raise TestFailure("%s: url %s" % (c["course_id"], done[0]["data"]["url"]))
            if [o["data"]["retry_count"] for o in orders] != [0, 1]:
                raise TestFailure("%s: orders %s" % (c["course_id"], orders))
        r = red.client()
        wait_for("every answer to be acknowledged",
                 lambda: r.xpending(INBOUND, "coursefactory")["pending"] == 0)
        dead = r.xlen(INBOUND + ":dead") if r.exists(INBOUND + ":dead") else 0
        if dead:
            raise TestFailure("%d answers were dead-lettered: %s"
                              % (dead, r.xrange(INBOUND + ":dead")))
        svc.stop()
        print("bus module test: %d courses published through an outside module, each refused "
              "once and retried with a new order, across a SIGKILL" % COURSES)
        print("1 passed, 0 failed")
        return 0
    except TestFailure as e:
        print("bus module test: FAIL:", e)
        return failed(work)
    finally:
        stop.set()
        if module:
            module.join()
        clean_up(svc, red, work)

if __name__ == "__main__":
    sys.exit(main())
