// Course, event and health routes: parse and check the request, ask an actor, write JSON or a
// problem.
#include "http/routes.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "domain/course_state.hpp"
#include "http/auth.hpp"
#include "http/limits.hpp"
#include "http/problem.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/build_info.hpp"
#include "util/crypto.hpp"
#include "util/json_text.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

using json = nlohmann::json;

void write_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void fail(const route_context& ctx, httplib::Response& res, const caf::error& err) {
  write_problem(res, err, ctx.sys->render(err));
}

bool is_json(const httplib::Request& req) {
  auto type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (auto& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return type == "application/json";
}

void reject_other_methods(httplib::Server& srv, const std::string& pattern,
                          const std::string& allow) {
  auto handler = [allow](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", allow);
    write_problem(res, 405, "method_not_allowed",
                  req.method + " is not allowed here; use " + allow);
  };
  if (allow.find("GET") == std::string::npos)
    srv.Get(pattern, handler);
  if (allow.find("POST") == std::string::npos)
    post_bounded(srv, pattern, handler);
  srv.Put(pattern, handler);
  srv.Delete(pattern, handler);
  srv.Patch(pattern, handler);
}

namespace {

// Reads an optional integer query parameter within [lo, hi]; records a field error otherwise.
int64_t int_param(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo,
                  int64_t hi, std::vector<field_error>& errs) {
  if (!req.has_param(name))
    return fallback;
  int64_t n = 0;
  if (parse_decimal(req.get_param_value(name), n) && n >= lo && n <= hi)
    return n;
  errs.push_back(
      {name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi)});
  return fallback;
}

// A usable header value: 1-max printable ASCII characters without spaces, or empty.
std::string token_header(const httplib::Request& req, const char* name, size_t max) {
  auto id = whole_header_value(req, name);
  if (id.empty() || id.size() > max)
    return {};
  for (unsigned char c : id)
    if (c < 0x21 || c > 0x7e)
      return {};
  return id;
}

std::string accepted_body(const course_accepted& a) {
  auto self = "/v1/courses/" + a.course_id;
  return json{{"course_id", a.course_id},
              {"status", a.status},
              {"links", {{"self", self}, {"events", self + "/events"}}}}
      .dump();
}

void post_course(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!is_json(req))
    return write_problem(res, 415, "unsupported_media_type",
                         "send the course request as application/json");
  json body = parse_json_exact(req.body); // a NUL byte ends nlohmann's input: refused here
  if (body.is_discarded())
    return write_problem(res, 400, "malformed_json", "the body is not valid JSON");
  std::vector<field_error> errs;
  auto request = parse_course_request(body, errs);
  if (!errs.empty())
    return write_problem(res, 422, "validation_failed", "the course request has invalid fields",
                         errs);
  auto correlation = token_header(req, "X-Correlation-ID", 128);
  if (correlation.empty())
    correlation = make_uuid_v7();
  caf::expected<course_accepted> accepted = make_error(errc::internal);
  if (req.has_header("Idempotency-Key")) {
    auto key = token_header(req, "Idempotency-Key", 255);
    if (key.empty())
      return write_problem(res, 400, "invalid_idempotency_key",
                           "Idempotency-Key must be 1-255 printable characters without spaces");
    // The fingerprint is over the parsed body, so formatting and key order do not matter.
    idempotency_key k{key, sha256_hex(body.dump())};
    accepted = ask<course_accepted>(ctx, ctx.actors.factory, create_atom::value, request,
                                    correlation, k, request_actor());
    if (!accepted && is(accepted.error(), errc::duplicate))
      return write_problem(res, 422, "idempotency_key_reused",
                           "this Idempotency-Key was used with a different request body");
  } else {
    accepted = ask<course_accepted>(ctx, ctx.actors.factory, create_atom::value, request,
                                    correlation, request_actor());
  }
  if (!accepted)
    return fail(ctx, res, accepted.error());
  res.set_header("Location", "/v1/courses/" + accepted->course_id);
  res.set_header("X-Correlation-ID", correlation);
  if (accepted->replayed)
    res.set_header("Idempotent-Replayed", "true");
  write_json(res, 202, accepted_body(*accepted));
}

void retry_course(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto accepted = ask<course_accepted>(ctx, ctx.actors.factory, retry_atom::value,
                                       req.matches[1].str(), request_actor());
  if (!accepted)
    return fail(ctx, res, accepted.error());
  res.set_header("Location", "/v1/courses/" + accepted->course_id);
  write_json(res, 202, accepted_body(*accepted));
}

void get_course(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto view = ask<course_view>(ctx, ctx.actors.log, caf::get_atom::value, req.matches[1].str());
  if (!view)
    return fail(ctx, res, view.error());
  auto body = to_json(view->summary).dump();
  if (!view->content.empty()) { // splice the stored JSON text in rather than re-parse it
    body.pop_back();
    body += ",\"content\":" + view->content + "}";
  }
  write_json(res, 200, body);
}

