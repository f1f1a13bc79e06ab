// Test kit: waiting for what other threads do without betting on how fast they are. A test waits
// for a positive signal (a value reached, a condition met) for up to `patience`, so a busy machine
// only makes it slower; only a real hang fails. Absence is never proved by waiting: a test proves
// it after a barrier that shows the thing that could have happened was processed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cf::testkit {

/// How long a test waits for something that must happen.
inline constexpr std::chrono::seconds patience{30};

/// Polls `done` (every 10 ms) until it returns true or `bound` passed; returns its last result.
/// For state only reachable by asking (the log, an HTTP route, a file another process writes).
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds bound = patience) {
  auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (done())
      return true;
    if (std::chrono::steady_clock::now() >= until)
      return done();
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

/// A value that other threads (an actor, a server handler) change and the test reads or waits
/// on, always under its lock. Share it by std::shared_ptr with the code that changes it.
template <class T>
class watched {
public:
  watched() = default;
  explicit watched(T initial) : value_(std::move(initial)) {}

  /// Changes the value by `f(T&)` and wakes every waiter.
  template <class F>
  void update(F f) {
    {
      std::lock_guard<std::mutex> guard{mx_};
      f(value_);
    }
    cv_.notify_all();
  }

  /// A copy of the value now.
  T get() const {
    std::lock_guard<std::mutex> guard{mx_};
    return value_;
  }

  /// Blocks until `ready(const T&)` holds, up to `bound`; returns whether it does.
  template <class Predicate>
  bool await(Predicate ready, std::chrono::milliseconds bound = patience) const {
    std::unique_lock<std::mutex> lock{mx_};
    return cv_.wait_for(lock, bound, [&] { return ready(static_cast<const T&>(value_)); });
  }

private:
  mutable std::mutex mx_;
  mutable std::condition_variable cv_;
  T value_{};
};

} // namespace cf::testkit
