#!/usr/bin/env python3
"""Generation workers end to end (issue 14): real `coursefactory worker` processes and a real
redis-server. Jobs are put on the jobs stream exactly as the service's jobs relay writes a
committed course.generation.started event (the relay's CloudEvents fields, domain/bus_format.cpp
and domain/event.cpp); results are read back from the results stream as the service reads them.

- 3 workers, 30 jobs: 30 completed results, one per job, content a valid course; nothing left
  pending; SIGTERM stops each worker with exit 0.
- a worker SIGKILLed while its (slow) generator runs: another worker with a short claim timeout
  takes the job over and finishes it; one result.
- a job already delivered more often than --max-deliveries: a failed, transient result
  "job delivered N times: workers died running it", not run again.
- garbage on the jobs stream: dead-lettered with the reason, acknowledged, no result.
- SIGTERM while a job runs: the result is written, then exit 0.
- a generator that crashes: a transient failure; one whose output is no course: permanent.
- Redis stopped and started under a running worker: it reconnects (with backoff) and goes on;
  a result finished while Redis was away is sent when it is back, not generated again.

Usage: worker_test.py PATH/TO/coursefactory   (Debian's python3 with python3-redis; redis-server)
Bounded: about 30-60 s.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bus_test import Redis, TestFailure, wait_for  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW_GENERATOR = os.path.join(ROOT, "bench", "slow_generator.py")


def now_rfc3339():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def job_fields(n, attempt=1):
    """A committed course.generation.started event as the relay's CloudEvents fields."""
    course_id, event_id, t = "course-%03d" % n, str(uuid.uuid4()), now_rfc3339()
    request = {"title": "Course number %d" % n, "description": "", "language": "en",
               "audiences": ["Teams"], "lesson_count": 2, "user_id": "user-%d" % n,
               "price": None, "dry_run": False}  # to_json(course_request)
    cloudevent = {"specversion": "1.0", "id": event_id, "source": "/coursefactory/course-factory",
                  "type": "course.generation.started", "subject": course_id, "time": t,
                  "datacontenttype": "application/json", "seq": 100 + n, "subjectversion": 2,
                  "schemaversion": 1, "correlationid": str(uuid.uuid4()),
                  "data": {"course_id": course_id, "title": request["title"],
                           "user_id": request["user_id"], "parameters": request,
                           "attempt": attempt}}
    return {"id": event_id, "type": "course.generation.started", "subject": course_id,
            "seq": str(100 + n), "time": t, "data": json.dumps(cloudevent)}


class Streams:
    def __init__(self, r, prefix):
        self.r, self.prefix = r, prefix
        self.jobs, self.results = prefix + ":generation:jobs", prefix + ":generation:results"

    def add(self, fields):
        return self.r.xadd(self.jobs, fields)

    def results_list(self):
        return [fields for _, fields in self.r.xrange(self.results, "-", "+")]

    def pending(self):
        return self.r.xpending(self.jobs, "generators")["pending"]

    def holder(self, entry_id):
        try:
            rows = self.r.xpending_range(self.jobs, "generators", entry_id, entry_id, 1)
        except redis.exceptions.ResponseError:  # NOGROUP: no worker has made the group yet
            return None
        return rows[0] if rows else None

    def args(self):
        return ["--jobs-stream", self.jobs, "--results-stream", self.results]


class Worker:
    def __init__(self, binary, work, redis_port, name, args):
        self.name, self.out = name, "%s/worker.%s.log" % (work, name)
        with open(self.out, "wb") as f:
            self.proc = subprocess.Popen(
                [binary, "worker", "--redis-url", "redis://127.0.0.1:%d" % redis_port,
                 "--name", name] + args, stdout=f, stderr=subprocess.STDOUT)

    def log(self):
        return open(self.out, errors="replace").read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        if rc != 0:
            raise TestFailure("worker %s: exit code %d after SIGTERM:\n%s" % (self.name, rc,
                                                                            self.log()))


