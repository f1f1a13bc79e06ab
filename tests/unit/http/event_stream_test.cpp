// GET /v1/events/stream against the real service: Server-Sent Events resumed from Last-Event-ID
// with stored events first, then live ones; type filter; heartbeats; limits and bad input.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// One parsed SSE message (comments counted apart).
struct message {
  int64_t id = 0;
  std::string type;
  json data;
};

// What a stream delivered until `enough` said so (or `patience` passed).
struct stream_result {
  int status = 0;
  std::string content_type;
  std::vector<message> messages;
  int comments = 0;
};

// Reads GET `path` as an SSE client would, parsing messages as they arrive.
stream_result read_stream(int port, const std::string& path, httplib::Headers headers,
                          std::function<bool(const stream_result&)> enough) {
  httplib::Client cli{"127.0.0.1", port};
  cli.set_bearer_token_auth(testkit::admin_token);
  cli.set_read_timeout(testkit::patience);
  stream_result out;
  std::string buffer;
  message current;
  auto deadline = std::chrono::steady_clock::now() + testkit::patience;
  cli.Get(
      path.c_str(), headers,
      [&](const httplib::Response& res) {
        out.status = res.status;
        out.content_type = res.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t len) {
        buffer.append(data, len);
        for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
          auto line = buffer.substr(0, nl);
          buffer.erase(0, nl + 1);
          if (line.empty()) { // end of a message
            if (!current.type.empty())
              out.messages.push_back(std::move(current));
            current = {};
          } else if (line[0] == ':') {
            ++out.comments;
          } else if (line.rfind("id: ", 0) == 0) {
            current.id = std::stoll(line.substr(4));
          } else if (line.rfind("event: ", 0) == 0) {
            current.type = line.substr(7);
          } else if (line.rfind("data: ", 0) == 0) {
            current.data = json::parse(line.substr(6));
          }
        }
        return !enough(out) && std::chrono::steady_clock::now() < deadline;
      });
  return out;
}

std::string create(testkit::service_fixture& svc, const std::string& title) {
  auto a = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                     testkit::sample_request(title), std::string{});
  BOOST_REQUIRE(a);
  BOOST_REQUIRE(svc.await_event(event_types::distribution_completed, a->course_id));
  return a->course_id;
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_stream)

BOOST_AUTO_TEST_CASE(resumes_after_last_event_id_then_goes_live) {
  testkit::service_fixture svc;
  auto port = svc.start_http();
  auto first = create(svc, "Erster Kurs"); // seq 1-4: started, completed, requested, completed
  // The stream subscribes to the log before it writes the last page of stored events: once the
  // client has read those, every later event can only come live.
  std::promise<void> stored_read;
  auto reader = std::async(std::launch::async, [&] {
    bool told = false;
    return read_stream(port, "/v1/events/stream", {{"Last-Event-ID", "1"}},
                       [&](const stream_result& r) {
                         if (!told && r.messages.size() >= 3) {
                           told = true;
                           stored_read.set_value();
                         }
                         return r.messages.size() >= 7;
                       });
  });
  BOOST_REQUIRE(stored_read.get_future().wait_for(testkit::patience) == std::future_status::ready);
  auto second = create(svc, "Zweiter Kurs");
  auto r = reader.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.content_type == "text/event-stream");
  BOOST_REQUIRE_EQUAL(r.messages.size(), 7u);
  for (size_t i = 0; i < r.messages.size(); ++i) {
    const auto& m = r.messages[i];
    BOOST_TEST(m.id == static_cast<int64_t>(i + 2)); // after 1, gap-free, in order
    BOOST_TEST(m.data["seq"] == m.id);
    BOOST_TEST(m.data["type"] == m.type);
    BOOST_TEST(m.data["subject"] == (i < 3 ? first : second));
  }
}

BOOST_AUTO_TEST_CASE(type_filter_and_heartbeats) {
  testkit::service_fixture svc;
  http_options s;
  s.stream_heartbeat_ms = 50;
  auto port = svc.start_http(s);
  create(svc, "Gefilterter Kurs");
  auto r = read_stream(port, "/v1/events/stream?type=course.distribution.*&after=0", {},
                       [](const stream_result& r) { return r.comments >= 2; });
  BOOST_REQUIRE_EQUAL(r.messages.size(), 2u);
  BOOST_TEST(r.messages[0].type == "course.distribution.requested");
  BOOST_TEST(r.messages[1].type == "course.distribution.completed");
  BOOST_TEST(r.comments >= 2); // idle: keep-alive comments
}

BOOST_AUTO_TEST_CASE(bad_cursor_bad_type_and_too_many_streams) {
  testkit::service_fixture svc;
  http_options s;
  s.max_streams = 1;
  s.stream_heartbeat_ms = 50;
  auto port = svc.start_http(s);
  httplib::Client cli{"127.0.0.1", port};
  cli.set_bearer_token_auth(testkit::admin_token);
  auto bad_id = cli.Get("/v1/events/stream", {{"Last-Event-ID", "x1"}});
  BOOST_REQUIRE(bad_id);
  BOOST_TEST(bad_id->status == 400);
  BOOST_TEST(bad_id->get_header_value("Content-Type") == "application/problem+json");
  auto bad_type = cli.Get("/v1/events/stream?type=course..x");
  BOOST_REQUIRE(bad_type);
  BOOST_TEST(bad_type->status == 400);
  auto post = cli.Post("/v1/events/stream", "", "text/plain");
  BOOST_REQUIRE(post);
  BOOST_TEST(post->status == 405);
  // One stream open (it sees heartbeats); a second is refused with Retry-After.
  std::promise<void> opened;
  auto holder = std::async(std::launch::async, [&] {
    bool told = false;
    return read_stream(port, "/v1/events/stream", {}, [&](const stream_result& r) {
      if (r.comments >= 1 && !told) {
        told = true;
        opened.set_value();
      }
      return r.comments >= 10;
    });
  });
  BOOST_REQUIRE(opened.get_future().wait_for(testkit::patience) == std::future_status::ready);
  auto second = cli.Get("/v1/events/stream");
  BOOST_REQUIRE(second);
  BOOST_TEST(second->status == 503);
  BOOST_TEST(second->get_header_value("Retry-After") == "5");
  BOOST_TEST(holder.get().comments >= 10);
  // The slot is free again once the server noticed the first client left (its next write
  // fails: within a heartbeat or two). Until then a try is refused at once.
  BOOST_TEST(testkit::eventually([&] {
    return read_stream(port, "/v1/events/stream", {},
                       [](const stream_result& r) { return r.comments >= 1; })
               .status
           == 200;
  }));
}

BOOST_AUTO_TEST_SUITE_END()
