// Retry timing for transient failures: exponential backoff with jitter, from the config.
#pragma once

#include <chrono>
#include <cstdint>

namespace cf {

/// How often and how patiently a failed step is tried again.
struct retry_policy {
  std::chrono::milliseconds initial_delay{500}; ///< Delay before the first retry (pre-jitter).
  double multiplier = 2.0;                      ///< Growth per retry, >= 1.
  std::chrono::milliseconds max_delay{30000};   ///< Cap on any one delay.
  int32_t max_attempts = 5;                     ///< Attempts in all, the first included; >= 1.

  /// True when attempt number `attempt` (1-based) failed transiently and another may follow.
  bool allows_another(int32_t attempt) const { return attempt < max_attempts; }
};

/// The delay before retry number `retry` (1 = the first retry): d = min(max_delay,
/// initial_delay * multiplier^(retry-1)), then "equal jitter": d/2 + random01 * d/2, so retries of
/// many courses that failed together spread out. REQUIRES: random01 in [0, 1).
std::chrono::milliseconds backoff_delay(const retry_policy& p, int32_t retry, double random01);

} // namespace cf
