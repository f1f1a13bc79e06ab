"""contracts_e2e, the console's routes (issue 17): GET /v1/whoami, GET /v1/stats,
POST /v1/stream-tickets, GET /v1/courses?q=, GET /v1/events/stream?ticket= (once: the same ticket
again is 401) and the public files under /console/, each answer checked against
docs/openapi.json by Service.call (contracts_test.py) or, where urllib would not do (a redirect,
an endless stream), by the same OpenApi.check on an http.client answer."""
import http.client
import json
import time

PATIENCE_S = 30


def raw_get(svc, path):
    """GET `path` without a token and without following redirects, checked against the
    document; (status, headers, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=PATIENCE_S)
    try:
        conn.request("GET", path)
        res = conn.getresponse()
        text = res.read().decode("utf-8", "replace")
        found = svc.openapi.check("GET", path, res.status, res.getheader("Content-Type"), text)
        if found:
            raise SystemExit("contracts: FAIL: the answer does not fit docs/openapi.json:\n  "
                             + "\n  ".join(found))
        svc.answers += 1
        return res.status, res, text
    finally:
        conn.close()


def sse_messages(fp):
    """The messages of an SSE stream read from `fp`, as (event name, parsed data), endlessly."""
    name, data = None, []
    while True:
        line = fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif line == "" and data:
            yield name, json.loads("\n".join(data))
            name, data = None, []


def first_streamed_event(svc, ticket):
    """Opens the SSE stream with ?ticket= (no Authorization) after seq 0; the status, and the
    first message's (event name, parsed data)."""
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=PATIENCE_S)
    try:
        path = "/v1/events/stream?after=0&ticket=" + ticket
        conn.request("GET", path)
        res = conn.getresponse()
        found = svc.openapi.check("GET", path, res.status, res.getheader("Content-Type"), "")
        if res.status != 200 or found:
            raise SystemExit("contracts: FAIL: stream with a ticket: %d %s" % (res.status, found))
        svc.answers += 1
        return next(sse_messages(res.fp))
    finally:
        conn.close()


def await_token(svc, token):
    deadline = time.monotonic() + PATIENCE_S  # a new token counts within a second (README)
    while svc.probe("/v1/whoami", token) == 401 and time.monotonic() < deadline:
        time.sleep(0.05)


def console_api(svc, ids, check):
    """The console's routes; `ids` are lifecycles()'s courses: free, priced, dry run, refused."""
    me = svc.call("GET", "/v1/whoami", 200)[0]
    check(set(me["scopes"]) == {"courses:write", "courses:read", "events:read", "metrics:read"},
          "whoami of the admin token: %s" % me)
    watcher = svc.token("watcher", "events:read")
    await_token(svc, watcher)
    me = svc.call("GET", "/v1/whoami", 200, token=watcher)[0]
    check(me == {"name": "watcher", "scopes": ["events:read"]}, "whoami: %s" % me)
    svc.call("GET", "/v1/whoami", 401, token=None)
    svc.call("GET", "/v1/stats", 403, token=watcher)

    stats = svc.call("GET", "/v1/stats", 200)[0]
    courses = svc.call("GET", "/v1/courses?limit=500", 200)[0]["items"]
    check(sum(stats["courses_by_status"].values()) == len(courses) >= len(ids),
          "stats count %s, listed %d" % (stats["courses_by_status"], len(courses)))
    check(stats["relay"] is not None and "course.generation.started" in stats["event_types"]
          and stats["head_seq"] >= len(ids), "stats: %s" % stats)

    found = svc.call("GET", "/v1/courses?q=PRICED", 200)[0]["items"]  # any case
    check([c["course_id"] for c in found] == [ids[1]], "q=PRICED found %s" % found)
    prefix = ids[2][:13]
    found = svc.call("GET", "/v1/courses?q=" + prefix, 200)[0]["items"]
    check(ids[2] in [c["course_id"] for c in found]
          and all(c["course_id"].startswith(prefix) or prefix in c["title"] for c in found),
          "q=%s found %s" % (prefix, found))
    svc.call("GET", "/v1/courses?q=" + "x" * 201, 400)

    ticket, headers = svc.call("POST", "/v1/stream-tickets", 201, token=watcher, raw=b"")
    check(headers.get("Cache-Control") == "no-store" and ticket["single_use"] is True,
          "ticket answer: %s %s" % (ticket, dict(headers)))
    lister = svc.token("lister", "courses:read")
    await_token(svc, lister)
    svc.call("POST", "/v1/stream-tickets", 403, token=lister, raw=b"")
    name, event = first_streamed_event(svc, ticket["ticket"])
    check(event["seq"] == 1 and name == event["type"], "first streamed event: %s %s"
          % (name, event))
    svc.call("GET", "/v1/events/stream?ticket=" + ticket["ticket"], 401, token=None)
    svc.call("GET", "/v1/events/stream?ticket=" + "0" * 64, 401, token=None)

    status, res, text = raw_get(svc, "/console")
    check(status == 308 and res.getheader("Location") == "/console/", "GET /console: %d" % status)
    status, res, text = raw_get(svc, "/console/")
    check(status == 200 and "<html" in text.lower(), "GET /console/: %d" % status)
    status, res, _ = raw_get(svc, "/console/console.js")
    check(status == 200 and res.getheader("Content-Security-Policy"), "console.js: %d" % status)
    check(raw_get(svc, "/console/nothing.js")[0] == 404, "an unknown console file is not 404")
