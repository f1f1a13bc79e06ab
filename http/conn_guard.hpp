// Who holds the HTTP threads: the open connections counted per client address, and the two
// signals a connection that waits for bytes listens to (the server stops; every thread is taken).
// http/guarded_server.cpp asks it before it serves a connection and whenever it waits.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cf {

class conn_guard {
public:
  using clock = std::chrono::steady_clock;

  /// `threads`: the HTTP worker threads (each open connection holds one). `max_per_client`:
  /// connections one address may hold at once, 0 for no cap. After stop(), writes and body reads
  /// have `grace` to finish.
  conn_guard(int32_t threads, int32_t max_per_client, std::chrono::milliseconds grace);
  ~conn_guard();
  conn_guard(const conn_guard&) = delete;
  conn_guard& operator=(const conn_guard&) = delete;

  /// Counts a new connection from `addr`. False (nothing counted) when `addr` already holds
  /// max_per_client connections or the server stops.
  bool admit(const std::string& addr);

  /// A connection admitted for `addr` has closed.
  void release(const std::string& addr);

  /// Wakes every wait that listens to the stop; from now on admit() refuses.
  void stop();
  bool stopping() const { return stopping_; }
  /// When writes and body reads give up after stop() (clock::time_point::max() before).
  clock::time_point stop_deadline() const;

  /// Every thread holds a connection: idle and slow connections should give theirs up.
  bool short_of_threads() const { return short_; }

  /// Open connections from `addr` (for tests and metrics).
  int32_t open_from(const std::string& addr) const;

  enum class wake { ready, timeout, stopped, shed };
  /// Waits until `fd` has one of `events` (POLLIN, POLLOUT; an error or hang-up counts as ready),
  /// `deadline` passes, the server stops (if `on_stop`) or threads run short (if `on_shed`).
  wake wait(int fd, short events, clock::time_point deadline, bool on_stop, bool on_shed) const;

private:
  void set_short_locked(bool on);

  mutable std::mutex mx_;
  std::unordered_map<std::string, int32_t> per_client_;
  int32_t open_ = 0;
  int32_t threads_;
  int32_t max_per_client_;
  std::chrono::milliseconds grace_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> short_{false};
  std::atomic<clock::rep> stop_deadline_{clock::time_point::max().time_since_epoch().count()};
  int stop_fd_;  ///< eventfd, readable once stop() ran
  int short_fd_; ///< eventfd, readable while short of threads
};

} // namespace cf