def generators_of(pid):
    """The pids of slow_generator.py processes whose parent is `pid` (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == pid and b"slow_generator.py" in cmd:
            out.append(int(d))
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check(cond, what):
    if not cond:
        raise TestFailure(what)


def check_completed(res, job, workers):
    check(res["outcome"] == "completed", "not completed: %r" % res)
    check(res["course_id"] == json.loads(job["data"])["subject"], "course id: %r" % res)
    check(res["attempt"] == "1" and res["retry_count"] == "0", "attempt: %r" % res)
    check(res["worker"] in workers, "worker name: %r" % res)
    content = json.loads(res["content"])
    check(content["language"] == "en" and len(content["modules"]) >= 1,
          "content: %s" % res["content"][:200])
    check(sum(len(m["lessons"]) for m in content["modules"]) == 2, "lesson count")
    check(int(res["duration_ms"]) >= 0, "duration_ms")


def thirty_jobs_three_workers(binary, work, red, workers):
    s = Streams(red.client(), "many")
    jobs = {}
    for n in range(30):
        f = job_fields(n)
        jobs[f["id"]] = f
    names = ["many-%d" % i for i in range(3)]
    s.r.xgroup_create(s.jobs, "generators", id="0", mkstream=True)
    for name in names:
        workers.append(Worker(binary, work, red.port, name, s.args() + [
            "--generation-command", "/usr/bin/python3 %s 0.1" % SLOW_GENERATOR]))
    # All three waiting on the group before the jobs come, so that each takes some.
    wait_for("3 workers blocked in XREADGROUP", lambda: sum(
        c["cmd"] == "xreadgroup" and "b" in c["flags"] for c in s.r.client_list()) == 3)
    for f in jobs.values():
        s.add(f)
    wait_for("30 results", lambda: len(s.results_list()) >= 30, 45)
    for w in workers[-3:]:
        w.stop()
    results = s.results_list()
    check(len(results) == 30, "%d results for 30 jobs" % len(results))
    check(sorted(r["job_id"] for r in results) == sorted(jobs), "not one result per job")
    for r in results:
        check_completed(r, jobs[r["job_id"]], names)
    check(s.pending() == 0, "jobs left pending")
    beats = s.r.hgetall("many:generation:workers")
    check(sorted(beats) == sorted(names), "heartbeats: %r" % beats)
    used = sorted(set(r["worker"] for r in results))
    print("  30 jobs by", {w: sum(r["worker"] == w for r in results) for w in used})
    check(used == sorted(names), "not every worker generated: %r" % used)


def killed_mid_job_is_reclaimed(binary, work, red, workers):
    s = Streams(red.client(), "kill")
    f = job_fields(1)
    entry = s.add(f)
    slow = Worker(binary, work, red.port, "kill-slow",
                  s.args() + ["--generation-command", "/usr/bin/python3 %s 30" % SLOW_GENERATOR])
    workers.append(slow)
    wait_for("the slow worker to hold the job",
             lambda: (s.holder(entry) or {}).get("consumer") == "kill-slow")
    wait_for("its generator to run", lambda: generators_of(slow.proc.pid))
    orphans = generators_of(slow.proc.pid)
    slow.kill()
    rescuer = Worker(binary, work, red.port, "kill-rescuer", s.args() + ["--claim-timeout-s", "1"])
    workers.append(rescuer)
    t0 = time.monotonic()
    wait_for("the rescued result", lambda: len(s.results_list()) >= 1, 30)
    print("  rescued after %.1f s" % (time.monotonic() - t0))
    rescuer.stop()
    results = s.results_list()
    check(len(results) == 1, "%d results for one job" % len(results))
    check_completed(results[0], f, ["kill-rescuer"])
    check(s.pending() == 0, "the job is still pending")
    check("reclaimed a job" in rescuer.log(), "the rescuer did not log the reclaim")
    for pid in orphans:  # the dead worker's generator, if it still runs
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def too_many_deliveries_and_garbage(binary, work, red, workers):
    s = Streams(red.client(), "dead")
    s.r.xgroup_create(s.jobs, "generators", id="0", mkstream=True)
    f = job_fields(7, attempt=2)
    entry = s.add(f)
    # Two workers took it and died: delivered twice.
    s.r.xreadgroup("generators", "ghost-1", {s.jobs: ">"}, count=1)
    s.r.xclaim(s.jobs, "generators", "ghost-2", 0, [entry])
    check(s.holder(entry)["times_delivered"] == 2, "setup: two deliveries")
    garbage = s.add({"id": "junk-1", "type": "course.generation.started", "data": "{not json"})
    w = Worker(binary, work, red.port, "dead-w",
               s.args() + ["--claim-timeout-s", "1", "--max-deliveries", "2"])
    workers.append(w)
    wait_for("the failed result", lambda: len(s.results_list()) >= 1, 30)
    wait_for("the dead letter", lambda: s.r.xlen(s.jobs + ":dead") >= 1, 30)
    w.stop()
    results = s.results_list()
    check(len(results) == 1, "%d results" % len(results))
    r = results[0]
    check(r["outcome"] == "failed" and r["error_kind"] == "transient", "result: %r" % r)
    check(r["error"] == "job delivered 2 times: workers died running it", "error: %r" % r)
    check(r["job_id"] == f["id"] and r["attempt"] == "2", "job: %r" % r)
    dead = s.r.xrange(s.jobs + ":dead", "-", "+")
    check(len(dead) == 1, "%d dead letters" % len(dead))
    d = dead[0][1]
    check(d["original_id"] == garbage and d["id"] == "junk-1" and d["data"] == "{not json",
          "dead letter: %r" % d)
    check("data" in d["reason"] and "JSON" in d["reason"], "reason: %r" % d["reason"])
    check(s.pending() == 0, "entries left pending")


def sigterm_finishes_the_job_in_hand(binary, work, red, workers):
    s = Streams(red.client(), "term")
    f = job_fields(3)
    entry = s.add(f)
    w = Worker(binary, work, red.port, "term-w",
               s.args() + ["--generation-command", "/usr/bin/python3 %s 2" % SLOW_GENERATOR])
    workers.append(w)
    wait_for("the worker to hold the job", lambda: s.holder(entry) is not None)
    wait_for("its generator to run", lambda: generators_of(w.proc.pid))
    check(len(s.results_list()) == 0, "a result before the generator could finish")
    w.stop()  # exit 0 required
    results = s.results_list()
    check(len(results) == 1, "%d results after SIGTERM" % len(results))
    check_completed(results[0], f, ["term-w"])
    check(int(results[0]["duration_ms"]) >= 1500, "the generator did not run its 2 s")
    check(s.pending() == 0, "the job is still pending")


def generator_errors_keep_their_kind(binary, work, red, workers):
    """A crashing generator is a transient failure, invalid output a permanent one, as locally."""
    for prefix, command, kind, words in [("crash", "/bin/false", "transient", "status 1"),
                                         ("junk", "/bin/echo {}", "permanent", "")]:
        s = Streams(red.client(), prefix)
        f = job_fields(5)
        s.add(f)
        w = Worker(binary, work, red.port, prefix + "-w",
                   s.args() + ["--generation-command", command])
        workers.append(w)
        wait_for("the %s result" % prefix, lambda: len(s.results_list()) >= 1, 30)
        w.stop()
        r = s.results_list()[0]
        check(r["outcome"] == "failed" and r["error_kind"] == kind, "%s: %r" % (command, r))
        check(words in r["error"] and "\n" not in r["error"], "%s: error %r" % (command, r))
        check(r["job_id"] == f["id"] and s.pending() == 0, "%s: %r" % (command, r))


def redis_restart_is_survived(binary, work, red, workers):
    s = Streams(red.client(), "restart")
    w = Worker(binary, work, red.port, "restart-w", s.args())
    workers.append(w)
    first = job_fields(1)
    s.add(first)
    wait_for("the first result", lambda: len(s.results_list()) >= 1, 30)
    red.stop()  # SHUTDOWN keeps the AOF: streams and group survive, as on a planned restart
    wait_for("the worker to notice", lambda: "redis unreachable" in w.log(), 30)
    red.start()
    s = Streams(red.client(), "restart")
    second = job_fields(2)
    s.add(second)
    wait_for("the second result", lambda: len(s.results_list()) >= 2, 30)
    w.stop()
    results = s.results_list()
    check([r["job_id"] for r in results] == [first["id"], second["id"]], "results: %r" % results)
    check_completed(results[1], second, ["restart-w"])
    check(s.pending() == 0, "the job is still pending")


def a_finished_result_waits_for_redis(binary, work, red, workers):
    """Redis goes away while the generator runs: the result is sent once Redis is back, without
    generating again (a second generation would only come after the 60 s claim timeout)."""
    s = Streams(red.client(), "unsent")
    f = job_fields(4)
    entry = s.add(f)
    w = Worker(binary, work, red.port, "unsent-w",
               s.args() + ["--generation-command", "/usr/bin/python3 %s 2" % SLOW_GENERATOR])
    workers.append(w)
    wait_for("the worker to hold the job", lambda: s.holder(entry) is not None)
    wait_for("its generator to run", lambda: generators_of(w.proc.pid))
    red.stop()
    wait_for("the append to fail", lambda: "redis call failed" in w.log(), 30)
    red.start()
    s = Streams(red.client(), "unsent")
    wait_for("the result", lambda: len(s.results_list()) >= 1, 30)
    w.stop()
    results = s.results_list()
    check(len(results) == 1, "%d results" % len(results))
    check_completed(results[0], f, ["unsent-w"])
    check(int(results[0]["duration_ms"]) >= 1500, "not the 2 s generation")
    check(s.pending() == 0, "the job is still pending")
    check(w.log().count('"msg":"job completed"') == 1, "generated twice")


def clean_up(workers, red, work):
    """Kills what still runs and removes the scratch folder."""
    for w in workers:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()
    if red.proc:
        red.proc.kill()
        red.proc.wait()
    shutil.rmtree(work, ignore_errors=True)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="cf-worker-test-")
    red, workers = Redis(work), []
    cases = [thirty_jobs_three_workers, killed_mid_job_is_reclaimed,
             too_many_deliveries_and_garbage, sigterm_finishes_the_job_in_hand,
             generator_errors_keep_their_kind, redis_restart_is_survived,
             a_finished_result_waits_for_redis]
    if len(sys.argv) > 2:  # one case by name
        cases = [c for c in cases if c.__name__ == sys.argv[2]]
    failed = 0
    try:
        red.start()
        for case in cases:
            t0 = time.monotonic()
            try:
                case(binary, work, red, workers)
                print("ok   %s (%.1f s)" % (case.__name__, time.monotonic() - t0))
            except (TestFailure, KeyError, ValueError, subprocess.TimeoutExpired,
                    redis.exceptions.RedisError) as e:
                failed += 1
                print("FAIL %s: %s" % (case.__name__, e))
                for w in workers:
                    print("--- worker %s (last lines)" % w.name)
                    print("".join(w.log().splitlines(True)[-10:]))
        print("%d passed, %d failed" % (len(cases) - failed, failed))
        return 1 if failed else 0
    finally:
        clean_up(workers, red, work)


if __name__ == "__main__":
    sys.exit(main())
