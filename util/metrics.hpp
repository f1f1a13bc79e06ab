// Process-wide counters and histograms for GET /metrics (Prometheus text format 0.0.4). Cheap
// enough for every append and request: atomics, and a mutex only where a label is new.
// Gauges read from the log at scrape time (courses by state, subscriber lag) are appended by
// the caller (http/metrics_route.cpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cf {

/// Cumulative histogram with fixed upper bounds (Prometheus `le`), lock-free to observe.
class histogram {
public:
  static constexpr size_t max_buckets = 16;
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  /// Appends `name`'s _bucket, _sum and _count lines, with `labels` (`a="b"` or empty).
  void render(std::string& out, const std::string& name, const std::string& labels = {}) const;

private:
  std::vector<double> bounds_;
  std::array<std::atomic<uint64_t>, max_buckets + 1> counts_{}; // the last one is +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

/// Counters by label value.
class labelled_counter {
public:
  void add(const std::string& label, uint64_t n = 1);
  std::map<std::string, uint64_t> values() const;

private:
  mutable std::mutex mx_;
  std::map<std::string, uint64_t> values_;
};

/// Appends the # HELP and # TYPE lines of metric `name`.
void metric_header(std::string& out, const char* name, const char* type, const char* help);

/// A label value escaped for the text format (backslash, double quote, newline).
std::string escape_label_value(const std::string& v);

/// The service's counters and histograms.
struct metrics {
  /// The one registry of this process.
  static metrics& global();

  labelled_counter events_appended; ///< By event type.
  histogram append_seconds;         ///< From an append reaching EventLog to its answer.
  histogram commit_seconds;         ///< One SQLite transaction (the fsync included).
  histogram batch_events;           ///< Events per transaction.
  labelled_counter append_errors;   ///< By error code name.
  labelled_counter http_requests;   ///< By `route="...",status="..."`.
  histogram http_seconds;           ///< Request handling time, any route.
  labelled_counter retries;         ///< Retries scheduled, by step (generation, distribution).
  labelled_counter http_rejected;   ///< Requests refused by overload protection, by reason.

  metrics();

  /// The exposition of this registry (counters and histograms); scrape-time gauges are the
  /// caller's to append (see metric_header).
  std::string render() const;
};

} // namespace cf
