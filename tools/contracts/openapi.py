"""The REST API as OpenAPI 3.1 (docs/openapi.json). The routes are described here, by hand,
from http/routes.cpp, http/payment_routes.cpp, http/event_stream.cpp, http/metrics_route.cpp,
http/contract_routes.cpp, http/console_routes.cpp and the scope table of http/auth.cpp; the event schemas come from the
catalogue (`coursefactory catalogue --schemas`)."""

STATUSES = ["generating", "generated", "generation_failed", "awaiting_payment", "paid",
            "payment_failed", "distributing", "published", "distribution_failed"]
ID = {"type": "string", "pattern": "^[0-9A-Za-z-]{1,64}$"}
SCOPES = ["courses:write", "courses:read", "events:read", "metrics:read"]


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def string(description, **more):
    return {"type": "string", "description": description, **more}


def obj(props, required, description=None, extra=False):
    out = {"type": "object", "properties": props, "required": required,
           "additionalProperties": extra}
    if description:
        out["description"] = description
    return out


def strings(description, lo=None, hi=None):
    out = {"type": "array", "items": {"type": "string"}, "description": description}
    if lo is not None:
        out["minItems"] = lo
    if hi is not None:
        out["maxItems"] = hi
    return out


def schemas(events):
    """Every named body; `events` is the catalogue's JSON Schemas."""
    lesson = obj({"title": string("Lesson title."), "objectives": strings("2-4 objectives."),
                  "duration_minutes": {"type": "integer", "minimum": 1},
                  "text": string("The lesson.")},
                 ["title", "objectives", "duration_minutes", "text"])
    out = {
        "Problem": obj({
            "type": string("urn:coursefactory:problem:<code>, e.g. ...:validation_failed."),
            "title": string("The status' phrase."),
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": string("What went wrong, for humans."),
            "errors": {"type": "array", "items": ref("FieldError"),
                       "description": "Field-level problems (validation_failed, invalid_query)."},
        }, ["type", "title", "status", "detail"], "RFC 9457 problem details."),
        "FieldError": obj({"field": string("e.g. price.amount_cents"),
                           "message": string("What is wrong with it.")}, ["field", "message"]),
        "Price": obj({"amount_cents": {"type": "integer", "minimum": 0, "maximum": 100000000},
                      "currency": string("ISO 4217, three upper-case letters.")},
                     ["amount_cents"], "Absent, null or 0: free."),
        "CourseRequest": obj({
            "title": string("The topic.", minLength=3, maxLength=200),
            "description": string("Optional.", maxLength=2000),
            "language": {"enum": ["en", "de"]},
            "audiences": {**strings("Who the course is for.", 1, 20),
                          "items": {"type": "string", "minLength": 1, "maxLength": 200}},
            "lesson_count": {"type": "integer", "minimum": 1, "maximum": 10},
            "user_id": string("Who orders it.", minLength=1, maxLength=200),
            "price": {"oneOf": [ref("Price"), {"type": "null"}]},
            "dry_run": {"type": "boolean", "description": "Generate only: never pay or publish."},
        }, ["title", "language", "audiences", "lesson_count", "user_id"]),
        "CourseAccepted": obj({
            "course_id": string("The new course (UUIDv7)."),
            "status": {"enum": STATUSES},
            "links": obj({"self": string("/v1/courses/{id}"),
                          "events": string("/v1/courses/{id}/events")}, ["self", "events"]),
        }, ["course_id", "status", "links"]),
        "CourseContent": obj({
            "language": string("en or de."),
            "modules": {"type": "array", "items": obj({
                "title": string("Module title."), "summary": string("What it covers."),
                "lessons": {"type": "array", "items": lesson}}, ["title", "summary", "lessons"])},
            "quiz": {"type": "array", "items": obj({
                "question": string("The question."),
                "options": {**strings("Four options."), "minItems": 4, "maxItems": 4},
                "answer": {"type": "integer", "minimum": 0, "maximum": 3,
                           "description": "Index of the right option."},
                "explanation": string("Why.")}, ["question", "options", "answer", "explanation"])},
            "landing_page": obj({"headline": string("Headline."),
                                 "value_proposition": string("Why take it."),
                                 "for_whom": strings("Who it is for."),
                                 "not_for_whom": strings("Who it is not for.")},
                                ["headline", "value_proposition", "for_whom", "not_for_whom"]),
        }, ["language", "modules", "quiz", "landing_page"], "The generated course."),
        "CourseSummary": obj({
            "course_id": string("UUIDv7."), "status": {"enum": STATUSES},
            "title": string("Topic."), "user_id": string("Who ordered it."),
            "language": string("en or de."), "dry_run": {"type": "boolean"},
            "price": {"oneOf": [ref("Price"), {"type": "null"}]},
            "version": {"type": "integer", "description": "Events of this course so far."},
            "last_seq": {"type": "integer", "description": "Its last event's seq."},
            "created_at": string("RFC 3339.", format="date-time"),
            "updated_at": string("RFC 3339.", format="date-time"),
            "attempt": {"type": "integer"},
            "last_error": string("The last failure, while failed or retrying."),
            "payment_id": string("While a payment is or was required."),
            "payment_expires_at": string("RFC 3339.", format="date-time"),
            "url": string("Public URL once published."),
        }, ["course_id", "status", "title", "user_id", "language", "dry_run", "price", "version",
            "last_seq", "created_at", "updated_at", "attempt"]),
        "CoursePage": obj({"items": {"type": "array", "items": ref("CourseSummary")},
                           "next_after": {"type": ["string", "null"],
                                          "description": "Pass as after; null on the last page."}},
                          ["items", "next_after"]),
        "EventPage": obj({"events": {"type": "array", "items": ref("CloudEvent")},
                          "next_after": {"type": ["integer", "null"],
                                         "description": "Pass as after; null at the end."}},
                         ["events", "next_after"]),
        "Health": obj({"status": {"const": "ok"}, "last_seq": {"type": "integer"},
                       "bus": {"enum": ["ok", "degraded"],
                               "description": "With bus.redis_url: is Redis reachable."},
                       "workers": {"type": "integer", "minimum": 0,
                                   "description": "generation.mode redis: workers of the last minute."},
                       "version": string("The release (coursefactory --version)."),
                       "commit": string("The git commit it was built from; unknown outside git."),
                       "schema": {"type": "integer", "minimum": 1,
                                  "description": "The database schema version it writes."}},
                      ["status", "last_seq", "version", "commit", "schema"]),
        "WebhookReceived": obj({"received": {"const": True},
                                "result": {"enum": ["recorded", "duplicate", "ignored"]},
                                "detail": string("What happened."),
                                "seq": {"type": "integer", "description": "The event recorded."}},
                               ["received", "result", "detail"]),
        "StripeEvent": {"type": "object", "required": ["id", "type"],
                        "description": "A Stripe event as Stripe sends it (checkout.session.completed"
                                       " and .expired, payment_intent.payment_failed are handled; "
                                       "data.object.metadata.course_id names the course).",
                        "properties": {"id": {"type": "string"}, "type": {"type": "string"},
                                       "data": {"type": "object"}}},
        "CloudEvent": events["cloudevent"],
        "WhoAmI": obj({"name": string("The token's name."),
                       "scopes": {"type": "array", "uniqueItems": True, "items": {"enum": SCOPES},
                                  "description": "The token's scopes."}}, ["name", "scopes"]),
        "Stats": obj({
            "head_seq": {"type": "integer", "minimum": 0, "description": "The last event's seq."},
            "courses_by_status": {"type": "object", "propertyNames": {"enum": STATUSES},
                                  "additionalProperties": {"type": "integer", "minimum": 0},
                                  "description": "Courses per status (statuses with none absent)."},
            "consumer_lag_events": {"type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                    "description": "Events each internal consumer has not yet "
                                                   "handled, by consumer."},
            "relay": {"oneOf": [{"type": "null"}, obj({
                "connected": {"type": "boolean", "description": "Redis reachable."},
                "lag_events": {"type": "integer", "minimum": 0,
                               "description": "Events not yet relayed to the bus."},
                "lag_seconds": {"type": "number", "minimum": 0,
                                "description": "Age of the oldest unrelayed event."}},
                ["connected", "lag_events", "lag_seconds"])],
                      "description": "The bus relay; null without bus.redis_url."},
            "event_types": strings("Every event type (the stream's event names)."),
            "time_us": {"type": "integer", "description": "Server time, microseconds since 1970."},
        }, ["head_seq", "courses_by_status", "consumer_lag_events", "relay", "event_types",
            "time_us"]),
        "StreamTicket": obj({
            "ticket": string("Pass as ?ticket= to GET /v1/events/stream.",
                             pattern="^[0-9a-f]{64}$"),
            "expires_in": {"type": "integer", "minimum": 0, "description": "Seconds it lives."},
            "single_use": {"const": True, "description": "It opens one stream only."},
            "event_types": strings("Every event type (the stream's event names)."),
        }, ["ticket", "expires_in", "single_use", "event_types"]),
    }
    out["Course"] = {**out["CourseSummary"], "description": "GET /v1/courses/{id}",
                     "properties": {**out["CourseSummary"]["properties"],
                                    "content": ref("CourseContent")}}
    for etype, versions in events["data"].items():
        for version, schema in versions.items():
            out["%s.v%s" % (etype, version)] = schema
    return out


