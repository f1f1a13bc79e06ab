// The baseline of the HTTP benchmark: a bare cpp-httplib server answering POST /v1/courses with
// the body the service answers (202, a new course id, Location), without actors or storage. Tuned
// as http/server.cpp tunes the service (nodelay, keep-alive count, worker threads, backlog), with
// the service's defaults (config/settings.hpp). Prints "listening on http://127.0.0.1:PORT".
//
//   bare_httplib [--port P]   (0, the default, picks a free port)
#include <httplib.h>
#include <sys/socket.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "util/uuid.hpp"

int main(int argc, char** argv) {
  int port = argc == 3 && std::string{argv[1]} == "--port" ? std::stoi(argv[2]) : 0;
  constexpr size_t threads = 128;           // settings::http_threads
  constexpr size_t keep_alive_max = 100000; // settings::http_keep_alive_max
  constexpr int backlog = 1024;             // settings::http_backlog
  constexpr size_t max_body = 64 * 1024;    // settings::http_max_body_bytes
  httplib::Server srv;
  srv.set_tcp_nodelay(true);
  srv.set_keep_alive_max_count(keep_alive_max);
  srv.set_payload_max_length(max_body);
  srv.new_task_queue = [] { return new httplib::ThreadPool(threads); };
  int listen_fd = -1;
  srv.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  srv.Post("/v1/courses", [](const httplib::Request&, httplib::Response& res) {
    auto id = cf::make_uuid_v7();
    auto self = "/v1/courses/" + id;
    res.status = 202;
    res.set_header("Location", self);
    res.set_content(nlohmann::json{{"course_id", id},
                                   {"status", "generating"},
                                   {"links", {{"self", self}, {"events", self + "/events"}}}}
                        .dump(),
                    "application/json");
  });
  port = port == 0 ? srv.bind_to_any_port("127.0.0.1")
                   : (srv.bind_to_port("127.0.0.1", port) ? port : -1);
  if (port < 0) {
    std::cerr << "bare_httplib: cannot bind\n";
    return 1;
  }
  if (listen_fd >= 0)
    ::listen(listen_fd, backlog);
  std::cout << "listening on http://127.0.0.1:" << port << std::endl;
  srv.listen_after_bind();
  return 0;
}
