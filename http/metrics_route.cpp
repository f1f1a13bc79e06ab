// GET /metrics: the registry of util/metrics.hpp plus the log's scrape-time gauges, in the
// Prometheus text format; and the route labels HTTP requests are counted under.
#include <httplib.h>

#include <set>

#include "domain/course_state.hpp"
#include "domain/log_stats.hpp"
#include "http/routes.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/build_info.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

// The log's scrape-time gauges: head, courses by status, dead letters, consumer positions.
void render_log_gauges(std::string& out, const log_stats& log) {
  metric_header(out, "coursefactory_log_head_seq", "gauge", "The last committed sequence number.");
  out += "coursefactory_log_head_seq " + std::to_string(log.head) + "\n";
  metric_header(out, "coursefactory_courses", "gauge", "Courses by status.");
  int64_t dead = 0;
  for (const auto& s : log.courses_by_status) {
    out += "coursefactory_courses{status=\"" + escape_label_value(s.status) + "\"} "
           + std::to_string(s.count) + "\n";
    if (s.status == course_status::generation_failed
        || s.status == course_status::distribution_failed
        || s.status == course_status::payment_failed)
      dead += s.count;
  }
  metric_header(out, "coursefactory_dead_letter_courses", "gauge",
                "Courses whose step failed for good (generation_failed, payment_failed, "
                "distribution_failed): they wait for a retry or a human.");
  out += "coursefactory_dead_letter_courses " + std::to_string(dead) + "\n";
  metric_header(out, "coursefactory_subscriber_lag_events", "gauge",
                "Events of a consumer's subscription committed after its checkpoint.");
  for (const auto& c : log.consumers)
    out += "coursefactory_subscriber_lag_events{consumer=\"" + escape_label_value(c.consumer)
           + "\"} " + std::to_string(c.pending) + "\n";
  metric_header(out, "coursefactory_subscriber_checkpoint_seq", "gauge",
                "The sequence number each consumer has handled everything up to.");
  for (const auto& c : log.consumers)
    out += "coursefactory_subscriber_checkpoint_seq{consumer=\"" + escape_label_value(c.consumer)
           + "\"} " + std::to_string(c.checkpoint) + "\n";
}

// How the log's writes go (actors/storage_health.hpp).
void render_storage_gauges(std::string& out, const storage_health& h) {
  auto now = now_us();
  metric_header(out, "coursefactory_storage_failed", "gauge",
                "1 once a sync to disk failed: this process takes no more writes and stops.");
  out += "coursefactory_storage_failed " + std::to_string(h.failed.load() ? 1 : 0) + "\n";
  metric_header(out, "coursefactory_storage_full", "gauge",
                "1 while the disk is full: the last write failed for want of space, no commit "
                "since, within the last minute.");
  out += "coursefactory_storage_full " + std::to_string(h.full(now) ? 1 : 0) + "\n";
  metric_header(out, "coursefactory_storage_errors_total", "counter",
                "Failed writes of the log by kind: full (disk full), sync (a failed fsync), "
                "unavailable (busy, locked, other I/O).");
  out += "coursefactory_storage_errors_total{kind=\"full\"} " + std::to_string(h.full_errors.load())
         + "\n";
  out += "coursefactory_storage_errors_total{kind=\"sync\"} " + std::to_string(h.sync_errors.load())
         + "\n";
  out += "coursefactory_storage_errors_total{kind=\"unavailable\"} "
         + std::to_string(h.unavailable_errors.load()) + "\n";
}

// The relay's position and health, when a bus is configured.
void render_bus_gauges(std::string& out, const bus_relay_status& bus, int64_t head) {
  metric_header(out, "coursefactory_bus_connected", "gauge",
                "1 while the relay holds a working Redis connection.");
  out += "coursefactory_bus_connected " + std::to_string(bus.connected ? 1 : 0) + "\n";
  metric_header(out, "coursefactory_bus_relayed_seq", "gauge",
                "The last sequence number on the bus stream.");
  out += "coursefactory_bus_relayed_seq " + std::to_string(bus.relayed_seq.load()) + "\n";
  metric_header(out, "coursefactory_bus_relay_lag_events", "gauge",
                "Committed events not yet on the bus stream.");
  out += "coursefactory_bus_relay_lag_events "
         + std::to_string(std::max<int64_t>(0, head - bus.relayed_seq.load())) + "\n";
  metric_header(out, "coursefactory_bus_relay_lag_seconds", "gauge",
                "Age of the oldest committed event not yet on the bus stream (0: none).");
  auto oldest = bus.oldest_pending_us.load();
  double lag = oldest == 0 || head <= bus.relayed_seq.load()
                   ? 0.0
                   : static_cast<double>(std::max<int64_t>(0, now_us() - oldest)) / 1e6;
  out += "coursefactory_bus_relay_lag_seconds " + std::to_string(lag) + "\n";
  metric_header(out, "coursefactory_bus_relayed_events_total", "counter",
                "Entries this process appended to the bus stream.");
  out +=
      "coursefactory_bus_relayed_events_total " + std::to_string(bus.relayed_events.load()) + "\n";
  metric_header(out, "coursefactory_bus_relay_errors_total", "counter",
                "Failed connections and appends of the relay.");
  out += "coursefactory_bus_relay_errors_total " + std::to_string(bus.errors.load()) + "\n";
}