PROBLEMS = {  # name: (status, description, headers)
    "BadRequest": (400, "Malformed JSON, query or header (problem type names which).", []),
    "Unauthorized": (401, "No valid token (unauthorized, invalid_token).", ["WWW-Authenticate"]),
    "Forbidden": (403, "The token lacks the route's scope (insufficient_scope).",
                  ["WWW-Authenticate"]),
    "NotFound": (404, "No such course, or console file (not_found).", []),
    "Conflict": (409, "Nothing to retry, or an Idempotency-Key twin still in progress.", []),
    "PayloadTooLarge": (413, "The body exceeds http.max_body_bytes.", []),
    "UnsupportedMediaType": (415, "Not application/json, or a Content-Encoding.", []),
    "Unprocessable": (422, "Invalid fields (validation_failed, with errors), or an "
                           "Idempotency-Key reused with another body.", []),
    "TooManyRequests": (429, "Rate limited or overloaded; nothing was written.", ["Retry-After"]),
    "Unavailable": (503, "Storage unavailable, not configured, or too many streams.",
                    ["Retry-After"]),
    "Timeout": (504, "The service did not answer in time; the request may still complete.", []),
}

HEADERS = {
    "WWW-Authenticate": "Bearer realm=\"coursefactory\"[, error=..., scope=...]",
    "Retry-After": "Seconds to wait before trying again.",
    "Location": "The course resource.",
    "X-Correlation-ID": "The correlation id every event of this request carries.",
    "Idempotent-Replayed": "true when this is the stored answer to an earlier request.",
    "Cache-Control": "no-store on a stream ticket; no-cache on the console's files.",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; ... (the console).",
}


