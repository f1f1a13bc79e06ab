// The baseline of the HTTP benchmark: a bare cpp-httplib server answering POST /v1/courses with
// the body the service answers (202, a new course id, Location), without actors or storage, on
// the service's tuning (bench/tuned_server.hpp). Prints "listening on http://127.0.0.1:PORT".
//
//   bare_httplib [--port P]   (0, the default, picks a free port)
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "bench/tuned_server.hpp"
#include "util/uuid.hpp"

int main(int argc, char** argv) {
  int port = argc == 3 && std::string{argv[1]} == "--port" ? std::stoi(argv[2]) : 0;
  cf::bench::tuned_server server;
  auto& srv = server.srv;
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
  return server.serve(port, "bare_httplib");
}
