"""The events as AsyncAPI 3.0 (docs/asyncapi.json): the SSE stream, the course webhook and the
Redis streams (README, "The shared bus" and "Workers"), from the service's point of view. Event,
inbound and result schemas come from the catalogue, domain/bus_inbound.cpp and
domain/generation_job.cpp
(`coursefactory catalogue --schemas`)."""


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def text(description, **more):
    return {"type": "string", "description": description, **more}


def json_text(description, schema):
    """A stream field holding JSON text (JSON Schema 2020-12 content keywords)."""
    return {"type": "string", "description": description,
            "contentMediaType": "application/json", "contentSchema": schema}


def entry(props, required, description, extra=False):
    return {"type": "object", "description": description, "properties": props,
            "required": required,
            "additionalProperties": {"type": "string"} if extra else False}


def schemas(events, inbound, result):
    out = {"CloudEvent": events["cloudevent"]}
    for etype, versions in events["data"].items():
        for version, schema in versions.items():
            out["%s.v%s" % (etype, version)] = schema
    out["BusCloudEventsEntry"] = entry({
        "id": text("The event id."), "type": text("The event type."),
        "subject": text("The course id."), "seq": text("The seq, decimal."),
        "time": text("RFC 3339 UTC."),
        "data": json_text("The CloudEvent exactly as GET /v1/events serves it.", ref("CloudEvent"))},
        ["id", "type", "subject", "seq", "time", "data"], "bus.envelope = cloudevents")
    out["PlatformEnvelope"] = {
        "type": "object", "required": ["id", "type", "source", "target", "payload", "timestamp",
                                       "correlation_id"],
        "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "type": {"type": "string"},
                       "source": {"const": "coursefactory"}, "target": {"type": "null"},
                       "payload": {"type": "object", "description": "The event's data."},
                       "timestamp": {"type": "string", "format": "date-time"},
                       "correlation_id": {"type": "string"},
                       "actor_id": {"type": "string", "description": "The API token whose "
                                    "request caused it, else data.user_id where there is one."}}}
    out["BusPlatformEntry"] = entry({"event": json_text("The platform envelope.",
                                                        ref("PlatformEnvelope"))}, ["event"],
                                    "bus.envelope = platform")
    for name, schema in inbound["payloads"].items():
        out["inbound." + name] = schema
    by_type = [{"if": {"properties": {"type": {"const": t}}},
                "then": {"properties": {key: ref("inbound." + t)}}}
               for t in inbound["payloads"] for key in ("data", "payload")]
    out["InboundCloudEvent"] = {**inbound["cloudevents"],
                                "allOf": [b for b in by_type if "data" in b["then"]["properties"]]}
    out["InboundPlatform"] = {**inbound["platform"],
                              "allOf": [b for b in by_type if "payload" in b["then"]["properties"]]}
    out["InboundDataEntry"] = entry({"data": json_text("A CloudEvent.", ref("InboundCloudEvent"))},
                                    ["data"], "An inbound message, CloudEvents form.", extra=True)
    out["InboundEventEntry"] = entry({"event": json_text("The platform envelope.",
                                                         ref("InboundPlatform"))},
                                     ["event"], "An inbound message, platform form.", extra=True)
    out["DeadLetterEntry"] = entry({"reason": text("Why it was set aside."),
                                    "original_id": text("The entry id it had.")},
                                   ["reason", "original_id"],
                                   "An unusable entry: reason, original_id, then its own fields.",
                                   extra=True)
    out["GenerationJobEntry"] = entry({
        **out["BusCloudEventsEntry"]["properties"],
        "type": {"const": "course.generation.started"},
        "data": json_text("The committed course.generation.started CloudEvent.",
                          ref("CloudEvent"))},
        ["id", "type", "subject", "seq", "time", "data"],
        "A job: the committed course.generation.started in the relay's CloudEvents fields.")
    out["GenerationResultEntry"] = result
    out["CourseWebhook"] = {
        "type": "object", "additionalProperties": False,
        "required": ["course_id", "title", "language", "distribution_id", "attempt", "content"],
        "properties": {"course_id": {"type": "string"}, "title": {"type": "string"},
                       "language": {"type": "string"},
                       "distribution_id": {"type": "string",
                                           "description": "Also the Idempotency-Key header."},
                       "attempt": {"type": "integer"},
                       "content": {"type": "object", "description": "As GET /v1/courses/{id}."}}}
    return out


def message(name, payload, description, headers=None):
    out = {"name": name, "title": name, "summary": description, "payload": payload}
    if headers:
        out["headers"] = headers
    return out


