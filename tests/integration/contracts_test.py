#!/usr/bin/env python3
"""The real binary through course lifecycles, every answer checked against docs/openapi.json and
every event against the event schemas and docs/asyncapi.json (issue 16): a free course published
(channels site and webhook), a priced one paid by a signed Stripe webhook and published, a dry
run, and the refusals (400, 401, 403, 404, 405, 409, 415, 422). Every body must fit the schema of
its route and status; every event of GET /v1/events and of the SSE stream its type's schema; every
course webhook delivery its message; a webhook target refusing a course (distribution failed,
retried) and an expired checkout (payment failed) give the failure events. On a real
redis-server: every relayed entry in both formats (cloudevents, then platform after a restart)
fits its message, an inbound payment that fits its schema counts and one that does not is
dead-lettered with the schema's violation as reason. The console's routes (contracts_console.py).
First of all: every route and query parameter http/ serves is in the document. The served
documents must be docs/'s, public, and every documented operation must have been answered with
its success status; 405s name exactly the documented methods in Allow. The validator must refuse
altered copies (an extra field, a missing one, an unknown schema version), so it cannot pass by
accepting anything.

usage: contracts_test.py BINARY
"""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bus_test import Redis, wait_for  # noqa: E402
from contracts_console import console_api, sse_messages  # noqa: E402
from contract_check import DOCS, AsyncApi, EventSchemas, OpenApi, load, undocumented_routes  # noqa: E402,E501

PATIENCE_S = 30  # only a hang takes that long


def fail(msg):
    raise SystemExit("contracts: FAIL: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


class Receiver(http.server.BaseHTTPRequestHandler):
    """The course webhook's target: records (headers, body) of every delivery, answers 200."""
    deliveries = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.deliveries.append((dict(self.headers), body))
        refused = json.loads(body).get("title", "").startswith("Refused")  # a final 4xx
        self.send_response(400 if refused else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Service:
    def __init__(self, binary, work, receiver_url, redis_port):
        self.binary, self.work = binary, work
        self.var = os.path.join(work, "var")
        self.db = os.path.join(self.var, "events.db")
        self.args = [binary, "serve", "--port", "0", "--db", self.db,
                     "--site-dir", os.path.join(self.var, "site"),
                     "--stripe-webhook-secret-file", os.path.join(self.var, "secret"),
                     "--distribution-channels", "site,webhook",
                     "--distribution-webhook-urls", receiver_url,
                     "--redis-url", "redis://127.0.0.1:%d" % redis_port]
        self.start()
        with open(os.path.join(self.var, "admin-token")) as f:
            self.admin = f.read().strip()
        with open(os.path.join(self.var, "secret")) as f:
            self.secret = f.read().strip()
        self.openapi = OpenApi()
        self.answers = 0

    def start(self, *extra):
        path = os.path.join(self.work, "out")
        skip = os.path.getsize(path) if os.path.exists(path) else 0  # earlier runs
        with open(path, "ab") as out:
            self.proc = subprocess.Popen(self.args + list(extra), stdout=out,
                                         stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + PATIENCE_S
        while self.port is None and time.monotonic() < deadline:
            with open(path, "rb") as f:
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read()[skip:])
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                fail("the service exited early")
            else:
                time.sleep(0.05)
        check(self.port is not None, "the service did not report its port")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        check(self.proc.wait(timeout=PATIENCE_S) == 0, "exit code after SIGTERM not 0")

    def token(self, name, scopes):
        p = subprocess.run([self.binary, "token", "create", "--name", name, "--scopes", scopes,
                            "--db", self.db], capture_output=True, text=True, timeout=PATIENCE_S)
        m = re.search(r"cf_[0-9a-f]{64}", p.stdout)
        check(p.returncode == 0 and m, "token create: %s %s" % (p.stdout, p.stderr))
        return m.group(0)

    def call(self, method, path, expect, body=None, token="admin", headers=None, raw=None):
        """One request; its status must be `expect` and its answer must fit the document.
        Returns (parsed JSON body or text, headers)."""
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token is not None:
            hdrs["Authorization"] = "Bearer " + (self.admin if token == "admin" else token)
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=PATIENCE_S) as r:
                status, rh, text = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            status, rh, text = e.code, e.headers, e.read().decode()
        check(status == expect, "%s %s: %d, not %d: %s" % (method, path, status, expect,
                                                           text[:300]))
        found = self.openapi.check(method, path, status, rh.get("Content-Type"), text,
                                   rh.get("Allow"))
        check(not found, "the answer does not fit docs/openapi.json:\n  " + "\n  ".join(found))
        self.answers += 1
        ctype = rh.get("Content-Type", "")
        return (json.loads(text) if "json" in ctype else text), rh

    def probe(self, path, token):
        """The status of GET `path` with `token`, unchecked (for waiting only)."""
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=PATIENCE_S) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def await_status(self, course_id, status):
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            course = self.call("GET", "/v1/courses/" + course_id, 200)[0]
            if course["status"] == status:
                return course
            time.sleep(0.05)
        fail("course %s did not reach %s (is %s)" % (course_id, status, course["status"]))

    def stripe(self, body, signed=True):
        raw = json.dumps(body).encode()
        t = int(time.time())
        mac = hmac.new(self.secret.encode(), b"%d." % t + raw, hashlib.sha256).hexdigest()
        sig = "t=%d,v1=%s" % (t, mac if signed else "0" * 64)
        return self.call("POST", "/v1/payments/webhook", 200 if signed else 400, raw=raw,
                         token=None, headers={"Content-Type": "application/json",
                                              "Stripe-Signature": sig})[0]