def problem_response(description, headers=()):
    out = {"description": description,
           "content": {"application/problem+json": {"schema": ref("Problem")}}}
    if headers:
        out["headers"] = {h: {"$ref": "#/components/headers/" + h} for h in headers}
    return out


def answers(ok_status, ok, *problems, public=False):
    """Responses: the success, the named problems, and what every route may answer."""
    out = {str(ok_status): ok}
    common = [] if public else ["Unauthorized", "Forbidden"]
    for name in list(problems) + common + ["TooManyRequests"]:
        out[str(PROBLEMS[name][0])] = {"$ref": "#/components/responses/" + name}
    out["default"] = {"$ref": "#/components/responses/Problem"}
    return out


def json_ok(description, schema, headers=()):
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = {h: {"$ref": "#/components/headers/" + h} for h in headers}
    return out


def query(name, description, schema, where="query", required=False):
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema}


def scoped(scope):
    return [{"bearer": [scope]}]


def event_query(with_subject):
    params = [query("after", "Events after this seq.", {"type": "integer", "minimum": 0}),
              query("limit", "Page size.", {"type": "integer", "minimum": 1, "maximum": 1000,
                                            "default": 100})]
    if with_subject:
        params += [query("type", "An event type, or a prefix ending in .* (course.payment.*).",
                         {"type": "string"}),
                   query("subject", "A course id.", {"type": "string"})]
    return params


