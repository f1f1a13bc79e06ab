// The connection loop: admission, the header read with its deadline, then httplib's own request
// processing on a Stream that first hands over what the header read buffered.
#include "http/guarded_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>

#include "http/problem.hpp"
#include "http/tls.hpp"
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

enum class header_read { complete, idle_closed, timed_out, too_large, closed };

/// One accepted connection as httplib's Stream; it owns the socket. The header of each request is
/// read by read_header() into a buffer; httplib then parses it from there and reads the body
/// through read() with the body's deadline. With TLS, every byte goes through the session.
class connection final : public httplib::Stream {
public:
  struct timeouts {
    std::chrono::microseconds read;  ///< per read, as httplib's
    std::chrono::microseconds write; ///< per write, as httplib's
    std::chrono::seconds keep_alive; ///< idle between requests
  };

  connection(int sock, const conn_guard& guard, const connection_limits& limits, timeouts t,
             const tls_context* tls)
      : sock_(sock),
        guard_(guard),
        limits_(limits),
        times_(t),
        remote_(endpoint_of(sock, true)),
        local_(endpoint_of(sock, false)) {
    if (tls != nullptr) {
      ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK); // OpenSSL reads and writes it
      tls_ = std::make_unique<tls_session>(*tls, sock);
    }
  }

  ~connection() override {
    tls_.reset(); // its close_notify before the socket goes
    ::shutdown(sock_, SHUT_RDWR);
    ::close(sock_);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  const std::string& remote_ip() const { return remote_.ip; }

  /// With TLS, the handshake, due by the first request's header deadline. False: it failed, came
  /// too late, or the server stops.
  bool secure() {
    if (!tls_)
      return true;
    for (;;) {
      auto step = tls_->handshake();
      if (step.n > 0)
        return secured_ = true;
      if (step.wait == 0
          || guard_.wait(sock_, step.wait, born_ + limits_.header_timeout, true, false)
                 != conn_guard::wake::ready)
        return false;
    }
  }

  /// A problem+json answer written as is (one attempt, no wait); the caller then closes. Nothing
  /// on a TLS connection without handshake.
  void answer(int status, const char* reason, const std::string& code, const std::string& detail) {
    if (tls_ && !secured_)
      return;
    httplib::Response res;
    write_problem(res, status, code, detail);
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    for (const auto& [k, v] : res.headers) out += k + ": " + v + "\r\n";
    if (status == 503)
      out += "Retry-After: 1\r\n";
    out += "Content-Length: " + std::to_string(res.body.size()) + "\r\nConnection: close\r\n\r\n";
    out += res.body;
    send_some(out.data(), out.size());
  }

  /// Reads until the buffer holds a whole request header. `first`: the connection's first
  /// request, whose header is due from the connection's start; later ones may idle for the
  /// keep-alive time before their first byte.
  header_read read_header(bool first) {
    auto started = first ? born_ : clock::now();
    buf_.erase(0, off_); // what httplib has read of the previous request
    off_ = 0;
    scanned_ = 0;
    bool idle = !first && unread() == 0;
    for (;;) {
      if (header_end()) {
        read_due_ = started + limits_.header_timeout; // should httplib read past it after all
        return header_read::complete;
      }
      if (unread() >= limits_.max_header_bytes)
        return header_read::too_large;
      auto now = clock::now();
      auto header_due = started + limits_.header_timeout;
      auto sheddable = idle || now - started >= limits_.slow_header;
      auto deadline = idle        ? started + times_.keep_alive
                      : sheddable ? header_due
                                  : std::min(header_due, started + limits_.slow_header);
      auto woke = pending() > 0 ? conn_guard::wake::ready
                                : guard_.wait(sock_, want_, deadline, true, sheddable);
      switch (woke) {
        case conn_guard::wake::ready:
          if (!fill())
            return header_read::closed;
          if (idle && unread() > 0) { // the next request's first byte: its header is due from now
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
  void start_body() { read_due_ = clock::now() + limits_.body_timeout; }

  // httplib::Stream
  bool is_readable() const override {
    return unread() > 0 || pending() > 0 || ready_for(true, POLLIN);
  }
  bool is_writable() const override { return ready_for(false, POLLOUT); }

  ssize_t read(char* ptr, size_t size) override {
    while (unread() == 0)
      if ((pending() == 0 && !ready_for(true, want_)) || !fill())
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
      auto step = send_some(ptr, size);
      if (step.n > 0)
        return step.n;
      if (step.wait == 0 || !ready_for(false, step.wait))
        return -1;
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

  /// Decrypted bytes inside the TLS session, which poll(2) cannot see.
  size_t pending() const { return tls_ ? tls_->pending() : 0; }

  /// Whether the unread bytes hold the blank line that ends a header: CRLF at a line's start, as
  /// httplib reads it (it skips lines that end in a bare LF).
  bool header_end() {
    for (; off_ + scanned_ + 2 < buf_.size(); ++scanned_) {
      auto i = off_ + scanned_;
      if (buf_[i] == '\n' && buf_[i + 1] == '\r' && buf_[i + 2] == '\n')
        return true;
    }
    return false;
  }

  /// One non-blocking read or write, through TLS when the connection has it.
  io_step recv_some(char* out, size_t size) {
    if (tls_)
      return tls_->read(out, size);
    ssize_t n = 0;
    do n = ::recv(sock_, out, size, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return {-1, POLLIN};
    return {n, 0};
  }
  io_step send_some(const char* data, size_t size) {
    if (tls_)
      return tls_->write(data, size);
    ssize_t n = 0;
    do n = ::send(sock_, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return {-1, POLLOUT};
    return {n, 0};
  }

  /// Appends what the socket has. False on end of stream or error; true with nothing appended
  /// when it must first wait for want_ (a spurious wake-up, or TLS wanting to write).
  bool fill() {
    char chunk[8192];
    auto step = recv_some(chunk, sizeof chunk);
    if (step.n > 0) {
      buf_.append(chunk, static_cast<size_t>(step.n));
      want_ = POLLIN;
      return true;
    }
    want_ = step.wait;
    return step.wait != 0;
  }

  /// Waits for the socket within the per-read/write timeout and, reading, the request's deadline;
  /// once the server stops, within its grace too.
  bool ready_for(bool reading, short events) const {
    for (;;) {
      bool stopping = guard_.stopping();
      auto deadline = clock::now() + (reading ? times_.read : times_.write);
      if (reading)
        deadline = std::min(deadline, read_due_);
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
  clock::time_point born_ = clock::now();
  const conn_guard& guard_;
  const connection_limits& limits_;
  timeouts times_;
  endpoint remote_;
  endpoint local_;
  std::unique_ptr<tls_session> tls_; ///< null: plain HTTP
  bool secured_ = false;             ///< the TLS handshake is done
  short want_ = POLLIN;              ///< what the next read waits for
  std::string buf_;
  size_t off_ = 0;     ///< bytes of buf_ already handed to httplib
  size_t scanned_ = 0; ///< unread bytes already searched for the header's end
  clock::time_point read_due_ = clock::time_point::max(); ///< the header's, then the body's
};

/// OpenSSL writes to the socket with write(2): a peer that has gone would raise SIGPIPE, which
/// ends the process. HTTP worker threads start no programs, so blocking it there is enough.
void block_sigpipe_in_this_thread() {
  thread_local bool blocked = false;
  if (blocked)
    return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  blocked = true;
}

} // namespace

guarded_server::guarded_server(conn_guard& guard, connection_limits limits,
                               std::shared_ptr<const tls_context> tls)
    : guard_(guard), limits_(limits), tls_(std::move(tls)) {}

bool guarded_server::process_and_close_socket(socket_t sock) {
  if (tls_)
    block_sigpipe_in_this_thread();
  connection conn{sock,
                  guard_,
                  limits_,
                  {duration_of(read_timeout_sec_, read_timeout_usec_),
                   duration_of(write_timeout_sec_, write_timeout_usec_),
                   std::chrono::seconds{keep_alive_timeout_sec_}},
                  tls_.get()};
  auto& rejected = metrics::global().http_rejected;
  if (!guard_.admit(conn.remote_ip())) {
    if (!guard_.stopping()) {
      rejected.add("connections_per_client");
      conn.answer(503, "Service Unavailable", "too_many_connections",
                  "this client address has too many open connections");
    }
    return true;
  }
  bool ok = conn.secure();
  for (size_t left = keep_alive_max_count_; ok && left > 0; --left) {
    auto got = conn.read_header(left == keep_alive_max_count_);
    if (got == header_read::timed_out) {
      rejected.add("header_timeout");
      conn.answer(408, "Request Timeout", "request_timeout",
                  "the request header did not arrive in time");
    } else if (got == header_read::too_large) {
      rejected.add("header_too_large");
      conn.answer(431, "Request Header Fields Too Large", "header_too_large",
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
  return true;
}

} // namespace cf