def order(title, **more):
    return {"title": title, "language": "en", "audiences": ["Ops"], "lesson_count": 1,
            "user_id": "contracts-test", **more}


def lifecycles(svc):
    """The courses and every refusal; returns the ids."""
    free = svc.call("POST", "/v1/courses", 202, order("Free course"),
                    headers={"Idempotency-Key": "k-1", "X-Correlation-ID": "corr-1"})[0]
    again, h = svc.call("POST", "/v1/courses", 202, order("Free course"),
                        headers={"Idempotency-Key": "k-1"})
    check(again["course_id"] == free["course_id"] and h.get("Idempotent-Replayed") == "true",
          "the idempotent replay")
    svc.call("POST", "/v1/courses", 422, order("Another"), headers={"Idempotency-Key": "k-1"})
    priced = svc.call("POST", "/v1/courses", 202,
                      order("Priced course", price={"amount_cents": 4900, "currency": "EUR"}))[0]
    dry = svc.call("POST", "/v1/courses", 202, order("Dry run", dry_run=True))[0]
    svc.call("POST", "/v1/courses", 400, raw=b"{not json", headers={"Content-Type":
                                                                     "application/json"})
    svc.call("POST", "/v1/courses", 415, raw=b"x", headers={"Content-Type": "text/plain"})
    bad = svc.call("POST", "/v1/courses", 422, {"title": "x", "lesson_count": 99})[0]
    check(len(bad["errors"]) >= 3, "validation errors listed: %s" % bad)
    svc.call("POST", "/v1/courses", 400, order("Bad key"), headers={"Idempotency-Key": "a b"})
    svc.await_status(free["course_id"], "published")
    svc.await_status(dry["course_id"], "generated")
    awaiting = svc.await_status(priced["course_id"], "awaiting_payment")
    session = {"id": "evt_contracts_1", "type": "checkout.session.completed",
               "data": {"object": {"payment_intent": "pi_1", "amount_total": 4900,
                                   "currency": "eur", "payment_status": "paid",
                                   "metadata": {"course_id": priced["course_id"],
                                                "payment_id": awaiting["payment_id"]}}}}
    check(svc.stripe(session)["result"] == "recorded", "the payment was not recorded")
    check(svc.stripe(session)["result"] == "duplicate", "a repeated event is a duplicate")
    svc.stripe(session, signed=False)
    check(svc.stripe({"id": "evt_2", "type": "customer.created"})["result"] == "ignored",
          "another type is ignored")
    svc.await_status(priced["course_id"], "published")
    # The failures: a webhook target refusing the course, and a payment session expiring.
    refused = svc.call("POST", "/v1/courses", 202, order("Refused course"))[0]["course_id"]
    svc.await_status(refused, "distribution_failed")
    svc.call("POST", "/v1/courses/%s/retry" % refused, 202)
    svc.await_status(refused, "distribution_failed")
    unpaid = svc.call("POST", "/v1/courses", 202,
                      order("Unpaid course", price={"amount_cents": 100, "currency": "EUR"}))[0]
    svc.await_status(unpaid["course_id"], "awaiting_payment")
    svc.stripe({"id": "evt_contracts_3", "type": "checkout.session.expired",
                "data": {"object": {"metadata": {"course_id": unpaid["course_id"]}}}})
    svc.await_status(unpaid["course_id"], "payment_failed")
    return [free["course_id"], priced["course_id"], dry["course_id"], refused]


