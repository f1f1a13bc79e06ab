#!/usr/bin/env python3
"""API tokens and scopes against the real binary (issue 13): the admin token a first start
writes (mode 0600, its path in the log, never the token), 401 without or with a wrong token
(WWW-Authenticate: Bearer, problem+json), 403 without the scope, public routes stay public,
`coursefactory token create` while the service runs takes effect within a second and
`token revoke` too, bad arguments write nothing, and every event a request causes names its
token (`actor`).

usage: auth_test.py BINARY
"""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PATIENCE_S = 30      # how long to wait for what must happen: only a hang takes that long
TAKES_EFFECT_S = 1.0  # a created or revoked token counts within this time (README, "Security")


def fail(msg):
    raise SystemExit("auth: FAIL: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


class Service:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.db = os.path.join(work, "var", "events.db")
        self.out = os.path.join(work, "out")
        self.proc, self.port = None, None

    def start(self):
        skip = os.path.getsize(self.out) if os.path.exists(self.out) else 0  # earlier runs
        with open(self.out, "ab") as out:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--port", "0", "--db", self.db,
                 "--site-dir", os.path.join(self.work, "var", "site"),
                 "--stripe-webhook-secret-file", os.path.join(self.work, "var", "secret")],
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            with open(self.out, "rb") as f:
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read()[skip:])
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                fail("the service exited early")
            time.sleep(0.05)
        fail("the service did not report its port")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        check(self.proc.wait(timeout=PATIENCE_S) == 0, "exit code after SIGTERM not 0")

    def call(self, method, path, token=None, body=None):
        """(status, headers, body text) of one request; `token` None sends no Authorization."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=PATIENCE_S) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def token(self, *args):
        """Runs `coursefactory token ARGS --db DB`: (exit code, stdout, stderr)."""
        p = subprocess.run([self.binary, "token", *args, "--db", self.db],
                           capture_output=True, text=True, timeout=PATIENCE_S)
        return p.returncode, p.stdout, p.stderr


def course(title):
    return {"title": title, "language": "en", "audiences": ["Ops"], "lesson_count": 1,
            "user_id": "auth-test", "dry_run": True}


def check_refused(answer, status, what):
    code, headers, body = answer
    check(code == status, "%s: answered %d, not %d: %s" % (what, code, status, body[:200]))
    check(headers.get("Content-Type", "").startswith("application/problem+json"),
          "%s: not problem+json" % what)
    check(json.loads(body)["status"] == status, "%s: problem status" % what)
    if status == 401:
        check(headers.get("WWW-Authenticate", "").startswith("Bearer"),
              "%s: no WWW-Authenticate: Bearer" % what)


def await_status(svc, path, token, status):
    """Polls until `path` answers `status` with `token`; returns the seconds it took. Fails
    after TAKES_EFFECT_S (the promise) with what it answered instead."""
    t0 = time.monotonic()
    while True:
        code = svc.call("GET", path, token)[0]
        waited = time.monotonic() - t0
        if code == status:
            return waited
        if waited > TAKES_EFFECT_S:
            fail("GET %s still answered %d, not %d, %.2f s after the command" % (
                path, code, status, waited))
        time.sleep(0.02)


def check_admin_token(svc):
    path = os.path.join(svc.work, "var", "admin-token")
    check(os.path.exists(path), "no var/admin-token next to the secret")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    check(mode == 0o600, "var/admin-token has mode %o, not 600" % mode)
    with open(path) as f:
        admin = f.read().strip()
    check(re.fullmatch(r"cf_[0-9a-f]{64}", admin) is not None, "admin token format: " + admin)
    with open(svc.out) as f:
        log = f.read()
    check(path in log or "var/admin-token" in log, "the log does not name the admin token file")
    check(admin not in log, "the log shows the admin token")
    return admin


def check_refusals(svc, admin):
    check_refused(svc.call("GET", "/v1/courses"), 401, "no token")
    check_refused(svc.call("POST", "/v1/courses", body=course("No token")), 401, "POST, no token")
    check_refused(svc.call("GET", "/v1/courses", "cf_" + "0" * 64), 401, "wrong token")
    check_refused(svc.call("GET", "/v1/events/stream", "nonsense"), 401, "stream, wrong token")
    check_refused(svc.call("GET", "/metrics"), 401, "metrics, no token")
    check(svc.call("GET", "/v1/health")[0] == 200, "/v1/health is not public")
    check(svc.call("GET", "/courses/none/")[0] == 404, "/courses/ is not public (not a 404)")
    status, _, body = svc.call("POST", "/v1/payments/webhook", body={})
    check(status == 400, "the webhook is not left to its signature check: %d %s" % (status, body))
    check(svc.call("GET", "/metrics", admin)[0] == 200, "admin cannot read /metrics")


def check_bad_arguments(svc):
    before = svc.token("list")[1]
    for args in (["create", "--name", "x"], ["create", "--name", "x", "--scopes", "nope"],
                 ["create", "--name", "bad name", "--scopes", "admin"],
                 ["create", "--name", "x", "--scopes", "admin", "--expires-in-days", "0"],
                 ["revoke"], ["frobnicate"]):
        rc, out, err = svc.token(*args)
        check(rc == 2, "token %s: exit %d, not 2" % (" ".join(args), rc))
        check(out == "", "token %s printed on stdout: %r" % (" ".join(args), out))
        check(err.strip() != "", "token %s: no message" % " ".join(args))
    check(svc.token("list")[1] == before, "a refused command changed the tokens")
    rc, _, err = svc.token("revoke", "nobody")
    check(rc == 1 and "nobody" in err, "revoking an unknown token: exit %d %s" % (rc, err))


def check_live_tokens(svc):
    rc, out, err = svc.token("create", "--name", "reader", "--scopes", "courses:read",
                             "--expires-in-days", "30")
    check(rc == 0, "token create: exit %d: %s" % (rc, err))
    reader = out.strip()
    check(out == reader + "\n" and re.fullmatch(r"cf_[0-9a-f]{64}", reader) is not None,
          "token create printed more than the token: %r" % out)
    took_create = await_status(svc, "/v1/courses", reader, 200)
    check_refused(svc.call("POST", "/v1/courses", reader, course("Reader writes")), 403,
                  "POST with courses:read only")
    check_refused(svc.call("GET", "/v1/events", reader), 403, "events with courses:read only")
    check_refused(svc.call("GET", "/metrics", reader), 403, "metrics with courses:read only")
    listing = svc.token("list")[1]
    check("reader" in listing and "courses:read" in listing, "token list: " + listing)
    for path in (svc.db, svc.db + "-wal"):
        if os.path.exists(path):
            with open(path, "rb") as f:
                check(reader.encode() not in f.read(), "the token itself is in " + path)
    check(reader not in listing, "token list shows the token")
    rc, _, err = svc.token("revoke", "reader")
    check(rc == 0, "token revoke: exit %d: %s" % (rc, err))
    took_revoke = await_status(svc, "/v1/courses", reader, 401)
    check("revoked" in svc.call("GET", "/v1/courses", reader)[2], "401 does not say revoked")
    return took_create, took_revoke


def check_actor(svc, admin):
    rc, out, _ = svc.token("create", "--name", "writer", "--scopes", "courses:write,events:read")
    check(rc == 0, "token create writer")
    writer = out.strip()
    await_status(svc, "/v1/events?limit=1", writer, 200)
    for token, name in ((admin, "admin"), (writer, "writer")):
        status, _, body = svc.call("POST", "/v1/courses", token, course("Made by " + name))
        check(status == 202, "POST as %s: %d %s" % (name, status, body))
        cid = json.loads(body)["course_id"]
        deadline = time.monotonic() + PATIENCE_S
        while True:  # a dry run ends at generation.completed
            events = json.loads(svc.call("GET", "/v1/courses/%s/events" % cid, token)[2])["events"]
            if len(events) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        check([e["type"] for e in events][:2] == ["course.generation.started",
                                                  "course.generation.completed"],
              "events of %s's course: %s" % (name, [e["type"] for e in events]))
        actors = {e.get("actor") for e in events}
        check(actors == {name}, "events of %s's course name %s" % (name, actors))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    work = tempfile.mkdtemp(prefix="cf_auth_")
    svc = Service(os.path.abspath(sys.argv[1]), work)
    try:
        svc.start()
        admin = check_admin_token(svc)
        check_refusals(svc, admin)
        check_bad_arguments(svc)
        took_create, took_revoke = check_live_tokens(svc)
        check_actor(svc, admin)
        svc.stop()
        # A restart keeps the tokens: no second admin token, the old one still works.
        svc.start()
        with open(os.path.join(work, "var", "admin-token")) as f:
            check(f.read().strip() == admin, "the admin token changed on restart")
        check(svc.call("GET", "/v1/courses", admin)[0] == 200, "admin after restart")
        svc.stop()
        print("auth: ok: 401/403/public routes, created token live after %.2f s, revoked after "
              "%.2f s, actor on events" % (took_create, took_revoke))
        shutil.rmtree(work, ignore_errors=True)
        return 0
    except SystemExit as e:
        print(e)
        with open(svc.out) as f:
            print("--- service output:\n" + f.read()[-3000:])
        return 1
    finally:
        if svc.proc and svc.proc.poll() is None:
            svc.proc.kill()


if __name__ == "__main__":
    sys.exit(main())
