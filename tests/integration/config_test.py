#!/usr/bin/env python3
"""Configuration on the real binary (issue 16): `--version` (and the same in /v1/health and
/metrics), `--state-dir` holding every file the service makes, `verify`/`backup`/`rebuild`/`token`
reading `--config` and the environment like `serve`, an old flag name warning, an unknown
COURSEFACTORY_* variable warning.

usage: config_test.py COURSEFACTORY_BINARY SOURCE_DIR     (exit 0 when it passes)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PATIENCE_S = 30
VERSION = re.compile(r"^coursefactory (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}(?:-dirty)?|unknown), "
                     r"schema (\d+)\)$")


def fail(why):
    print("config_test: FAIL: " + why)
    sys.exit(1)


def check(ok, why):
    if not ok:
        fail(why)


def run(binary, *args, cwd, env=None):
    """Runs `coursefactory ARGS` in `cwd` with only PATH (and `env`) set: (code, stdout, stderr)."""
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for name in ("UBSAN_OPTIONS", "ASAN_OPTIONS"):
        if name in os.environ:
            full[name] = os.environ[name]
    full.update(env or {})
    p = subprocess.run([binary, *args], cwd=cwd, env=full, capture_output=True, text=True,
                       timeout=PATIENCE_S)
    return p.returncode, p.stdout, p.stderr


def check_version(binary, source, work):
    rc, out, err = run(binary, "--version", cwd=work)
    check(rc == 0, "--version: exit %d %s" % (rc, err))
    m = VERSION.match(out.strip())
    check(m is not None, "--version printed %r" % out)
    git = subprocess.run(["git", "-C", source, "rev-parse", "--short=12", "HEAD"],
                         capture_output=True, text=True)
    if git.returncode == 0:  # a checkout: the commit it was built from (tests run on a fresh build)
        check(m.group(2).startswith(git.stdout.strip()),
              "--version names commit %s, the checkout is at %s" % (m.group(2), git.stdout.strip()))
    return m.group(1), m.group(2), int(m.group(3))


def start(binary, work, state):
    """`serve` with its files in `state`, started in `work`, on a port it picks."""
    out = open(os.path.join(work, "serve.out"), "w")
    proc = subprocess.Popen([binary, "serve", "--state-dir", state, "--http-port", "0"], cwd=work,
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        with open(os.path.join(work, "serve.out")) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    with open(os.path.join(work, "serve.out")) as f:
        fail("serve did not start: " + f.read())


def get(port, path, token=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=PATIENCE_S) as res:
        return res.read().decode()


def post_course(port, token):
    body = json.dumps({"title": "Config", "language": "en", "audiences": ["ops"],
                       "lesson_count": 1, "user_id": "config"}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/v1/courses" % port, data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=PATIENCE_S) as res:
        check(res.status == 202, "POST /v1/courses: %d" % res.status)
        return json.loads(res.read())["course_id"]


def check_serve(binary, work, state, version):
    proc, port = start(binary, work, state)
    try:
        for name in ("coursefactory.db", "stripe-webhook-secret", "admin-token", "site"):
            check(os.path.exists(os.path.join(state, name)), name + " is not in --state-dir")
        check(not os.path.exists(os.path.join(work, "var")), "serve made ./var besides --state-dir")
        with open(os.path.join(state, "admin-token")) as f:
            token = f.read().strip()
        health = json.loads(get(port, "/v1/health"))
        check((health.get("version"), health.get("commit"), health.get("schema")) == version,
              "/v1/health says %r, --version %r" % (health, version))
        metrics = get(port, "/metrics", token)
        line = 'coursefactory_build_info{version="%s",commit="%s",schema="%d"} 1' % version
        check(line in metrics.splitlines(), "no %r in /metrics" % line)
        course = post_course(port, token)
        deadline = time.monotonic() + PATIENCE_S
        # Published is where a free course rests: no event follows it.
        while json.loads(get(port, "/v1/courses/" + course, token))["status"] != "published":
            check(time.monotonic() < deadline, "the course was not published")
            time.sleep(0.05)
        return json.loads(get(port, "/v1/health"))["last_seq"]
    finally:
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(timeout=PATIENCE_S) == 0, "serve did not stop with exit 0")


def check_commands(binary, work, state, head):
    ini = os.path.join(work, "cf.ini")
    with open(ini, "w") as f:
        f.write("[state]\ndir = %s\n" % state)
    other = os.path.join(work, "other.ini")
    with open(other, "w") as f:
        f.write("[state]\ndir = %s\n" % os.path.join(work, "elsewhere"))
    ok = "ok: %d events" % head
    rc, out, err = run(binary, "verify", "--config", ini, cwd=work)
    check(rc == 0 and out.startswith(ok), "verify --config: exit %d %r %r" % (rc, out, err))
    check(err == "", "verify --config warned: %r" % err)
    rc, out, err = run(binary, "verify", "--config", other, cwd=work)
    check(rc == 2 and "elsewhere/coursefactory.db" in err,
          "verify --config OTHER did not look in its state dir: exit %d %r" % (rc, err))
    rc, out, err = run(binary, "verify", cwd=work, env={"COURSEFACTORY_STATE_DIR": state})
    check(rc == 0 and out.startswith(ok), "verify with COURSEFACTORY_STATE_DIR: %d %r" % (rc, err))
    # Flag over environment over file.
    rc, out, err = run(binary, "verify", "--config", other, "--state-dir", state, cwd=work,
                       env={"COURSEFACTORY_STATE_DIR": os.path.join(work, "nowhere")})
    check(rc == 0 and out.startswith(ok), "--state-dir did not beat env and file: %d %r" % (rc, err))
    rc, out, err = run(binary, "verify", "--config", other, cwd=work,
                       env={"COURSEFACTORY_STATE_DIR": state})
    check(rc == 0 and out.startswith(ok), "the environment did not beat the file: %d %r" % (rc, err))
    # Defaults: ./var of the working directory.
    os.symlink(state, os.path.join(work, "var"))
    rc, out, err = run(binary, "verify", cwd=work)
    check(rc == 0 and out.startswith(ok), "plain verify did not read ./var: %d %r" % (rc, err))
    os.remove(os.path.join(work, "var"))
    target = os.path.join(work, "copy.db")
    rc, out, err = run(binary, "backup", "--config", ini, target, cwd=work)
    check(rc == 0 and os.path.exists(target), "backup --config: exit %d %r" % (rc, err))
    rc, out, err = run(binary, "rebuild", "--config", ini, cwd=work)
    check(rc == 0 and out.startswith("rebuilt: %d events" % head), "rebuild --config: %r %r" % (out, err))
    rc, out, err = run(binary, "token", "list", "--config", ini, cwd=work)
    check(rc == 0 and "\nadmin\t" in out, "token list --config: exit %d %r %r" % (rc, out, err))
    # The old flag name works and warns; an unknown variable warns.
    rc, out, err = run(binary, "verify", "--db", os.path.join(state, "coursefactory.db"), cwd=work,
                       env={"COURSEFACTORY_STORAGE_DBB": "x"})
    check(rc == 0 and out.startswith(ok), "verify --db: exit %d %r" % (rc, err))
    check("--db is deprecated: use --storage-db" in err, "no deprecation warning: %r" % err)
    check("COURSEFACTORY_STORAGE_DBB names no setting" in err, "unknown variable not said: %r" % err)


def main(binary, source):
    binary = os.path.abspath(binary)
    work = tempfile.mkdtemp(prefix="cf-config-")
    try:
        version = check_version(binary, source, work)
        state = os.path.join(work, "state")
        head = check_serve(binary, work, state, version)
        check_commands(binary, work, state, head)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("config_test: ok (version %s, commit %s, schema %d)" % version)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
