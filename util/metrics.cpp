// The metrics registry and its Prometheus text exposition.
#include "util/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace cf {

namespace {

std::string number(double v) {
  if (std::isinf(v))
    return "+Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void counter_lines(std::string& out, const char* name, const char* label,
                   const labelled_counter& c) {
  for (const auto& [value, n] : c.values())
    out.append(name)
        .append("{")
        .append(label)
        .append("=\"")
        .append(escape_label_value(value))
        .append("\"} ")
        .append(std::to_string(n))
        .append("\n");
}

// Latency buckets in seconds, from 50 µs to 5 s.
std::vector<double> latency_bounds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0};
}

} // namespace

void metric_header(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  if (bounds_.size() > max_buckets)
    bounds_.resize(max_buckets);
}

void histogram::observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  auto sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + v, std::memory_order_relaxed)) {
  }
}

void histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  auto sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    auto le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
    out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " + std::to_string(cumulative)
           + "\n";
  }
  auto braces = labels.empty() ? std::string{} : "{" + labels + "}";
  out += name + "_sum" + braces + " " + number(sum_.load(std::memory_order_relaxed)) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_.load(std::memory_order_relaxed))
         + "\n";
}

void labelled_counter::add(const std::string& label, uint64_t n) {
  std::lock_guard<std::mutex> lock{mx_};
  values_[label] += n;
}

std::map<std::string, uint64_t> labelled_counter::values() const {
  std::lock_guard<std::mutex> lock{mx_};
  return values_;
}

metrics::metrics()
    : append_seconds(latency_bounds()),
      commit_seconds(latency_bounds()),
      batch_events({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}),
      http_seconds(latency_bounds()) {}

metrics& metrics::global() {
  static metrics m;
  return m;
}

std::string metrics::render() const {
  std::string out;
  metric_header(out, "coursefactory_events_appended_total", "counter",
                "Events committed to the log, by type.");
  counter_lines(out, "coursefactory_events_appended_total", "type", events_appended);
  metric_header(out, "coursefactory_append_errors_total", "counter",
                "Appends that committed nothing, by error.");
  counter_lines(out, "coursefactory_append_errors_total", "error", append_errors);
  metric_header(out, "coursefactory_append_seconds", "histogram",
                "From an append reaching EventLog to its answer after the commit.");
  append_seconds.render(out, "coursefactory_append_seconds");
  metric_header(out, "coursefactory_commit_seconds", "histogram",
                "Duration of one SQLite transaction, fsync included.");
  commit_seconds.render(out, "coursefactory_commit_seconds");
  metric_header(out, "coursefactory_commit_batch_events", "histogram", "Events per transaction.");
  batch_events.render(out, "coursefactory_commit_batch_events");
  metric_header(out, "coursefactory_http_requests_total", "counter",
                "HTTP requests answered, by route and status.");
  for (const auto& [labels, n] : http_requests.values())
    out += "coursefactory_http_requests_total{" + labels + "} " + std::to_string(n) + "\n";
  metric_header(out, "coursefactory_http_request_seconds", "histogram",
                "Time to handle an HTTP request (event streams excluded).");
  http_seconds.render(out, "coursefactory_http_request_seconds");
  metric_header(out, "coursefactory_http_rejected_total", "counter",
                "Requests refused with 429 or 503 to protect the service, by reason.");
  counter_lines(out, "coursefactory_http_rejected_total", "reason", http_rejected);
  metric_header(out, "coursefactory_retries_total", "counter", "Retries scheduled, by step.");
  counter_lines(out, "coursefactory_retries_total", "step", retries);
  return out;
}

} // namespace cf
