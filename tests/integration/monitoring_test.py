#!/usr/bin/env python3
"""The monitoring files of docs/monitoring/ (issue 16) against promtool and the real binary.

1. promtool: `check rules` accepts alerts.yml, `test rules` passes alerts_test.yml, every
   dashboard query parses as PromQL (as recording rules), `check config` accepts the scrape
   example (its /etc/prometheus paths moved to a scratch folder).
2. No drift: the real service (bus and generation.mode redis, a real redis-server and one real
   worker, so that every optional series is there) is scraped with a metrics:read token made by
   `coursefactory token create`, as the scrape example says. Every coursefactory_* metric that
   alerts.yml and the dashboard name is in that scrape, with every label they select or group
   by; every label value they match exactly is a string the sources write.

Usage: monitoring_test.py PATH/TO/coursefactory SOURCE_DIR. Needs promtool (scripts/setup.sh),
Debian's python3-prometheus-client, python3-redis and redis-server. About 5-10 s.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from bus_test import Redis, Service, TestFailure, failed, wait_for

TARGET_LABELS = {"job", "instance"}  # added by Prometheus, not by the service


def promtool(*args, cwd=None):
    r = subprocess.run(["promtool", *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    if r.returncode != 0:
        raise TestFailure("promtool %s failed:\n%s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def dashboard_queries(path):
    with open(path) as f:
        dash = json.load(f)
    queries = []
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            queries.append(t["expr"])
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            queries.append(var["definition"])
    if len(queries) < 20:
        raise TestFailure("the dashboard has only %d queries" % len(queries))
    return queries


def check_promtool(mon, work):
    print(promtool("check", "rules", "alerts.yml", cwd=mon).strip())
    print(promtool("test", "rules", "alerts_test.yml", cwd=mon).strip())
    # Dashboard queries as recording rules: promtool parses each one as PromQL.
    exprs = [q for q in dashboard_queries(mon + "/grafana-dashboard.json")
             if not q.startswith("label_values(")]
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": "dashboard:query_%d" % i,
         "expr": e.replace("$__rate_interval", "5m").replace("$instance", ".*")}
        for i, e in enumerate(exprs)]}]}
    with open(work + "/dashboard_rules.yml", "w") as f:
        json.dump(rules, f)  # JSON is YAML
    print(promtool("check", "rules", work + "/dashboard_rules.yml").strip())
    # The scrape example, with its files in the scratch folder.
    shutil.copy(mon + "/alerts.yml", work + "/coursefactory-alerts.yml")
    with open(work + "/coursefactory-metrics-token", "w") as f:
        f.write("cf_example\n")
    with open(mon + "/prometheus.yml") as f:
        config = f.read().replace("/etc/prometheus/", work + "/")
    with open(work + "/prometheus.yml", "w") as f:
        f.write(config)
    print(promtool("check", "config", work + "/prometheus.yml").strip())
    return exprs


def real_scrape(binary, work):
    """/metrics of the real service with every optional part on, read with a metrics:read token."""
    red = Redis(work)
    svc = Service(binary, work, red.port, ["--generation-mode", "redis"])
    worker = None
    try:
        red.start()
        svc.start()
        worker = subprocess.Popen(
            [binary, "worker", "--redis-url", "redis://127.0.0.1:%d" % red.port, "--name", "w1"],
            stdout=open(work + "/out.worker", "wb"), stderr=subprocess.STDOUT)
        if not svc.post_course("Monitoring"):
            raise TestFailure("POST /v1/courses was not accepted")
        big = urllib.request.Request(  # refused: coursefactory_http_rejected_total{reason=...}
            "http://127.0.0.1:%d/v1/courses" % svc.port, data=b"x" * 100000,
            headers={"Content-Type": "application/json", **svc.auth()})
        try:
            urllib.request.urlopen(big, timeout=10)
            raise TestFailure("a 100 kB body was accepted")
        except urllib.error.HTTPError as e:
            if e.code != 413:
                raise TestFailure("a 100 kB body: %d, not 413" % e.code)
        token = subprocess.run(
            [binary, "token", "create", "--db", work + "/events.db", "--name", "prometheus",
             "--scopes", "metrics:read"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        url = "http://127.0.0.1:%d/metrics" % svc.port

        def scrape(headers):
            req = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.read().decode()

        try:
            scrape({})
            raise TestFailure("/metrics answered without a token")
        except urllib.error.HTTPError as e:
            if e.code != 401:
                raise TestFailure("/metrics without a token: %d, not 401" % e.code)
        text = [""]

        def complete():  # the new token is known (within a second), the worker's heartbeat
            try:         # and its result have reached the service
                text[0] = scrape({"Authorization": "Bearer " + token})
            except urllib.error.HTTPError as e:
                if e.code != 401:
                    raise
                return False
            return ("coursefactory_generation_worker_last_seen_seconds{" in text[0]
                    and re.search(r"^coursefactory_generation_results_recorded_total [1-9]",
                                  text[0], re.M))

        wait_for("the worker's heartbeat and result in /metrics", complete)
        svc.stop()
        return text[0]
    finally:
        if worker:
            worker.kill()
            worker.wait()
        if svc.proc and svc.proc.poll() is None:
            svc.proc.kill()
        if red.proc:
            red.proc.kill()


def exposed(text, src):
    """{sample name: set of label names} of an exposition, read by the official parser. A
    labelled counter with no value yet (append errors in a healthy run) has only its # TYPE
    line: its label name is then the one util/metrics.cpp renders it with."""
    labels = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels.setdefault(s.name, set()).update(s.labels)
    with open(os.path.join(src, "util", "metrics.cpp")) as f:
        declared = dict(re.findall(r'counter_lines\(out, "([a-z_]+)", "([a-z_]+)"', f.read()))
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
        suffixes = ("_bucket", "_sum", "_count") if kind == "histogram" else ("",)
        for suffix in suffixes:
            if name + suffix not in labels:
                labels[name + suffix] = {declared[name]} if name in declared else set()
    return labels


def source_strings(src):
    """Every double-quoted string literal of the service's sources."""
    found = set()
    for folder in ("util", "domain", "storage", "actors", "http", "bus", "app"):
        for name in os.listdir(os.path.join(src, folder)):
            if name.endswith(".cpp"):
                with open(os.path.join(src, folder, name)) as f:
                    found.update(re.findall(r'"([^"\\]*)"', f.read()))
    return found


