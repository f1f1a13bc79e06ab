// Per-client token buckets for the HTTP front: each client (by address) may make `rate`
// requests a second on average, in bursts of up to `burst`. Thread-safe; memory is bounded by
// `max_clients` (the longest idle buckets, which would be full again anyway, are dropped).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

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

} // namespace cf