// What the inbound consumer took from other modules.
void render_inbound_counters(std::string& out, const bus_inbound_status& in) {
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    metric_header(out, name, "counter", help);
    out += std::string{name} + " " + std::to_string(v) + "\n";
  };
  counter("coursefactory_bus_inbound_received_total",
          "Inbound bus entries read (new and taken over).", in.received.load());
  counter("coursefactory_bus_inbound_recorded_total", "Inbound entries whose effect committed.",
          in.recorded.load());
  counter("coursefactory_bus_inbound_duplicates_total",
          "Inbound entries whose id was seen before: acknowledged without effect.",
          in.duplicates.load());
  counter("coursefactory_bus_inbound_dead_letters_total",
          "Inbound entries moved to the dead-letter stream.", in.dead_letters.load());
  counter("coursefactory_bus_inbound_reclaimed_total",
          "Inbound entries taken over from a consumer that held them too long.",
          in.reclaimed.load());
  counter("coursefactory_bus_inbound_errors_total",
          "Failed Redis calls and unanswered effects of the inbound consumer.", in.errors.load());
  if (!in.generation_remote)
    return;
  counter("coursefactory_generation_results_recorded_total",
          "Worker results whose outcome committed (generation.mode = redis).",
          in.results_recorded.load());
  counter("coursefactory_generation_results_stale_total",
          "Worker results for a job no course waits for (late or repeated): no effect.",
          in.results_stale.load());
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    if (v < 0)
      return; // not known yet
    metric_header(out, name, "gauge", help);
    out += std::string{name} + " " + std::to_string(v) + "\n";
  };
  gauge("coursefactory_generation_jobs_waiting", "Generation jobs no worker took yet.",
        in.jobs_waiting.load());
  gauge("coursefactory_generation_jobs_in_flight", "Generation jobs a worker holds.",
        in.jobs_in_flight.load());
  gauge("coursefactory_generation_workers_seen", "Workers heard from in the last minute.",
        in.workers_seen.load());
  if (auto reclaimed = in.jobs_reclaimed.load(); reclaimed >= 0)
    counter("coursefactory_generation_jobs_reclaimed_total",
            "Jobs taken over from a worker that went quiet (all workers, all time).",
            static_cast<uint64_t>(reclaimed));
  auto last_seen = in.workers_last_seen();
  if (last_seen.empty())
    return;
  metric_header(out, "coursefactory_generation_worker_last_seen_seconds", "gauge",
                "Unix time of each worker's last heartbeat (workers of the last 10 minutes).");
  for (const auto& [worker, ms] : last_seen)
    out += "coursefactory_generation_worker_last_seen_seconds{worker=\""
           + escape_label_value(worker) + "\"} " + std::to_string(ms / 1000) + "\n";
}

// What runs: version, commit and database schema as labels of a constant 1.
void render_build_info(std::string& out) {
  metric_header(out, "coursefactory_build_info", "gauge",
                "1, labelled with the version, git commit and database schema of this binary.");
  out += std::string{"coursefactory_build_info{version=\""} + escape_label_value(build_version())
         + "\",commit=\"" + escape_label_value(build_commit()) + "\",schema=\""
         + std::to_string(sqlite_event_store::schema_version) + "\"} 1\n";
}

} // namespace

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
      || path == "/v1/events/stream" || path == "/v1/payments/webhook" || path == "/v1/openapi.json"
      || path == "/v1/asyncapi.json" || path == "/v1/whoami" || path == "/v1/stats"
      || path == "/v1/stream-tickets")
    route = path;
  else if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "courses")
    route = "/v1/courses/{id}";
  else if (seg.size() == 4 && seg[0] == "v1" && seg[1] == "courses"
           && (seg[3] == "events" || seg[3] == "retry"))
    route = "/v1/courses/{id}/" + seg[3];
  else if (!seg.empty() && seg[0] == "courses")
    route = "/courses/*";
  else if (!seg.empty() && seg[0] == "console")
    route = "/console/*";
  // Methods outside HTTP's own set become "other": each distinct label value is a series, and a
  // client may send any bytes as a method.
  static const std::set<std::string> known{"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  auto m = known.count(method) ? method : std::string{"other"};
  return "method=\"" + escape_label_value(m) + "\",route=\"" + escape_label_value(route) + "\"";
}

void register_metrics_route(httplib::Server& srv, const route_context& ctx) {
  auto c = &ctx;
  srv.Get("/metrics", [c](const httplib::Request&, httplib::Response& res) {
    auto stats = ask<log_stats>(*c, c->actors.log, stats_atom::value);
    if (!stats)
      return fail(*c, res, stats.error());
    auto text = metrics::global().render();
    render_build_info(text);
    render_log_gauges(text, *stats);
    if (c->actors.storage)
      render_storage_gauges(text, *c->actors.storage);
    if (c->actors.bus)
      render_bus_gauges(text, *c->actors.bus, stats->head);
    if (c->actors.bus_in)
      render_inbound_counters(text, *c->actors.bus_in);
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  });
  reject_other_methods(srv, "/metrics", "GET");
}

} // namespace cf