def console_paths():
    """http/console_routes.cpp: the console's API and its public static files."""
    console_file = {"description": "The file.", "headers": {
        h: {"$ref": "#/components/headers/" + h}
        for h in ["Cache-Control", "Content-Security-Policy"]}, "content": {
            media: {"schema": {"type": "string"}}
            for media in ["text/html", "text/javascript", "text/css", "image/svg+xml",
                          "image/png", "application/octet-stream"]}}
    return {
        "/v1/whoami": {"get": {
            "operationId": "whoami", "summary": "The calling token's name and scopes",
            "security": [{"bearer": []}],
            "responses": answers(200, json_ok("The token.", ref("WhoAmI")))}},
        "/v1/stats": {"get": {
            "operationId": "stats",
            "summary": "Counts per status, the log's head, consumer and relay lag",
            "security": scoped("courses:read"),
            "responses": answers(200, json_ok("The figures.", ref("Stats")), "Unavailable",
                                 "Timeout")}},
        "/v1/stream-tickets": {"post": {
            "operationId": "createStreamTicket",
            "summary": "A short-lived, single-use ticket for GET /v1/events/stream?ticket=",
            "description": "For EventSource, which cannot send an Authorization header. The "
                           "request body is ignored; the ticket stands for the calling token.",
            "security": scoped("events:read"),
            "responses": answers(201, json_ok("The ticket.", ref("StreamTicket"),
                                              ["Cache-Control"]),
                                 "PayloadTooLarge", "Unavailable")}},
        "/console": {"get": {
            "operationId": "consoleRedirect", "summary": "Redirects to /console/", "security": [],
            "responses": answers(308, {"description": "Location: /console/", "headers": {
                "Location": {"description": "/console/", "schema": {"type": "string"}}}},
                                 public=True)}},
        "/console/": {"get": {
            "operationId": "console", "summary": "The operator's console (index.html)",
            "security": [],
            "responses": answers(200, console_file, public=True)}},
        "/console/{file}": {"get": {
            "operationId": "consoleFile", "summary": "A file of the console (public, no data)",
            "security": [],
            "parameters": [query("file", "e.g. console.js", {
                "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}, where="path",
                                 required=True)],
            "responses": answers(200, console_file, "NotFound", public=True)}},
    }


def paths():
    course_id = query("id", "The course id.", ID, where="path", required=True)
    return {
        "/v1/courses": {
            "post": {
                "operationId": "createCourse", "summary": "Order a course",
                "security": scoped("courses:write"),
                "parameters": [
                    query("Idempotency-Key", "1-255 printable characters without spaces.",
                          {"type": "string", "minLength": 1, "maxLength": 255}, where="header"),
                    query("X-Correlation-ID", "Kept on every event the request causes.",
                          {"type": "string", "maxLength": 128}, where="header")],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("CourseRequest")}}},
                "responses": answers(202, json_ok("Accepted; generation runs.", ref("CourseAccepted"),
                                                  ["Location", "X-Correlation-ID",
                                                   "Idempotent-Replayed"]),
                                     "BadRequest", "Conflict", "PayloadTooLarge",
                                     "UnsupportedMediaType", "Unprocessable", "Unavailable",
                                     "Timeout")},
            "get": {
                "operationId": "listCourses", "summary": "A page of courses in creation order",
                "security": scoped("courses:read"),
                "parameters": [
                    query("status", "Only courses in this state.", {"enum": STATUSES}),
                    query("limit", "Page size.", {"type": "integer", "minimum": 1, "maximum": 500,
                                                  "default": 50}),
                    query("after", "The previous page's next_after.", {"type": "string"}),
                    query("q", "Only courses whose title contains this text (ASCII letters in "
                               "any case) or whose id starts with it.",
                          {"type": "string", "maxLength": 200})],
                "responses": answers(200, json_ok("The page.", ref("CoursePage")), "BadRequest",
                                     "Unavailable", "Timeout")}},
        "/v1/courses/{id}": {"get": {
            "operationId": "getCourse", "summary": "A course's state, and content once generated",
            "security": scoped("courses:read"), "parameters": [course_id],
            "responses": answers(200, json_ok("The course.", ref("Course")),
                                 "NotFound", "Unavailable", "Timeout")}},
        "/v1/courses/{id}/events": {"get": {
            "operationId": "listCourseEvents", "summary": "A course's events in seq order",
            "security": scoped("events:read"), "parameters": [course_id] + event_query(False),
            "responses": answers(200, json_ok("The page.", ref("EventPage")), "BadRequest",
                                 "NotFound", "Unavailable", "Timeout")}},
        "/v1/courses/{id}/retry": {"post": {
            "operationId": "retryCourse",
            "summary": "Start the failed step again (generation or distribution)",
            "security": scoped("courses:write"), "parameters": [course_id],
            "responses": answers(202, json_ok("Accepted.", ref("CourseAccepted"), ["Location"]),
                                 "NotFound", "Conflict", "Unavailable", "Timeout")}},
        "/v1/events": {"get": {
            "operationId": "listEvents", "summary": "All events in seq order",
            "security": scoped("events:read"), "parameters": event_query(True),
            "responses": answers(200, json_ok("The page.", ref("EventPage")), "BadRequest",
                                 "Unavailable", "Timeout")}},
        "/v1/events/stream": {"get": {
            "operationId": "streamEvents",
            "summary": "Server-Sent Events: stored events after the cursor, then live ones",
            "description": "Each message: id = seq, event = type, data = the CloudEvent JSON "
                           "(docs/asyncapi.json, channel eventStream). An idle stream gets a "
                           "`: keep-alive` comment every http.stream_heartbeat_ms. A client "
                           "that cannot send Authorization (EventSource) passes a ticket of "
                           "POST /v1/stream-tickets instead: 401 when it is unknown, expired or "
                           "used.",
            "security": scoped("events:read") + [{"streamTicket": []}],
            "parameters": [
                query("Last-Event-ID", "Resume after this seq (EventSource sends it).",
                      {"type": "string", "pattern": "^[0-9]{1,18}$"}, where="header"),
                query("after", "Resume after this seq.", {"type": "string",
                                                          "pattern": "^[0-9]{1,18}$"}),
                query("type", "An event type, or a prefix ending in .*.", {"type": "string"}),
                query("ticket", "A stream ticket (single use), in place of the Authorization "
                                "header; the stream has its token's scopes.",
                      {"type": "string", "pattern": "^[0-9a-f]{64}$"})],
            "responses": answers(200, {"description": "The stream.", "content": {
                "text/event-stream": {"schema": {"type": "string"}}}}, "BadRequest",
                                 "Unavailable")}},
        "/v1/payments/webhook": {"post": {
            "operationId": "paymentWebhook", "summary": "Stripe webhook (signed, no token)",
            "security": [],
            "parameters": [query("Stripe-Signature", "t=...,v1=<HMAC-SHA256 of \"t.body\">",
                                 {"type": "string"}, where="header", required=True)],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("StripeEvent")}}},
            "responses": answers(200, json_ok("Received.", ref("WebhookReceived")),
                                 "BadRequest", "PayloadTooLarge", "Unavailable", "Timeout",
                                 public=True)}},
        "/v1/health": {"get": {
            "operationId": "health", "summary": "Liveness and the log's head", "security": [],
            "responses": answers(200, json_ok("Up.", ref("Health")), "Unavailable",
                                 public=True)}},
        "/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "security": [],
            "responses": answers(200, json_ok("OpenAPI 3.1.", {"type": "object"}), public=True)}},
        "/v1/asyncapi.json": {"get": {
            "operationId": "asyncapi", "summary": "The events' AsyncAPI 3.0 document",
            "security": [],
            "responses": answers(200, json_ok("AsyncAPI 3.0.", {"type": "object"}),
                                 public=True)}},
        **console_paths(),
        "/metrics": {"get": {
            "operationId": "metrics", "summary": "Prometheus text format 0.0.4",
            "security": scoped("metrics:read"),
            "responses": answers(200, {"description": "The metrics.", "content": {
                "text/plain": {"schema": {"type": "string"}}}})}},
    }


def document(events):
    responses = {name: problem_response(desc, headers)
                 for name, (_, desc, headers) in PROBLEMS.items()}
    responses["Problem"] = problem_response("Any other problem (405 with Allow, 411, 431, 500).")
    return {
        "openapi": "3.1.0",
        "info": {"title": "coursefactory", "version": "1",
                 "description": "Orders, generates, sells and publishes online courses. Errors "
                                "are RFC 9457 problem details. Generated by "
                                "tools/contracts/generate.py; events: docs/asyncapi.json."},
        "servers": [{"url": "http://localhost:8080"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "API tokens (coursefactory token create). Each operation names "
                               "the scope it needs: courses:write, courses:read, events:read, "
                               "metrics:read; GET /v1/whoami any valid token."},
                "streamTicket": {
                    "type": "apiKey", "in": "query", "name": "ticket",
                    "description": "GET /v1/events/stream only: a ticket of "
                                   "POST /v1/stream-tickets, once."}},
            "headers": {name: {"description": desc, "schema": {"type": "string"}}
                        for name, desc in HEADERS.items()},
            "responses": responses,
            "schemas": schemas(events)}}
