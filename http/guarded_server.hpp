// cpp-httplib's server with its connection loop replaced, so that slow and idle clients cannot take
// the service. httplib gives each connection a worker thread for as long as it is open, and
// restarts its read timeout at every byte: 150 connections that send a header byte a second held
// every thread. Here, per connection (the routes and httplib's request parsing are unchanged):
// - an address holds at most `max_per_client` connections; more are answered 503 and closed;
// - a request's whole header must arrive within `header_timeout` (408 and closed), and its body
//   within `body_timeout`; the header is read here, before httplib sees the request;
// - when every thread holds a connection, idle keep-alive connections and headers slower than
//   `slow_header` are closed, so that waiting connections get a thread;
// - after stop() (see conn_guard), idle connections and unfinished headers close at once, and
//   requests in flight are answered within conn_guard's grace: run() returns in that time.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>

#include "http/conn_guard.hpp"

namespace cf {

struct connection_limits {
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds slow_header{1000}; ///< shed beyond this when threads run short
  size_t max_header_bytes = 64 * 1024;         ///< a larger header gets 431
};

class tls_context;

class guarded_server : public httplib::Server {
public:
  /// `guard` must outlive the server. With `tls`, every connection is TLS (its handshake is due
  /// within the header deadline).
  guarded_server(conn_guard& guard, connection_limits limits,
                 std::shared_ptr<const tls_context> tls = nullptr);

private:
  // Called by httplib's accept loop on a worker thread, once per accepted socket.
  bool process_and_close_socket(socket_t sock) override;

  conn_guard& guard_;
  connection_limits limits_;
  std::shared_ptr<const tls_context> tls_;
};

} // namespace cf
