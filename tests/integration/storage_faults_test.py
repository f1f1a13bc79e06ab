#!/usr/bin/env python3
"""Storage faults on the real binary (issue 15), its disk failed by fault_preload.cpp (LD_PRELOAD:
the real fsync/fdatasync/pwrite calls fail while a file says so; libfiu's fiu-run deadlocks
with jemalloc, see there):

- fdatasync/fsync fail with EIO: writes answer 503 storage_failed for good (also once the disk
  answers again), /v1/health answers 503 "failing", the metrics say so, and the service exits
  with code 74; the next start recovers: every acknowledged (202) course is there, the chain
  verifies.
- pwrite fails with ENOSPC: 503 storage_unavailable with Retry-After, health 200 "degraded"
  (storage "full") and coursefactory_storage_full 1; once space returns, writes go through and
  health is "ok" again, in the same process.
- EventLog dies (the test-only COURSEFACTORY_TEST_EVENT_LOG_DIES_AFTER makes it throw after a
  number of commits, as a bug would): the service exits 1; the next start recovers.
- Another process holds the database's write lock (python3 sqlite3, BEGIN EXCLUSIVE) past the
  2 s busy timeout: 503 storage_unavailable with Retry-After, health "degraded"; once it lets
  go, writes go through.

usage: storage_faults_test.py BINARY PRELOAD_LIBRARY   (not under ASan: see tests/CMakeLists)
"""
import sqlite3
import sys

from faultkit import PATIENCE_S, Disk, Service, all_there, check, run_scenarios, settle, verify

EXIT_STORAGE_FAILED = 74  # app/exit_codes.hpp


def post_many(svc, n, prefix):
    ids = []
    for i in range(n):
        status, _, doc = svc.post_course("%s %d" % (prefix, i))
        check(status == 202, "POST answered %d: %s" % (status, doc))
        ids.append(doc["course_id"])
    return ids


def refused(svc, title, problem, when):
    """POSTs a course that must be refused: 503 with problem type `problem` and a Retry-After.
    Returns the Retry-After."""
    status, headers, doc = svc.post_course(title)
    kind = doc.get("type", "").rsplit(":", 1)[-1]
    check(status == 503 and kind == problem, "POST %s answered %d %s" % (when, status, doc))
    check("retry-after" in headers, "no Retry-After on the 503 %s: %s" % (when, headers))
    return headers["retry-after"]


def on_faulty_disk(binary, preload, work):
    """A disk that fails on demand and a service started on it."""
    disk = Disk(preload, work)
    return disk, Service(binary, work, env=disk.env()).start()


def failed_sync(binary, preload, work):
    disk, svc = on_faulty_disk(binary, preload, work)
    try:
        acknowledged = post_many(svc, 10, "before the failed sync")
        disk.fail("sync")
        refused(svc, "during the failed sync", "storage_failed", "with fsync failing")
        # The disk answers again: this process still writes nothing.
        disk.heal("sync")
        refused(svc, "after the failed sync", "storage_failed", "after the failed sync")
        status, body = svc.health()
        check(status == 503 and body["status"] == "failing" and body["storage"] == "failed",
              "health after the failed sync: %d %s" % (status, body))
        m = svc.metrics()
        check(m.get("coursefactory_storage_failed") == 1, "storage_failed gauge: %s" % m)
        check(m.get('coursefactory_storage_errors_total{kind="sync"}', 0) >= 1,
              "no sync error counted")
        status, _, _ = svc.request("GET", "/v1/courses/" + acknowledged[0])
        check(status == 200, "a read answered %d after the failed sync" % status)
        rc = svc.wait_exit()
        check(rc == EXIT_STORAGE_FAILED, "exit code %d after the failed sync, not %d: %s"
              % (rc, EXIT_STORAGE_FAILED, svc.output()[-2000:]))
        check("a sync to disk failed" in svc.output(), "no log line names the failed sync")
    finally:
        svc.kill()
    again = Service(binary, work).start()
    all_there(again, acknowledged)
    post_many(again, 1, "after the restart")
    check(again.stop() == 0, "the restarted service did not stop cleanly")
    verify(binary, again.db)
    print("failed sync: 503 storage_failed, health failing, exit %d; restart recovered %d "
          "acknowledged courses, chain verified" % (EXIT_STORAGE_FAILED, len(acknowledged)))