void list_courses(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::vector<field_error> errs;
  course_query q;
  q.limit = static_cast<int32_t>(int_param(req, "limit", 50, 1, 500, errs));
  q.status = req.get_param_value("status");
  q.after = req.get_param_value("after");
  q.search = req.get_param_value("q");
  if (q.search.size() > 200)
    errs.push_back({"q", "must be at most 200 characters"});
  if (!q.after.empty() && !is_cursor_id(q.after))
    errs.push_back({"after", "must be a course id (the previous page's next_after)"});
  if (!q.status.empty() && !is_known_status(q.status))
    errs.push_back({"status", "unknown status " + q.status});
  if (!errs.empty())
    return write_problem(res, 400, "invalid_query", "the query has invalid parameters", errs);
  auto page = ask<course_page>(ctx, ctx.actors.log, list_atom::value, q);
  if (!page)
    return fail(ctx, res, page.error());
  json items = json::array();
  for (const auto& c : page->items) items.push_back(to_json(c));
  json body{{"items", std::move(items)}};
  body["next_after"] = page->next_after.empty() ? json(nullptr) : json(page->next_after);
  write_json(res, 200, body.dump());
}

void list_events(const route_context& ctx, const httplib::Request& req, httplib::Response& res,
                 const std::string& course_id) {
  std::vector<field_error> errs;
  event_query q;
  q.type = req.get_param_value("type");
  q.subject = course_id.empty() ? req.get_param_value("subject") : course_id;
  q.after_seq = int_param(req, "after", 0, 0, INT64_MAX, errs);
  q.limit = static_cast<int32_t>(int_param(req, "limit", 100, 1, 1000, errs));
  if (!is_valid_type_pattern(q.type))
    errs.push_back({"type", "must be an event type, or a prefix ending in .* (course.payment.*)"});
  if (!errs.empty())
    return write_problem(res, 400, "invalid_query", "the query has invalid parameters", errs);
  auto page = ask<event_page>(ctx, ctx.actors.log, query_atom::value, q);
  if (!page)
    return fail(ctx, res, page.error());
  if (!course_id.empty() && page->events.empty()) { // an empty page: is there such a course?
    auto view = ask<course_view>(ctx, ctx.actors.log, caf::get_atom::value, course_id);
    if (!view)
      return fail(ctx, res, view.error());
  }
  std::string body = "{\"events\":[";
  for (size_t i = 0; i < page->events.size(); ++i) {
    if (i > 0)
      body += ',';
    body += to_cloudevent_text(page->events[i]);
  }
  body += "],\"next_after\":";
  body += page->next_after > 0 ? std::to_string(page->next_after) : std::string{"null"};
  body += '}';
  write_json(res, 200, body);
}

void health(const route_context& ctx, const httplib::Request&, httplib::Response& res) {
  auto head = ask<int64_t>(ctx, ctx.actors.log, head_atom::value);
  if (!head)
    return write_problem(res, 503, "unavailable",
                         "the event log cannot be read: " + ctx.sys->render(head.error()));
  // The log's writes (actors/storage_health.hpp): failing answers 503, so that a load balancer
  // takes this process out while it stops.
  auto state = storage_health::state::ok;
  if (const auto& storage = ctx.actors.storage)
    state = storage->current(now_us());
  json body{{"status", to_string(state)},
            {"last_seq", *head},
            {"version", build_version()},
            {"commit", build_commit()},
            {"schema", sqlite_event_store::schema_version}};
  if (state != storage_health::state::ok)
    body["storage"] = state == storage_health::state::failing      ? "failed"
                      : ctx.actors.storage->last_error_full.load() ? "full"
                                                                   : "unavailable";
  if (const auto& bus = ctx.actors.bus) // degraded: events wait in the log for Redis to return
    body["bus"] = bus->connected ? "ok" : "degraded";
  if (const auto& in = ctx.actors.bus_in; in && in->generation_remote) // workers of the last minute
    body["workers"] = std::max<int64_t>(0, in->workers_seen.load());
  write_json(res, state == storage_health::state::failing ? 503 : 200, body.dump());
}

} // namespace

void register_course_routes(httplib::Server& srv, const route_context& ctx) {
  const auto* c = &ctx;
  const std::string course = "/v1/courses/([0-9A-Za-z-]{1,64})";
  post_bounded(srv, "/v1/courses", [c](const auto& req, auto& res) { post_course(*c, req, res); });
  srv.Get("/v1/courses", [c](const auto& req, auto& res) { list_courses(*c, req, res); });
  srv.Get(course, [c](const auto& req, auto& res) { get_course(*c, req, res); });
  srv.Get(course + "/events",
          [c](const auto& req, auto& res) { list_events(*c, req, res, req.matches[1].str()); });
  post_bounded(srv, course + "/retry",
               [c](const auto& req, auto& res) { retry_course(*c, req, res); });
  srv.Get("/v1/events", [c](const auto& req, auto& res) { list_events(*c, req, res, {}); });
  srv.Get("/v1/health", [c](const auto& req, auto& res) { health(*c, req, res); });
  reject_other_methods(srv, "/v1/courses", "GET, POST");
  reject_other_methods(srv, course, "GET");
  reject_other_methods(srv, course + "/events", "GET");
  reject_other_methods(srv, course + "/retry", "POST");
  reject_other_methods(srv, "/v1/events", "GET");
  reject_other_methods(srv, "/v1/health", "GET");
}

} // namespace cf
