// REST routes: parse and check the request, ask an actor, write JSON or a problem.
#include "http/routes.hpp"

#include <httplib.h>

#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/course_state.hpp"
#include "actors/errc.hpp"
#include "actors/uuid.hpp"
#include "http/problem.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

// One blocking request from an httplib thread; a fresh scoped_actor each time (see the CAF guide:
// a long-lived one collects stale timeout messages).
template <class R, class Handle, class... Ts>
caf::expected<R> ask(const route_context& ctx, const Handle& h, Ts&&... xs) {
  caf::expected<R> result = make_error(errc::internal, "no reply");
  caf::scoped_actor self{*ctx.sys};
  self->request(h, ctx.timeout, std::forward<Ts>(xs)...)
      .receive([&](R& r) { result = std::move(r); }, [&](caf::error& e) { result = std::move(e); });
  return result;
}

void write_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void fail(const route_context& ctx, httplib::Response& res, const caf::error& err) {
  write_problem(res, err, ctx.sys->render(err));
}

// Reads an optional integer query parameter within [lo, hi]; records a field error otherwise.
int64_t int_param(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo,
                  int64_t hi, std::vector<field_error>& errs) {
  if (!req.has_param(name))
    return fallback;
  auto v = req.get_param_value(name);
  try {
    size_t used = 0;
    auto n = std::stoll(v, &used);
    if (used == v.size() && n >= lo && n <= hi)
      return n;
  } catch (const std::exception&) {
    // falls through to the error below
  }
  errs.push_back(
      {name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi)});
  return fallback;
}

// The caller's correlation id, if it sent a usable one.
std::string correlation_of(const httplib::Request& req) {
  auto id = req.get_header_value("X-Correlation-ID");
  if (id.empty() || id.size() > 128)
    return {};
  for (unsigned char c : id)
    if (c < 0x21 || c > 0x7e)
      return {};
  return id;
}

std::string events_body(const event_page& page) {
  json list = json::array();
  for (const auto& e : page.events) list.push_back(to_cloudevent(e));
  json body{{"events", std::move(list)}};
  body["next_after"] = page.next_after > 0 ? json(page.next_after) : json(nullptr);
  return body.dump();
}

void post_course(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    write_problem(res, 415, "unsupported_media_type",
                  "send the course request as application/json");
    return;
  }
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    write_problem(res, 400, "malformed_json", "the body is not valid JSON");
    return;
  }
  std::vector<field_error> errs;
  auto request = parse_course_request(body, errs);
  if (!errs.empty()) {
    write_problem(res, 422, "validation_failed", "the course request has invalid fields", errs);
    return;
  }
  auto correlation = correlation_of(req);
  if (correlation.empty())
    correlation = make_uuid_v7();
  auto accepted =
      ask<course_accepted>(ctx, ctx.actors.factory, create_atom::value, request, correlation);
  if (!accepted)
    return fail(ctx, res, accepted.error());
  auto location = "/v1/courses/" + accepted->course_id;
  res.set_header("Location", location);
  res.set_header("X-Correlation-ID", correlation);
  write_json(res, 202,
             json{{"course_id", accepted->course_id},
                  {"status", accepted->status},
                  {"seq", accepted->started_seq},
                  {"links", {{"self", location}, {"events", location + "/events"}}}}
                 .dump());
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
                 const std::string& subject) {
  std::vector<field_error> errs;
  event_query q;
  q.type = req.get_param_value("type");
  q.subject = subject.empty() ? req.get_param_value("subject") : subject;
  q.after_seq = int_param(req, "after", 0, 0, INT64_MAX, errs);
  q.limit = static_cast<int32_t>(int_param(req, "limit", 100, 1, 1000, errs));
  if (!is_valid_type_pattern(q.type))
    errs.push_back({"type", "must be an event type, or a prefix ending in .* (course.payment.*)"});
  if (!errs.empty())
    return write_problem(res, 400, "invalid_query", "the query has invalid parameters", errs);
  auto page = ask<event_page>(ctx, ctx.actors.log, query_atom::value, q);
  if (!page)
    return fail(ctx, res, page.error());
  write_json(res, 200, events_body(*page));
}

void course_events(const route_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = req.matches[1].str();
  auto view = ask<course_view>(ctx, ctx.actors.log, caf::get_atom::value, id);
  if (!view)
    return fail(ctx, res, view.error());
  list_events(ctx, req, res, id);
}

void health(const route_context& ctx, const httplib::Request&, httplib::Response& res) {
  auto head = ask<int64_t>(ctx, ctx.actors.log, head_atom::value);
  if (!head) {
    res.status = 503;
    res.set_content(
        json{{"status", "unavailable"}, {"detail", ctx.sys->render(head.error())}}.dump(),
        "application/json");
    return;
  }
  write_json(res, 200, json{{"status", "ok"}, {"last_seq", *head}}.dump());
}

} // namespace

void register_routes(httplib::Server& srv, const route_context& ctx) {
  const auto* c = &ctx;
  const char* course_path = "/v1/courses/([0-9A-Za-z-]{1,64})";
  srv.Post("/v1/courses", [c](const auto& req, auto& res) { post_course(*c, req, res); });
  srv.Get("/v1/courses", [c](const auto& req, auto& res) { list_courses(*c, req, res); });
  srv.Get(course_path, [c](const auto& req, auto& res) { get_course(*c, req, res); });
  srv.Get(std::string{course_path} + "/events",
          [c](const auto& req, auto& res) { course_events(*c, req, res); });
  srv.Get("/v1/events", [c](const auto& req, auto& res) { list_events(*c, req, res, {}); });
  srv.Get("/v1/health", [c](const auto& req, auto& res) { health(*c, req, res); });
}

} // namespace cf