def reads_and_refusals(svc, ids):
    page = svc.call("GET", "/v1/courses?limit=2", 200)[0]
    check(len(page["items"]) == 2 and page["next_after"], "first page: %s" % page)
    svc.call("GET", "/v1/courses?limit=2&after=" + page["next_after"], 200)
    svc.call("GET", "/v1/courses?status=published", 200)
    svc.call("GET", "/v1/courses?status=nonsense&limit=0", 400)
    svc.call("GET", "/v1/courses/" + "0" * 36, 404)
    for i in ids:
        svc.call("GET", "/v1/courses/%s/events?limit=5" % i, 200)
    svc.call("GET", "/v1/courses/%s/events" % ("0" * 36), 404)
    svc.call("GET", "/v1/courses/%s/events?after=x" % ids[0], 400)
    svc.call("POST", "/v1/courses/%s/retry" % ids[0], 409)
    svc.call("POST", "/v1/courses/%s/retry" % ("0" * 36), 404)
    svc.call("GET", "/v1/events?type=course.payment.*&limit=3", 200)
    svc.call("GET", "/v1/events?subject=" + ids[1], 200)
    svc.call("GET", "/v1/events?type=bad..type", 400)
    svc.call("GET", "/v1/events/stream?after=x", 400)
    svc.call("GET", "/v1/health", 200, token=None)
    svc.call("GET", "/metrics", 200)
    svc.call("GET", "/metrics", 401, token=None)
    svc.call("GET", "/v1/courses", 401, token="cf_" + "0" * 64)
    reader = svc.token("reader", "courses:read")
    deadline = time.monotonic() + PATIENCE_S  # a new token counts within a second (README)
    while svc.probe("/v1/courses", reader) == 401 and time.monotonic() < deadline:
        time.sleep(0.05)
    svc.call("GET", "/v1/courses", 200, token=reader)
    svc.call("GET", "/v1/events", 403, token=reader)
    svc.call("POST", "/v1/courses", 403, order("Not mine"), token=reader)
    svc.call("PUT", "/v1/courses", 405, order("Put"))
    svc.call("DELETE", "/v1/courses/" + ids[0], 405)
    svc.call("POST", "/v1/openapi.json", 405, {})
    for name in ("openapi.json", "asyncapi.json"):
        served = svc.call("GET", "/v1/" + name, 200, token=None)[0]
        with open(os.path.join(DOCS, name), encoding="utf-8") as f:
            check(served == json.load(f), "/v1/%s is not docs/%s" % (name, name))


def stored_events(svc):
    events, after = [], 0
    while True:
        page = svc.call("GET", "/v1/events?limit=1000&after=%d" % after, 200)[0]
        events += page["events"]
        if page["next_after"] is None:
            return events
        after = page["next_after"]


def streamed_events(svc, head):
    """The SSE stream from the start until seq `head`: [(event field, parsed data)]."""
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=PATIENCE_S)
    conn.request("GET", "/v1/events/stream?after=0",
                 headers={"Authorization": "Bearer " + svc.admin})
    res = conn.getresponse()
    check(res.status == 200, "stream: %d" % res.status)
    found = svc.openapi.check("GET", "/v1/events/stream", 200, res.getheader("Content-Type"), "")
    check(not found, "; ".join(found))
    out = []
    for message in sse_messages(res.fp):
        out.append(message)
        if message[1]["seq"] >= head:
            break
    conn.close()
    return out


