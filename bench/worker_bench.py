#!/usr/bin/env python3
"""Issue 14's benchmark: courses per second through `coursefactory worker` with 1, 2 and 4
workers (concurrency 1 each) and an external generator that takes 200 ms per course
(bench/slow_generator.py, standing in for a language model). For each worker count: a fresh
redis-server, the workers started and seen (heartbeat), then JOBS jobs in the relay's format
appended at once; the time from the first append to the last result gives courses per second.
Median of RUNS runs.

Usage: worker_bench.py PATH/TO/coursefactory [JOBS=40] [RUNS=3]
(Debian's python3 with python3-redis; redis-server)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
from bus_test import Redis, wait_for  # noqa: E402
from worker_test import Streams, Worker, clean_up, job_fields  # noqa: E402

GENERATOR = "/usr/bin/python3 %s 0.2" % os.path.join(HERE, "slow_generator.py")


def one_run(binary, n_workers, jobs):
    work = tempfile.mkdtemp(prefix="cf-worker-bench-")
    red, workers = Redis(work), []
    try:
        red.start()
        s = Streams(red.client(), "bench")
        names = ["w%d" % i for i in range(n_workers)]
        for name in names:
            workers.append(Worker(binary, work, red.port, name,
                                  s.args() + ["--generation-command", GENERATOR]))
        wait_for("the workers' heartbeats",
                 lambda: len(s.r.hgetall("bench:generation:workers")) == n_workers)
        batch = [job_fields(n) for n in range(jobs)]
        t0 = time.monotonic()
        pipe = s.r.pipeline()
        for f in batch:
            pipe.xadd(s.jobs, f)
        pipe.execute()
        wait_for("all results", lambda: s.r.xlen(s.results) >= jobs, 600)
        elapsed = time.monotonic() - t0
        results = s.results_list()
        assert len(results) == jobs and all(r["outcome"] == "completed" for r in results)
        for w in workers:
            w.stop()
        return jobs / elapsed
    finally:
        clean_up(workers, red, work)


def main():
    binary = os.path.abspath(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print("| workers | courses/s (median of %d) | runs | ideal (1 / 0.2 s per worker) |" % runs)
    print("|---|---|---|---|")
    for n in (1, 2, 4):
        rates = [one_run(binary, n, jobs) for _ in range(runs)]
        print("| %d | %.2f | %s | %.1f |" % (n, statistics.median(rates),
                                            ", ".join("%.2f" % r for r in rates), n / 0.2),
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
