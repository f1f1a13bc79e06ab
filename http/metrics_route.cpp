// GET /metrics: the registry of actors/metrics.hpp plus the log's scrape-time gauges, in the
// Prometheus text format; and the route labels HTTP requests are counted under.
#include <httplib.h>

#include "actors/metrics.hpp"
#include "http/routes.hpp"

namespace cf {

std::string route_label(const std::string& method, const std::string& path) {
  // Split into segments: /v1/courses/{id}/events -> v1, courses, {id}, events.
  std::vector<std::string> seg;
  for (size_t i = 1; i <= path.size();) {
    auto j = path.find('/', i);
    if (j == std::string::npos)
      j = path.size();
    seg.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  std::string route = "other";
  if (path == "/metrics" || path == "/v1/health" || path == "/v1/courses" || path == "/v1/events"
      || path == "/v1/events/stream" || path == "/v1/payments/webhook")
    route = path;
  else if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "courses")
    route = "/v1/courses/{id}";
  else if (seg.size() == 4 && seg[0] == "v1" && seg[1] == "courses"
           && (seg[3] == "events" || seg[3] == "retry"))
    route = "/v1/courses/{id}/" + seg[3];
  else if (!seg.empty() && seg[0] == "courses")
    route = "/courses/*";
  return "method=\"" + (method.size() <= 7 ? method : std::string{"other"}) + "\",route=\"" + route
         + "\"";
}

void register_metrics_route(httplib::Server& srv, const route_context& ctx) {
  auto c = &ctx;
  srv.Get("/metrics", [c](const httplib::Request&, httplib::Response& res) {
    auto stats = ask<log_stats>(*c, c->actors.log, stats_atom::value);
    if (!stats)
      return fail(*c, res, stats.error());
    res.set_content(metrics::global().render(*stats), "text/plain; version=0.0.4; charset=utf-8");
  });
  reject_other_methods(srv, "/metrics", "GET");
}

} // namespace cf
