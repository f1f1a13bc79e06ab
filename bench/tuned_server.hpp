// The cpp-httplib server of the HTTP benchmark's baselines (bare_httplib, rest_only): tuned as
// http/server.cpp tunes the service (nodelay, keep-alive count, worker threads, backlog, body
// limit), with the service's defaults (config/settings.hpp), bound and served the same way.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <cstddef>
#include <iostream>
#include <string>

namespace cf::bench {

struct tuned_server {
  static constexpr size_t threads = 128;           // settings::http_threads
  static constexpr size_t keep_alive_max = 100000; // settings::http_keep_alive_max
  static constexpr int backlog = 1024;             // settings::http_backlog
  static constexpr size_t max_body = 64 * 1024;    // settings::http_max_body_bytes

  httplib::Server srv;
  int listen_fd = -1;

  tuned_server() {
    srv.set_tcp_nodelay(true);
    srv.set_keep_alive_max_count(keep_alive_max);
    srv.set_payload_max_length(max_body);
    srv.new_task_queue = [] { return new httplib::ThreadPool(threads); };
    srv.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_fd = sock;
    });
  }
  tuned_server(const tuned_server&) = delete;
  tuned_server& operator=(const tuned_server&) = delete;

  /// Binds 127.0.0.1:`port` (0: a free one), prints "listening on http://127.0.0.1:PORT" and
  /// serves until stopped. Returns main's exit status (1: cannot bind, said as `name`).
  int serve(int port, const std::string& name) {
    port = port == 0 ? srv.bind_to_any_port("127.0.0.1")
                     : (srv.bind_to_port("127.0.0.1", port) ? port : -1);
    if (port < 0) {
      std::cerr << name << ": cannot bind\n";
      return 1;
    }
    if (listen_fd >= 0)
      ::listen(listen_fd, backlog); // httplib's own backlog is 5
    std::cout << "listening on http://127.0.0.1:" << port << std::endl;
    srv.listen_after_bind();
    return 0;
  }
};

} // namespace cf::bench
