// The connection loop: admission, the header read with its deadline, then httplib's own request
// processing on a Stream that first hands over what the header read buffered.
#include "http/guarded_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "http/problem.hpp"
#include "util/metrics.hpp"

namespace cf {

namespace {

using clock = conn_guard::clock;

struct endpoint {
  std::string ip;
  int port = 0;
};

endpoint endpoint_of(int sock, bool peer) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  endpoint out;
  if (rc != 0)
    return out;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    out.port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    out.port = ntohs(a.sin6_port);
  }
  out.ip = text;
  return out;
}

std::chrono::microseconds duration_of(time_t sec, time_t usec) {
  return std::chrono::seconds{sec} + std::chrono::microseconds{usec};
}

/// A problem+json answer written straight to a socket that httplib has not seen (or will not
/// see again), then the connection is closed by the caller. Best effort: it does not wait.
void answer_and_close(int sock, int status, const char* reason, const std::string& code,
                      const std::string& detail) {
  httplib::Response res;
  write_problem(res, status, code, detail);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const auto& [k, v] : res.headers) out += k + ": " + v + "\r\n";
  if (status == 503)
    out += "Retry-After: 1\r\n";
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\nConnection: close\r\n\r\n";
  out += res.body;
  [[maybe_unused]] auto n = ::send(sock, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

enum class header_read { complete, idle_closed, timed_out, too_large, closed };

/// One accepted connection as httplib's Stream. The header of each request is read by
/// read_header() into a buffer; httplib then parses it from there and reads the body through
/// read() with the body's deadline.
class connection final : public httplib::Stream {
public:
  connection(int sock, const conn_guard& guard, const connection_limits& limits,
             std::chrono::microseconds read_timeout, std::chrono::microseconds write_timeout,
             std::chrono::seconds keep_alive)
      : sock_(sock),
        guard_(guard),
        limits_(limits),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout),
        keep_alive_(keep_alive),
        remote_(endpoint_of(sock, true)),
        local_(endpoint_of(sock, false)) {}

  const std::string& remote_ip() const { return remote_.ip; }

  /// Reads until the buffer holds a whole request header. `first`: the connection's first
  /// request, whose header is due from the start; later ones may idle for the keep-alive time
  /// before their first byte.
  header_read read_header(bool first) {
    auto started = clock::now();
    buf_.erase(0, off_); // what httplib has read of the previous request
    off_ = 0;
    scanned_ = 0;
    bool idle = !first && unread() == 0;
    for (;;) {
      if (header_end())
        return header_read::complete;
      if (unread() >= limits_.max_header_bytes)
        return header_read::too_large;
      auto now = clock::now();
      auto header_due = started + limits_.header_timeout;
      auto sheddable = idle || now - started >= limits_.slow_header;
      auto deadline = idle        ? started + keep_alive_
                      : sheddable ? header_due
                                  : std::min(header_due, started + limits_.slow_header);
      switch (guard_.wait(sock_, POLLIN, deadline, true, sheddable)) {
        case conn_guard::wake::ready:
          if (!fill())
            return header_read::closed;
          if (idle) { // the first byte of the next request: its header is due from now
            idle = false;
            started = clock::now();
          }
          break;
        case conn_guard::wake::timeout:
          if (idle)
            return header_read::idle_closed;
          if (clock::now() >= header_due)
            return header_read::timed_out;
          break; // only the slow_header mark passed: wait on, now sheddable
        case conn_guard::wake::stopped:
          return idle || unread() == 0 ? header_read::idle_closed : header_read::closed;
        case conn_guard::wake::shed:
          return idle ? header_read::idle_closed : header_read::timed_out;
      }
    }
  }

  /// The header has been parsed: what httplib reads from now on is the body.
  void start_body() { phase_due_ = clock::now() + limits_.body_timeout; }

  // httplib::Stream
  bool is_readable() const override { return unread() > 0 || ready_for(POLLIN); }
  bool is_writable() const override { return ready_for(POLLOUT); }

  ssize_t read(char* ptr, size_t size) override {
    while (unread() == 0)
      if (!ready_for(POLLIN) || !fill())
        return -1;
    auto n = std::min(size, unread());
    std::memcpy(ptr, buf_.data() + off_, n);
    off_ += n;
    if (off_ == buf_.size()) {
      buf_.clear();
      off_ = 0;
      scanned_ = 0;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!ready_for(POLLOUT))
        return -1;
      auto n = ::send(sock_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_.ip;
    port = remote_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_.ip;
    port = local_.port;
  }
  socket_t socket() const override { return sock_; }

private:
  size_t unread() const { return buf_.size() - off_; }

  /// Whether the unread bytes hold a blank line that ends a header (CRLF or bare LF lines).
  bool header_end() {
    for (; off_ + scanned_ + 1 < buf_.size(); ++scanned_) {
      auto i = off_ + scanned_;
      if (buf_[i] != '\n')
        continue;
      if (buf_[i + 1] == '\n')
        return true;
      if (buf_[i + 1] == '\r') {
        if (i + 2 == buf_.size())
          return false; // look at this line end again when more has come
        if (buf_[i + 2] == '\n')
          return true;
      }
    }
    return false;
  }

  /// Appends what the socket has (poll said it is readable; a spurious wake-up appends
  /// nothing). False on end of stream or error.
  bool fill() {
    char chunk[8192];
    ssize_t n = 0;
    do n = ::recv(sock_, chunk, sizeof chunk, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0)
      return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  /// Waits for the socket within the per-read/write timeout and the body's deadline; once the
  /// server stops, within its grace too.
  bool ready_for(short events) const {
    for (;;) {
      bool stopping = guard_.stopping();
      auto deadline = clock::now() + (events == POLLIN ? read_timeout_ : write_timeout_);
      if (events == POLLIN)
        deadline = std::min(deadline, phase_due_);
      if (stopping)
        deadline = std::min(deadline, guard_.stop_deadline());
      auto w = guard_.wait(sock_, events, deadline, !stopping, false);
      if (w == conn_guard::wake::ready)
        return true;
      if (w != conn_guard::wake::stopped)
        return false;
    }
  }

  int sock_;
  const conn_guard& guard_;
  const connection_limits& limits_;
  std::chrono::microseconds read_timeout_;  ///< per read, as httplib's
  std::chrono::microseconds write_timeout_; ///< per write, as httplib's
  std::chrono::seconds keep_alive_;
  endpoint remote_;
  endpoint local_;
  std::string buf_;
  size_t off_ = 0;     ///< bytes of buf_ already handed to httplib
  size_t scanned_ = 0; ///< unread bytes already searched for the header's end
  clock::time_point phase_due_ = clock::time_point::max();
};

} // namespace

guarded_server::guarded_server(conn_guard& guard, connection_limits limits)
    : guard_(guard), limits_(limits) {}

bool guarded_server::process_and_close_socket(socket_t sock) {
  connection conn{sock,
                  guard_,
                  limits_,
                  duration_of(read_timeout_sec_, read_timeout_usec_),
                  duration_of(write_timeout_sec_, write_timeout_usec_),
                  std::chrono::seconds{keep_alive_timeout_sec_}};
  auto& rejected = metrics::global().http_rejected;
  if (!guard_.admit(conn.remote_ip())) {
    if (!guard_.stopping()) {
      rejected.add("connections_per_client");
      answer_and_close(sock, 503, "Service Unavailable", "too_many_connections",
                       "this client address has too many open connections");
    }
  } else {
    bool ok = true;
    for (size_t left = keep_alive_max_count_; ok && left > 0; --left) {
      auto got = conn.read_header(left == keep_alive_max_count_);
      if (got == header_read::timed_out) {
        rejected.add("header_timeout");
        answer_and_close(sock, 408, "Request Timeout", "request_timeout",
                         "the request header did not arrive in time");
      } else if (got == header_read::too_large) {
        rejected.add("header_too_large");
        answer_and_close(sock, 431, "Request Header Fields Too Large", "header_too_large",
                         "the request header is too large");
      }
      if (got != header_read::complete)
        break;
      bool closed = false;
      ok = process_request(conn, left == 1 || guard_.stopping(), closed,
                           [&](httplib::Request&) { conn.start_body(); });
      ok = ok && !closed && !guard_.stopping();
    }
    guard_.release(conn.remote_ip());
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

} // namespace cf