def check_events(svc):
    schemas, asyncapi = EventSchemas(), AsyncApi()
    events = stored_events(svc)
    types = {e["type"] for e in events}
    check(len(types) >= 8, "the lifecycles produced only %s" % sorted(types))
    for e in events:
        found = schemas.check(e)
        check(not found, "event %s (%s) does not fit docs/schemas/: %s" % (e["seq"], e["type"],
                                                                           found))
    streamed = streamed_events(svc, events[-1]["seq"])
    check([e for _, e in streamed] == events, "the stream's events are not the log's")
    for name, e in streamed:
        check(name == e["type"], "SSE event field %s for a %s" % (name, e["type"]))
        found = asyncapi.check("event." + name, e)
        check(not found, "SSE message %s does not fit docs/asyncapi.json: %s" % (e["seq"], found))
    check(len(Receiver.deliveries) >= 2, "webhook deliveries: %d" % len(Receiver.deliveries))
    for headers, body in Receiver.deliveries:
        found = asyncapi.check("courseWebhook", json.loads(body))
        found += asyncapi.doc["components"]["messages"]["courseWebhook"]["headers"] and [
            "header %s missing" % h for h in ("Coursefactory-Signature", "Idempotency-Key")
            if h not in headers]
        check(not found, "course webhook delivery: %s" % found)
    return events, schemas, asyncapi


def check_bus(svc, red, events, asyncapi):
    """The relay's stream (cloudevents format) holds every event, each entry fitting its message;
    an inbound payment that fits its schema counts, one that does not is dead-lettered with the
    schema's violation as its reason, and the document refuses it too."""
    r = red.client()
    wait_for("the relay to catch up", lambda: r.xlen("coursefactory:events") >= len(events))
    entries = r.xrange("coursefactory:events")
    for _, f in entries:
        found = asyncapi.check("busCloudEvents", f)
        found += asyncapi.check_schema("CloudEvent", json.loads(f["data"]))
        if f["type"] == "course.distribution.requested":
            found += asyncapi.check("distributionOrder", f)
        check(not found, "bus entry %s: %s" % (f.get("seq"), found))
    check([json.loads(f["data"]) for _, f in entries[:len(events)]] == events,
          "the bus stream is not the log")
    course = svc.call("POST", "/v1/courses", 202,
                      order("Bus-paid course", price={"amount_cents": 250, "currency": "EUR"}))[0]
    svc.await_status(course["course_id"], "awaiting_payment")
    payload = {"course_id": course["course_id"], "transaction_id": "tx-bus-1",
               "amount_cents": 250, "currency": "EUR"}
    good = {"event": json.dumps({"id": "bus-pay-1", "type": "payment.completed",
                                 "payload": payload})}
    bad = {"event": json.dumps({"id": "bus-pay-2", "type": "payment.completed",
                                "payload": dict(payload, amount_cents="250")})}
    check(not asyncapi.check("inboundEvent", good)
          and not asyncapi.check_schema("InboundPlatform", json.loads(good["event"])),
          "the good inbound message does not fit the document")
    check(asyncapi.check_schema("InboundPlatform", json.loads(bad["event"])),
          "the document accepts an amount given as text")
    r.xadd("coursefactory:inbound", bad)
    r.xadd("coursefactory:inbound", good)
    svc.await_status(course["course_id"], "published")
    wait_for("the dead letter", lambda: r.xlen("coursefactory:inbound:dead") == 1)
    (_, dead), = r.xrange("coursefactory:inbound:dead")
    check(dead["reason"] == "payload.amount_cents: must be integer",
          "dead letter reason: %s" % dead["reason"])
    check(not asyncapi.check("deadLetter", dead), "the dead letter does not fit its message")
    return len(entries)


def check_platform_format(svc, red, asyncapi):
    """The same log relayed in the platform format (a restart with bus.envelope = platform on a
    stream of its own): every entry fits busPlatform and its envelope PlatformEnvelope."""
    svc.stop()
    svc.start("--bus-envelope", "platform", "--bus-stream", "coursefactory:platform")
    head = svc.call("GET", "/v1/health", 200, token=None)[0]["last_seq"]
    r = red.client()
    wait_for("the platform relay", lambda: r.xlen("coursefactory:platform") >= head)
    entries = r.xrange("coursefactory:platform")
    for _, f in entries:
        found = asyncapi.check("busPlatform", f)
        found += asyncapi.check_schema("PlatformEnvelope", json.loads(f["event"]))
        check(not found, "platform entry: %s" % found)
    return len(entries)


