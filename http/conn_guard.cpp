// Connection accounting and the wake-ups (eventfds, so that one poll(2) waits for a socket and
// both signals).
#include "http/conn_guard.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace cf {

namespace {

int make_eventfd() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error{std::string{"eventfd: "} + std::strerror(errno)};
  return fd;
}

void raise(int fd) {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void lower(int fd) {
  uint64_t value = 0;
  [[maybe_unused]] auto n = ::read(fd, &value, sizeof value); // resets the counter to 0
}

} // namespace

conn_guard::conn_guard(int32_t threads, int32_t max_per_client, std::chrono::milliseconds grace)
    : threads_(threads),
      max_per_client_(max_per_client),
      grace_(grace),
      stop_fd_(make_eventfd()),
      short_fd_(make_eventfd()) {}

conn_guard::~conn_guard() {
  ::close(stop_fd_);
  ::close(short_fd_);
}

bool conn_guard::admit(const std::string& addr) {
  std::lock_guard<std::mutex> guard{mx_};
  if (stopping_)
    return false;
  auto& n = per_client_[addr];
  if (max_per_client_ > 0 && n >= max_per_client_) {
    if (n == 0)
      per_client_.erase(addr);
    return false;
  }
  ++n;
  ++open_;
  set_short_locked(open_ >= threads_);
  return true;
}

void conn_guard::release(const std::string& addr) {
  std::lock_guard<std::mutex> guard{mx_};
  auto i = per_client_.find(addr);
  if (i == per_client_.end())
    return;
  if (--i->second == 0)
    per_client_.erase(i);
  --open_;
  set_short_locked(open_ >= threads_);
}

void conn_guard::set_short_locked(bool on) {
  if (on == short_)
    return;
  short_ = on;
  if (on)
    raise(short_fd_);
  else
    lower(short_fd_);
}

int32_t conn_guard::open_from(const std::string& addr) const {
  std::lock_guard<std::mutex> guard{mx_};
  auto i = per_client_.find(addr);
  return i == per_client_.end() ? 0 : i->second;
}

void conn_guard::stop() {
  std::lock_guard<std::mutex> guard{mx_};
  if (stopping_)
    return;
  stop_deadline_ = (clock::now() + grace_).time_since_epoch().count();
  stopping_ = true;
  raise(stop_fd_);
}

conn_guard::clock::time_point conn_guard::stop_deadline() const {
  return clock::time_point{clock::duration{stop_deadline_.load()}};
}

conn_guard::wake conn_guard::wait(int fd, short events, clock::time_point deadline, bool on_stop,
                                  bool on_shed) const {
  pollfd fds[3] = {{fd, events, 0}, {stop_fd_, POLLIN, 0}, {short_fd_, POLLIN, 0}};
  for (;;) {
    if (on_stop && stopping_)
      return wake::stopped;
    if (on_shed && short_)
      return wake::shed;
    auto now = clock::now();
    if (now >= deadline)
      return wake::timeout;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    nfds_t n = 1;
    if (on_stop)
      fds[n++] = {stop_fd_, POLLIN, 0};
    if (on_shed)
      fds[n++] = {short_fd_, POLLIN, 0};
    int r = ::poll(fds, n, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (r < 0 && errno != EINTR)
      return wake::ready; // let the read or write that follows report the error
    if (r > 0 && fds[0].revents != 0)
      return wake::ready;
    // A timeout, a signal, or a wake-up: the checks above say which. A wake-up whose flag has
    // been lowered again in between (threads freed) only costs another turn.
  }
}

} // namespace cf
