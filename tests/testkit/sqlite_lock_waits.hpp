// Test kit: makes SQLite's lock waits visible, so a test can hold a database lock until another
// connection is demonstrably blocked on it instead of sleeping and hoping it got there. SQLite's
// busy handler (sqlite3_busy_timeout) waits by calling its VFS's xSleep; connections opened while
// watch_lock_waits(true) is in force get the default VFS with that one method wrapped to count.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "tests/testkit/sync.hpp"

namespace cf::testkit {

namespace detail {

struct lock_wait_state {
  sqlite3_vfs vfs{};           // a copy of the default VFS with xSleep counting
  sqlite3_vfs* base = nullptr; // the default VFS it wraps
  std::mutex mx;
  std::condition_variable cv;
  int64_t waits = 0;
};

// Never destroyed: a watched connection may live until the process ends and still use the VFS.
inline lock_wait_state& lock_waits() {
  static auto* state = new lock_wait_state;
  return *state;
}

inline int counting_sleep(sqlite3_vfs*, int microseconds) {
  auto& s = lock_waits();
  {
    std::lock_guard<std::mutex> guard{s.mx};
    ++s.waits;
  }
  s.cv.notify_all();
  return s.base->xSleep(s.base, microseconds);
}

} // namespace detail

/// With `on`, connections opened from now on count their lock waits; with `!on`, new connections
/// are plain again (those already open keep counting).
inline void watch_lock_waits(bool on) {
  auto& s = detail::lock_waits();
  if (s.base == nullptr) {
    s.base = sqlite3_vfs_find(nullptr);
    s.vfs = *s.base;
    s.vfs.zName = "cf-test-lock-waits";
    s.vfs.xSleep = &detail::counting_sleep;
  }
  sqlite3_vfs_register(on ? &s.vfs : s.base, 1);
}

/// How many times watched connections have waited for a lock so far.
inline int64_t lock_waits_so_far() {
  auto& s = detail::lock_waits();
  std::lock_guard<std::mutex> guard{s.mx};
  return s.waits;
}

/// Blocks until a watched connection waits for a lock once more than `seen` times in all, up to
/// `bound`; returns whether it did.
inline bool await_lock_wait(int64_t seen, std::chrono::milliseconds bound = patience) {
  auto& s = detail::lock_waits();
  std::unique_lock<std::mutex> lock{s.mx};
  return s.cv.wait_for(lock, bound, [&] { return s.waits > seen; });
}

/// Makes the connections opened during its lifetime count their lock waits. As a base class
/// listed before a fixture, it watches the connections that fixture opens.
struct lock_waits_watched {
  lock_waits_watched() { watch_lock_waits(true); }
  ~lock_waits_watched() { watch_lock_waits(false); }
  lock_waits_watched(const lock_waits_watched&) = delete;
  lock_waits_watched& operator=(const lock_waits_watched&) = delete;
};

} // namespace cf::testkit