def check_validator_refuses(svc, events, schemas, asyncapi):
    """Altered copies of real answers and events must fail: the checks can fail."""
    course, _ = svc.call("GET", "/v1/courses?limit=1", 200)
    extra = json.loads(json.dumps(course))
    extra["items"][0]["bogus"] = 1
    check(svc.openapi.check("GET", "/v1/courses", 200, "application/json", json.dumps(extra)),
          "a course with an unknown field passed")
    missing = json.loads(json.dumps(events[-1]))
    missing["data"].pop("course_id")
    check(schemas.check(missing), "an event without data.course_id passed")
    check(asyncapi.check("event." + missing["type"], missing), "the same passed AsyncAPI")
    retyped = json.loads(json.dumps(events[0]))
    retyped["schemaversion"] = 99
    check(schemas.check(retyped) and asyncapi.check("event." + retyped["type"], retyped),
          "an unknown schema version passed")


def check_readme_example(svc):
    """The README's request check, run as written against the served document; the same check
    refuses a body the service would refuse."""
    with open(os.path.join(DOCS, "..", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    m = re.search(r"<!-- contracts example -->\n```python\n(.*?)```", readme, re.S)
    check(m is not None, "the README has no contracts example")
    code = m.group(1).replace("http://localhost:8080", "http://127.0.0.1:%d" % svc.port)
    scope = {}
    exec(code, scope)  # raises when the README's body does not fit
    import jsonschema
    bad = dict(scope["body"], lesson_count=11)
    try:
        jsonschema.Draft202012Validator({**scope["schema"], "components": scope["doc"][
            "components"]}).validate(bad)
        fail("the README's check accepted lesson_count 11")
    except jsonschema.ValidationError:
        pass
    svc.call("POST", "/v1/courses", 202, scope["body"])  # and the service takes what it passed
    svc.call("POST", "/v1/courses", 422, bad)


def check_coverage(svc):
    """Every documented operation answered at least once with its success status."""
    missing = []
    for template, item in svc.openapi.doc["paths"].items():
        for method, op in item.items():
            ok = min(s for s in op["responses"] if s.isdigit())
            if (template, method.upper(), ok) not in svc.openapi.seen:
                missing.append("%s %s %s" % (method.upper(), template, ok))
    check(not missing, "documented but never answered: " + ", ".join(missing))


def main():
    binary = os.path.abspath(sys.argv[1])
    missing = undocumented_routes(load("openapi.json"))  # drift: served but not documented
    check(not missing, "served by http/ but not in docs/openapi.json (tools/contracts/openapi.py):"
          "\n  " + "\n  ".join("%s %s (%s)" % m for m in missing))
    work = tempfile.mkdtemp(prefix="cf-contracts-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    svc = None
    red = Redis(work)
    try:
        red.start()
        svc = Service(binary, work, "http://127.0.0.1:%d/hook" % receiver.server_port, red.port)
        started = time.monotonic()
        ids = lifecycles(svc)
        reads_and_refusals(svc, ids)
        console_api(svc, ids, check)
        check_readme_example(svc)
        events, schemas, asyncapi = check_events(svc)
        entries = check_bus(svc, red, events, asyncapi)
        entries += check_platform_format(svc, red, asyncapi)
        check_validator_refuses(svc, events, schemas, asyncapi)
        check_coverage(svc)
        print("contracts: %d answers, %d events, %d bus entries, %d webhook deliveries fit the "
              "documents (%d response kinds; %.1f s)"
              % (svc.answers, len(events), entries, len(Receiver.deliveries),
                 len(svc.openapi.seen), time.monotonic() - started))
        svc.stop()
        svc = None
    finally:
        if svc is not None:
            svc.proc.kill()
            print(open(os.path.join(work, "out")).read()[-3000:])
        receiver.shutdown()
        if red.proc is not None:
            red.proc.kill()
            red.proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
