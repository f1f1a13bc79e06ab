// What EventLog tells the rest of the service about its disk: whether writes succeed, fail for a
// while (a full disk, a busy database) or have stopped for good (a failed sync). Written by
// EventLog only, read by any thread (GET /v1/health, GET /metrics, the shutdown's exit code).
#pragma once

#include <atomic>
#include <caf/error.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace cf {

struct storage_health {
  /// How /v1/health reports the log's writes.
  enum class state : uint8_t {
    ok,       ///< The last write committed, or no write failed within degraded_window_us.
    degraded, ///< A write failed for a reason that may pass (full disk, busy): still answering.
    failing,  ///< A sync to disk failed: no more writes in this process; it is stopping.
  };

  /// How long one failed write keeps the log `degraded` when no commit follows.
  static constexpr int64_t degraded_window_us = 60'000'000;

  /// Latched by EventLog at the first storage_failed: never cleared in this process.
  std::atomic<bool> failed{false};
  /// When the last write failed with storage_full or storage_unavailable; 0 after a commit.
  std::atomic<int64_t> last_error_us{0};
  /// Whether that last failed write found the disk full (the coursefactory_storage_full gauge).
  std::atomic<bool> last_error_full{false};
  /// Failed transactions by kind (coursefactory_storage_errors_total{kind}).
  std::atomic<uint64_t> full_errors{0};        ///< storage_full
  std::atomic<uint64_t> sync_errors{0};        ///< storage_failed
  std::atomic<uint64_t> unavailable_errors{0}; ///< storage_unavailable (busy, locked, other I/O)

  /// Called once, on EventLog's thread, when the latch closes (app/serve.cpp: begin the
  /// shutdown). Set it before spawning EventLog.
  std::function<void(const caf::error&)> on_failed;

  /// The state at `now_us` (microseconds since the epoch).
  state current(int64_t now_us) const {
    if (failed.load())
      return state::failing;
    auto last = last_error_us.load();
    return last != 0 && now_us - last < degraded_window_us ? state::degraded : state::ok;
  }

  /// True while `current` is degraded by a full disk.
  bool full(int64_t now_us) const {
    return current(now_us) == state::degraded && last_error_full.load();
  }
};

/// "ok", "degraded" or "failing".
inline const char* to_string(storage_health::state s) {
  switch (s) {
    case storage_health::state::ok:
      return "ok";
    case storage_health::state::degraded:
      return "degraded";
    case storage_health::state::failing:
      return "failing";
  }
  return "failing";
}

} // namespace cf