def disk_full(binary, preload, work):
    disk, svc = on_faulty_disk(binary, preload, work)
    try:
        acknowledged = post_many(svc, 3, "before the disk fills")
        disk.fail("pwrite")
        retry = refused(svc, "on a full disk", "storage_unavailable", "on a full disk")
        check(retry == "1", "Retry-After on a full disk: %s" % retry)
        status, body = svc.health()
        check(status == 200 and body["status"] == "degraded" and body["storage"] == "full",
              "health on a full disk: %d %s" % (status, body))
        m = svc.metrics()
        check(m.get("coursefactory_storage_full") == 1, "storage_full gauge on a full disk")
        check(m.get('coursefactory_storage_errors_total{kind="full"}', 0) >= 1, "no full error")
        check(m.get("coursefactory_storage_failed") == 0, "a full disk is not a failed sync")
        disk.heal("pwrite")
        acknowledged += post_many(svc, 3, "after space returned")
        status, body = svc.health()
        check(status == 200 and body["status"] == "ok", "health after space returned: %s" % body)
        check(svc.metrics().get("coursefactory_storage_full") == 0, "storage_full stays 1")
        all_there(svc, acknowledged)
        check(svc.stop() == 0, "the service did not stop cleanly after a full disk")
    finally:
        svc.kill()
    verify(binary, svc.db)
    print("disk full: 503 with Retry-After, health degraded, storage_full 1; recovered in the "
          "same process")


def event_log_death(binary, preload, work):
    svc = Service(binary, work, env={"COURSEFACTORY_TEST_EVENT_LOG_DIES_AFTER": "15"}).start()
    acknowledged = []
    try:
        for i in range(200):  # 15 commits come long before 200 courses
            try:
                status, _, doc = svc.post_course("until the log dies %d" % i)
            except OSError:
                break  # the service stopped taking connections
            if status != 202:
                break
            acknowledged.append(doc["course_id"])
        rc = svc.wait_exit()
        check(rc == 1, "exit code %d when EventLog died, not 1: %s" % (rc, svc.output()[-2000:]))
        check("the event log stopped" in svc.output(), "no log line says EventLog stopped")
        check(acknowledged, "no course was acknowledged before EventLog died")
    finally:
        svc.kill()
    again = Service(binary, work).start()
    all_there(again, acknowledged)
    check(again.stop() == 0, "the restarted service did not stop cleanly")
    verify(binary, again.db)
    print("EventLog death: exit 1 after %d acknowledged courses; restart recovered them all"
          % len(acknowledged))


def database_locked(binary, preload, work):
    svc = Service(binary, work).start()
    try:
        # Nothing else writing: the one POST waits the busy timeout once (writes queued behind
        # each other in EventLog would each wait it, and the POST answer 504 at 5 s).
        settle(svc, post_many(svc, 2, "before the lock"))
        other = sqlite3.connect(svc.db, isolation_level=None, timeout=PATIENCE_S)
        other.execute("BEGIN EXCLUSIVE")
        try:
            retry = refused(svc, "while locked", "storage_unavailable", "while locked")
            check(retry == "1", "Retry-After while locked: %s" % retry)
            status, body = svc.health()
            check(status == 200 and body["status"] == "degraded"
                  and body["storage"] == "unavailable", "health while locked: %s" % body)
            check(svc.metrics().get('coursefactory_storage_errors_total{kind="unavailable"}', 0)
                  >= 1, "no unavailable error counted")
        finally:
            other.execute("ROLLBACK")
            other.close()
        ids = post_many(svc, 2, "after the lock")
        status, body = svc.health()
        check(status == 200 and body["status"] == "ok", "health after the lock: %s" % body)
        all_there(svc, ids)
        check(svc.stop() == 0, "the service did not stop cleanly after the lock")
    finally:
        svc.kill()
    print("database locked: 503 storage_unavailable with Retry-After, health degraded; "
          "recovered when the lock went")


def main():
    run_scenarios("storage_faults", (failed_sync, disk_full, event_log_death, database_locked),
                  sys.argv[1], sys.argv[2])


if __name__ == "__main__":
    main()