SELECTOR = re.compile(r"\b(coursefactory_[a-z0-9_]+)(\{([^}]*)\})?")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


def check_names(where, expr, metrics, strings):
    """Problems of one PromQL expression against the real exposition."""
    problems, used = [], set()
    for m in SELECTOR.finditer(expr):
        name, matchers = m.group(1), m.group(3) or ""
        if name not in metrics:
            problems.append("%s: %s is not in /metrics" % (where, name))
            continue
        used |= metrics[name]
        for label, op, value in MATCHER.findall(matchers):
            if label in TARGET_LABELS:
                continue
            if label not in metrics[name]:
                problems.append("%s: %s has no label %s" % (where, name, label))
            elif op == "=" and value not in strings:
                problems.append("%s: %s{%s=\"%s\"}: no source writes that value"
                                % (where, name, label, value))
    for group in GROUPING.findall(expr):
        for label in (l.strip() for l in group.split(",")):
            if label and label not in TARGET_LABELS and label not in used:
                problems.append("%s: grouping by %s, a label of none of its metrics"
                                % (where, label))
    return problems


def main():
    binary, src = sys.argv[1], sys.argv[2]
    mon = os.path.join(src, "docs", "monitoring")
    if not shutil.which("promtool"):
        print("promtool is missing: run scripts/setup.sh\n0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="coursefactory-monitoring-")
    try:
        dashboard_exprs = check_promtool(mon, work)
        metrics = exposed(real_scrape(binary, work), src)
        strings = source_strings(src)
        with open(mon + "/alerts.yml") as f:
            alert_exprs = re.findall(r"^\s+expr: (?:\|\n)?((?:.*\n)+?)(?=\s+(?:for|labels):)",
                                     f.read(), re.M)
        if len(alert_exprs) < 10:
            raise TestFailure("read only %d alert expressions" % len(alert_exprs))
        problems, referenced = [], set()
        for where, exprs in (("alerts.yml", alert_exprs),
                             ("grafana-dashboard.json", dashboard_exprs)):
            for e in exprs:
                referenced.update(m.group(1) for m in SELECTOR.finditer(e))
                problems += check_names(where, e, metrics, strings)
        if problems:
            raise TestFailure("\n".join(problems))
        print("monitoring test: %d alert and %d dashboard expressions; %d coursefactory metrics "
              "they name, all in a real /metrics (%d series names)"
              % (len(alert_exprs), len(dashboard_exprs), len(referenced), len(metrics)))
        print("1 passed, 0 failed")
        return 0
    except (TestFailure, subprocess.SubprocessError, OSError) as e:
        print("FAILED: %s" % e)
        return failed(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