def messages(events):
    out = {}
    for etype in events["data"]:
        out["event." + etype] = message(
            etype, {"allOf": [ref("CloudEvent"), {"properties": {"type": {"const": etype}}}]},
            "A committed %s (SSE: id = seq, event = type, data = this JSON)." % etype)
    out["busCloudEvents"] = message("busCloudEvents", ref("BusCloudEventsEntry"),
                                    "A committed event, bus.envelope = cloudevents.")
    out["busPlatform"] = message("busPlatform", ref("BusPlatformEntry"),
                                 "A committed event, bus.envelope = platform.")
    out["distributionOrder"] = message(
        "distributionOrder",
        {"allOf": [ref("BusCloudEventsEntry"),
                   {"properties": {"type": {"const": "course.distribution.requested"}}}]},
        "An order for a distribution module (channels names bus); in the platform format it is "
        "a busPlatform entry of that type.")
    out["inboundData"] = message("inboundData", ref("InboundDataEntry"),
                                 "A payment result or distribution answer, CloudEvents form.")
    out["inboundEvent"] = message("inboundEvent", ref("InboundEventEntry"),
                                  "A payment result or distribution answer, platform form.")
    out["deadLetter"] = message("deadLetter", ref("DeadLetterEntry"),
                                "An entry nobody can use, set aside with the reason.")
    out["generationJob"] = message("generationJob", ref("GenerationJobEntry"),
                                   "A generation job for coursefactory worker.")
    out["generationResult"] = message("generationResult", ref("GenerationResultEntry"),
                                      "A worker's result.")
    out["courseWebhook"] = message(
        "courseWebhook", ref("CourseWebhook"), "A published course, POSTed to each URL.",
        {"type": "object", "required": ["Coursefactory-Signature", "Idempotency-Key"],
         "properties": {"Coursefactory-Signature": {"type": "string",
                                                    "description": "t=...,v1=<HMAC-SHA256>"},
                        "Idempotency-Key": {"type": "string"}}})
    return out


def document(events, inbound, result):
    msgs = messages(events)

    def channel(address, names, description, server):
        return {"address": address, "description": description,
                "servers": [{"$ref": "#/servers/" + server}],
                "messages": {n: {"$ref": "#/components/messages/" + n} for n in names}}

    channels = {
        "eventStream": channel("/v1/events/stream", [n for n in msgs if n.startswith("event.")],
                               "GET /v1/events/stream (Server-Sent Events), scope events:read.",
                               "http"),
        "courseWebhook": {**channel(None, ["courseWebhook"],
                                    "distribution.webhook_urls: each gets a POST per published "
                                    "course; 2xx delivered, 5xx/408/429/timeouts retried.",
                                    "http"), "servers": []},
        "busEvents": channel("coursefactory:events",
                             ["busCloudEvents", "busPlatform", "distributionOrder"],
                             "bus.stream: every committed event once, in seq order.", "redis"),
        "busInbound": channel("coursefactory:inbound", ["inboundData", "inboundEvent"],
                              "bus.inbound_stream, consumer group coursefactory.", "redis"),
        "busInboundDead": channel("coursefactory:inbound:dead", ["deadLetter"],
                                  "Inbound entries that did not fit their schema or had nothing "
                                  "to act on.", "redis"),
        "generationJobs": channel("coursefactory:generation:jobs", ["generationJob"],
                                  "generation.jobs_stream, consumer group generators.", "redis"),
        "generationJobsDead": channel("coursefactory:generation:jobs:dead", ["deadLetter"],
                                      "Jobs a worker could not read.", "redis"),
        "generationResults": channel("coursefactory:generation:results", ["generationResult"],
                                     "generation.results_stream, consumer group coursefactory.",
                                     "redis"),
        "generationResultsDead": channel("coursefactory:generation:results:dead", ["deadLetter"],
                                         "Results the service could not read.", "redis"),
    }

    def op(action, chan, names, summary):
        return {"action": action, "channel": {"$ref": "#/channels/" + chan}, "summary": summary,
                "messages": [{"$ref": "#/channels/%s/messages/%s" % (chan, n)} for n in names]}

    operations = {
        "streamEvents": op("send", "eventStream", list(channels["eventStream"]["messages"]),
                           "Committed events to SSE clients."),
        "deliverCourse": op("send", "courseWebhook", ["courseWebhook"],
                            "Channel webhook publishes a course."),
        "relayEvents": op("send", "busEvents", ["busCloudEvents", "busPlatform"],
                          "The relay appends every committed event."),
        "orderDistribution": op("send", "busEvents", ["distributionOrder"],
                                "Channel bus orders an outside distribution module."),
        "receiveInbound": op("receive", "busInbound", ["inboundData", "inboundEvent"],
                             "Payment results and distribution answers."),
        "deadLetterInbound": op("send", "busInboundDead", ["deadLetter"],
                                "Unusable inbound entries."),
        "sendGenerationJobs": op("send", "generationJobs", ["generationJob"],
                                 "generation.mode redis: each committed started event."),
        "deadLetterJobs": op("send", "generationJobsDead", ["deadLetter"],
                             "By coursefactory worker: jobs it cannot read."),
        "receiveGenerationResults": op("receive", "generationResults", ["generationResult"],
                                       "Workers' results."),
        "deadLetterResults": op("send", "generationResultsDead", ["deadLetter"],
                                "Unreadable results."),
    }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "coursefactory events", "version": "1",
                 "description": "Generated by tools/contracts/generate.py from the event "
                                "catalogue (docs/events.md); REST: docs/openapi.json."},
        "defaultContentType": "application/json",
        "servers": {
            "http": {"host": "localhost:8080", "protocol": "http",
                     "security": [{"$ref": "#/components/securitySchemes/bearer"}]},
            "redis": {"host": "localhost:6379", "protocol": "redis",
                      "description": "bus.redis_url"}},
        "channels": channels,
        "operations": operations,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "messages": msgs,
            "schemas": schemas(events, inbound, result)}}
