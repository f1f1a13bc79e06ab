// The console's static files and its API: who the caller is, the counts it shows, and tickets
// for the event stream.
#include "http/console_routes.hpp"

#include <httplib.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "domain/api_token.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_state.hpp"
#include "domain/log_stats.hpp"
#include "http/auth.hpp"
#include "http/console_assets.hpp"
#include "http/limits.hpp"
#include "http/problem.hpp"
#include "util/time.hpp"

namespace cf {

using json = nlohmann::json;

const console_asset* find_console_asset(const std::string& name) {
  for (size_t i = 0; i < console_asset_count; ++i)
    if (name == console_assets[i].name)
      return &console_assets[i];
  return nullptr;
}

const char* console_content_type(const std::string& name) {
  auto ends = [&name](const char* ext) {
    auto n = std::strlen(ext);
    return name.size() >= n && name.compare(name.size() - n, n, ext) == 0;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  if (ends(".png"))
    return "image/png";
  return "application/octet-stream";
}

void set_console_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                 "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Cache-Control", "no-cache"); // revalidate: a new binary brings new files
}

namespace {

void serve_file(const httplib::Request& req, httplib::Response& res) {
  auto name = req.matches[1].str();
  if (name.empty())
    name = "index.html";
  const auto* f = find_console_asset(name);
  if (!f)
    return write_problem(res, 404, "not_found", "no such console file");
  set_console_headers(res);
  res.set_content(reinterpret_cast<const char*>(f->data), f->size, console_content_type(name));
}

// The names the stream's messages carry (`event:`): an EventSource listens for each by name.
json event_types() {
  json types = json::array();
  for (const auto& t : catalogue()) types.push_back(t.type);
  return types;
}

void whoami(const httplib::Request&, httplib::Response& res) {
  json list = json::array();
  auto bits = request_scopes();
  for (uint32_t b :
       {scopes::courses_write, scopes::courses_read, scopes::events_read, scopes::metrics_read})
    if (bits & b)
      list.push_back(scopes_text(b));
  write_json(res, 200, json{{"name", request_actor()}, {"scopes", std::move(list)}}.dump());
}

void stats(const route_context& ctx, httplib::Response& res) {
  auto s = ask<log_stats>(ctx, ctx.actors.log, stats_atom::value);
  if (!s)
    return fail(ctx, res, s.error());
  json by_status = json::object();
  for (const auto& c : s->courses_by_status) by_status[c.status] = c.count;
  json body{{"head_seq", s->head}, {"courses_by_status", std::move(by_status)}};
  json consumers = json::object();
  for (const auto& c : s->consumers) consumers[c.consumer] = c.pending;
  body["consumer_lag_events"] = std::move(consumers);
  body["relay"] = nullptr;
  if (const auto& bus = ctx.actors.bus) {
    auto relayed = bus->relayed_seq.load();
    auto oldest = bus->oldest_pending_us.load();
    double lag_s = oldest == 0 || s->head <= relayed
                       ? 0.0
                       : static_cast<double>(std::max<int64_t>(0, now_us() - oldest)) / 1e6;
    body["relay"] = {{"connected", bus->connected.load()},
                     {"lag_events", std::max<int64_t>(0, s->head - relayed)},
                     {"lag_seconds", lag_s}};
  }
  body["event_types"] = event_types();
  body["time_us"] = now_us();
  write_json(res, 200, body.dump());
}

void issue_ticket(stream_tickets& tickets, httplib::Response& res) {
  auto ticket = tickets.issue(request_token_hash());
  if (ticket.empty())
    return write_problem(res, 503, "unavailable", "no random bytes for a ticket");
  res.set_header("Cache-Control", "no-store");
  json body{{"ticket", ticket}, {"expires_in", tickets.ttl_seconds()}, {"single_use", true}};
  body["event_types"] = event_types();
  write_json(res, 201, body.dump());
}

} // namespace

void register_console_routes(httplib::Server& srv, const route_context& ctx,
                             stream_tickets& tickets) {
  const auto* c = &ctx;
  auto* t = &tickets;
  srv.Get("/console", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/console/", 308);
  });
  srv.Get("/console/([A-Za-z0-9._-]{0,64})", serve_file);
  srv.Get("/v1/whoami", whoami);
  srv.Get("/v1/stats", [c](const httplib::Request&, httplib::Response& res) { stats(*c, res); });
  post_bounded(srv, "/v1/stream-tickets",
               [t](const httplib::Request&, httplib::Response& res) { issue_ticket(*t, res); });
  reject_other_methods(srv, "/v1/whoami", "GET");
  reject_other_methods(srv, "/v1/stats", "GET");
  reject_other_methods(srv, "/v1/stream-tickets", "POST");
}

} // namespace cf
