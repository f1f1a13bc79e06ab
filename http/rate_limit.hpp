// Per-client token buckets for the HTTP front: each client (by address) may make `rate`
// requests a second on average, in bursts of up to `burst`. Thread-safe; memory is bounded by
// `max_clients` (the longest idle buckets, which would be full again anyway, are dropped).
// route_rate_limits gives every class of route its own budget, per client.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace httplib {
struct Request;
}

namespace cf {

class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// rate <= 0: no limit.
  rate_limiter(double rate, double burst, size_t max_clients = 10000);

  /// Takes a token for `client` at `now`. When none is left, answers false and sets
  /// `retry_after` to the time until the next token.
  bool allow(const std::string& client, clock::time_point now,
             std::chrono::milliseconds& retry_after);

  /// Buckets held now (for tests).
  size_t clients() const;

private:
  struct bucket {
    double tokens;
    clock::time_point last;
  };
  void evict_idle(clock::time_point now);

  double rate_;
  double burst_;
  size_t max_clients_;
  mutable std::mutex mx_;
  std::unordered_map<std::string, bucket> buckets_;
};

/// Classes of routes, each with its own budget per client.
enum class route_class {
  create,  ///< POST /v1/courses: each runs a generation.
  retry,   ///< POST /v1/courses/{id}/retry: each runs a step again.
  read,    ///< GET /v1/... (courses, events, health).
  stream,  ///< GET /v1/events/stream: opens a long-lived stream.
  metrics, ///< GET /metrics.
  webhook, ///< POST /v1/payments/webhook.
  other,   ///< The published pages, unknown paths, other methods.
};
constexpr size_t route_class_count = 7;

/// The class of a request by method and path.
route_class classify_route(const std::string& method, const std::string& path);

/// Its name, for the Retry-After problem and the metrics.
const char* route_class_name(route_class c);

struct rate_budget {
  double rate_per_s; ///< <= 0: no limit.
  double burst;
};

/// Budgets per client and route class. Reads are generous (a page reload is a few of them);
/// what costs work (a generation, a retry, a stream) is scarce.
struct rate_budgets {
  std::array<rate_budget, route_class_count> of{{
      {1000, 2000}, // create (http.rate_limit_per_s, http.rate_limit_burst)
      {10, 20},     // retry
      {1000, 2000}, // read
      {5, 20},      // stream
      {20, 40},     // metrics
      {100, 200},   // webhook
      {1000, 2000}, // other
  }};
  rate_budget& operator[](route_class c) { return of[static_cast<size_t>(c)]; }
};

/// Whom a request is counted against. The client's address for now; with API tokens, the
/// token (per address without one).
using client_key_fn = std::function<std::string(const httplib::Request&)>;

/// The client's address (the default client_key_fn).
std::string client_address(const httplib::Request& req);

/// One rate_limiter per route class, keyed by `key`. Thread-safe.
class route_rate_limits {
public:
  explicit route_rate_limits(const rate_budgets& b, client_key_fn key = client_address);

  /// Takes a token for `req` from its route class's budget. When none is left, answers false
  /// and sets `retry_after` and `cls`.
  bool allow(const httplib::Request& req, rate_limiter::clock::time_point now,
             std::chrono::milliseconds& retry_after, route_class& cls);

private:
  std::array<std::unique_ptr<rate_limiter>, route_class_count> limiters_;
  client_key_fn key_;
};

} // namespace cf
