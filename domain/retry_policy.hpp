// Retry timing for transient failures: exponential backoff with jitter, from the config; and the
// time a retry was planned for, from the failure event in the log (so it survives a restart).
#pragma once

#include <chrono>
#include <cstdint>

#include "domain/event.hpp"

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

/// How long from now until the retry that `failed` (a generation or distribution failure at the
/// current schema version) plans: its retry_at minus now, rounded up to whole milliseconds, and
/// at most `limit` (pass the policy's max_delay, which no planned delay exceeds: a wall clock
/// that jumped back since then cannot stretch the wait; one that jumped forward makes it due).
/// Zero when that time is past, or will_retry is false, or retry_at is missing or unreadable.
std::chrono::milliseconds delay_until_retry(
    const event& failed, std::chrono::milliseconds limit = std::chrono::milliseconds::max());

} // namespace cf
