// The HTTP front on an ephemeral port, driven by a real HTTP client.
#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

// Dry runs: these tests are about the HTTP front, so courses stop at generated (two events).
json course_body() {
  return {{"title", "Kubernetes basics"},
          {"language", "en"},
          {"audiences", {"ops engineers"}},
          {"lesson_count", 2},
          {"user_id", "u-7"},
          {"dry_run", true}};
}
// Routes wait for their actors as long as tests wait for anything: a busy machine makes a
// request slower, never a 504.
http_options patient() {
  http_options s;
  s.request_timeout_ms = static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(testkit::patience).count());
  return s;
}

// Opens a TCP connection to 127.0.0.1:`port` whose reads give up after `patience`; -1 on failure.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{static_cast<time_t>(testkit::patience.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Sends GET /v1/health on keep-alive connection `fd` and reads the whole answer (head, then as
// many body bytes as Content-Length says). Returns its status, or -1 when the connection failed
// or was closed.
int get_health(int fd) {
  const std::string request =
      "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size()))
    return -1;
  std::string response;
  char buf[4096];
  while (response.find("\r\n\r\n") == std::string::npos) {
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      return -1;
    response.append(buf, static_cast<size_t>(n));
  }
  auto head_end = response.find("\r\n\r\n");
  auto cl = response.find("Content-Length: ");
  if (cl == std::string::npos || response.rfind("HTTP/1.1 ", 0) != 0)
    return -1;
  auto length = std::stoul(response.substr(cl + 16));
  while (response.size() < head_end + 4 + length) {
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      return -1;
    response.append(buf, static_cast<size_t>(n));
  }
  return std::stoi(response.substr(9, 3));
}

struct http_fixture : testkit::service_fixture {
  int port = start_http(patient());
  httplib::Client cli{"127.0.0.1", port};

  http_fixture() {
    cli.set_read_timeout(testkit::patience);
    cli.set_bearer_token_auth(testkit::admin_token);
  }

  int64_t head() { return *call<int64_t>(log(), head_atom::value); }

  std::string create() {
    auto res = cli.Post("/v1/courses", course_body().dump(), "application/json");
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_EQUAL(res->status, 202);
    return json::parse(res->body)["course_id"].get<std::string>();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(http, http_fixture)

BOOST_AUTO_TEST_CASE(post_answers_202_with_location_after_started_is_committed) {
  {
    // While another connection holds the database's write lock, started cannot commit: the
    // POST must not answer 202. The log's append waits for the lock (its busy timeout), then
    // fails as unavailable, and that is the answer; nothing is written.
    SQLite::Database other{db_path(), SQLite::OPEN_READWRITE};
    SQLite::Transaction writer{other, SQLite::TransactionBehavior::IMMEDIATE};
    auto blocked = cli.Post("/v1/courses", course_body().dump(), "application/json");
    BOOST_REQUIRE(blocked);
    BOOST_TEST(blocked->status == 503);
    BOOST_TEST(blocked->get_header_value("Content-Type") == "application/problem+json");
  } // rolled back: the lock is free again
  BOOST_TEST(head() == 0);
  httplib::Headers headers{{"X-Correlation-ID", "req-42"}};
  auto res = cli.Post("/v1/courses", headers, course_body().dump(), "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 202);
  auto body = json::parse(res->body);
  auto id = body["course_id"].get<std::string>();
  BOOST_TEST(body["status"] == "generating");
  BOOST_TEST(res->get_header_value("Location") == "/v1/courses/" + id);
  BOOST_TEST(res->get_header_value("X-Correlation-ID") == "req-42");
  BOOST_TEST(head() >= 1); // started is in the log when the 202 arrives (proved above)
  auto started = call<event_page>(log(), query_atom::value, event_query{"", id, 0, 10});
  BOOST_REQUIRE(started);
  BOOST_REQUIRE(!started->events.empty());
  BOOST_TEST(started->events[0].type == "course.generation.started");
  BOOST_TEST(started->events[0].correlation_id == "req-42");
}

BOOST_AUTO_TEST_CASE(get_course_shows_state_version_and_content_once_generated) {
  auto id = create();
  BOOST_REQUIRE(await_event("course.generation.completed", id));
  auto res = cli.Get(("/v1/courses/" + id).c_str());
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  auto body = json::parse(res->body);
  BOOST_TEST(body["status"] == "generated");
  BOOST_TEST(body["version"] == 2);
  BOOST_TEST(body["content"]["modules"].size() >= 1u);
  BOOST_TEST(body["content"]["quiz"].size() >= 2u);
  BOOST_TEST(body["content"]["landing_page"]["headline"].get<std::string>().size() > 0u);
}

BOOST_AUTO_TEST_CASE(course_events_and_global_events_are_cloudevents_in_order_with_cursor) {
  auto a = create();
  auto b = create();
  BOOST_REQUIRE(await_event("course.generation.completed", a));
  BOOST_REQUIRE(await_event("course.generation.completed", b));
  auto res = cli.Get(("/v1/courses/" + a + "/events").c_str());
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  auto events = json::parse(res->body)["events"];
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0]["specversion"] == "1.0");
  BOOST_TEST(events[0]["subject"] == a);
  BOOST_TEST(events[1]["subjectversion"] == 2);
  auto page1 = cli.Get("/v1/events?limit=3");
  auto p1 = json::parse(page1->body);
  BOOST_TEST(p1["events"].size() == 3u);
  BOOST_REQUIRE(p1["next_after"].is_number());
  auto page2 = cli.Get(("/v1/events?limit=3&after=" + p1["next_after"].dump()).c_str());
  auto p2 = json::parse(page2->body);
  BOOST_TEST(p2["events"].size() == 1u);
  BOOST_TEST(p2["next_after"].is_null());
  BOOST_TEST(p2["events"][0]["seq"].get<int64_t>() > p1["events"][2]["seq"].get<int64_t>());
  auto filtered = json::parse(cli.Get("/v1/events?type=course.generation.completed")->body);
  BOOST_TEST(filtered["events"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(courses_list_filters_by_status_and_pages) {
  auto a = create();
  auto b = create();
  BOOST_REQUIRE(await_event("course.generation.completed", a));
  BOOST_REQUIRE(await_event("course.generation.completed", b));
  auto all = json::parse(cli.Get("/v1/courses?limit=1")->body);
  BOOST_TEST(all["items"].size() == 1u);
  BOOST_TEST(all["items"][0]["course_id"] == a);
  BOOST_TEST(all["next_after"] == a);
  auto next = json::parse(cli.Get(("/v1/courses?limit=1&after=" + a).c_str())->body);
  BOOST_TEST(next["items"][0]["course_id"] == b);
  auto generated = json::parse(cli.Get("/v1/courses?status=generated")->body);
  BOOST_TEST(generated["items"].size() == 2u);
  auto failed = json::parse(cli.Get("/v1/courses?status=generation_failed")->body);
  BOOST_TEST(failed["items"].empty());
}

BOOST_AUTO_TEST_CASE(health_reports_the_last_sequence_number) {
  auto res = cli.Get("/v1/health");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(json::parse(res->body)["last_seq"] == 0);
  // A dry run ends at generated: started and completed, and nothing follows them.
  auto id = create();
  auto completed = await_event("course.generation.completed", id);
  BOOST_REQUIRE(completed);
  auto after = cli.Get("/v1/health");
  BOOST_REQUIRE(after);
  BOOST_TEST(after->status == 200);
  BOOST_TEST(json::parse(after->body)["last_seq"] == completed->seq);
  BOOST_TEST(json::parse(after->body)["last_seq"] == head());
}

BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_4xx_problem_and_writes_nothing) {
  struct bad_request {
    const char* what;
    std::string body;
    const char* type;
    int status;
  };
  auto with = [](const char* key, json value) {
    auto b = course_body();
    b[key] = std::move(value);
    return b.dump();
  };
  auto without = [](const char* key) {
    auto b = course_body();
    b.erase(key);
    return b.dump();
  };
  std::vector<bad_request> cases{
      {"malformed JSON", "{\"title\": ", "application/json", 400},
      {"not an object", "[1,2]", "application/json", 422},
      {"wrong type", with("lesson_count", "two"), "application/json", 422},
      {"missing field", without("user_id"), "application/json", 422},
      {"out of range", with("lesson_count", 11), "application/json", 422},
      {"unknown language", with("language", "xx"), "application/json", 422},
      {"negative price", with("price", {{"amount_cents", -5}, {"currency", "EUR"}}),
       "application/json", 422},
      {"oversized body", with("description", std::string(100 * 1024, 'x')), "application/json",
       413},
      {"wrong media type", course_body().dump(), "text/plain", 415},
  };
  for (const auto& c : cases) {
    auto res = cli.Post("/v1/courses", c.body, c.type);
    BOOST_REQUIRE_MESSAGE(res, c.what);
    BOOST_TEST(res->status == c.status, c.what);
    BOOST_TEST(res->get_header_value("Content-Type") == "application/problem+json", c.what);
    auto problem = json::parse(res->body, nullptr, false);
    BOOST_TEST(!problem.is_discarded(), c.what);
    if (!problem.is_discarded()) {
      BOOST_TEST(problem["status"] == c.status, c.what);
      BOOST_TEST(problem["detail"].is_string(), c.what);
      if (c.status == 422)
        BOOST_TEST(problem["errors"].size() >= 1u, c.what);
    }
  }
  auto missing = json::parse(cli.Post("/v1/courses", without("user_id"), "application/json")->body);
  BOOST_TEST(missing["errors"][0]["field"] == "user_id");
  for (const char* path :
       {"/v1/courses/0190a5c4-0000-7000-8000-000000000000",
        "/v1/courses/0190a5c4-0000-7000-8000-000000000000/events", "/v1/nothing-here"}) {
    auto res = cli.Get(path);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 404, path);
    BOOST_TEST(res->get_header_value("Content-Type") == "application/problem+json", path);
  }
  for (const char* path : {"/v1/events?limit=0", "/v1/events?limit=abc", "/v1/events?after=-1",
                           "/v1/events?type=course.*.x", "/v1/courses?status=nope"}) {
    auto res = cli.Get(path);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 400, path);
  }
  BOOST_TEST(head() == 0); // none of it reached the log
}

// One TCP connection, 50 keep-alive requests one after another: all answered on that connection
// (httplib's default would close it after 5).
BOOST_AUTO_TEST_CASE(keep_alive_connection_serves_many_requests) {
  int fd = connect_to(port);
  BOOST_REQUIRE(fd >= 0);
  int answers = 0;
  for (int i = 0; i < 50 && get_health(fd) == 200; ++i) ++answers;
  ::close(fd);
  BOOST_TEST(answers == 50);
}

// Each open keep-alive connection holds one of http.threads; with the old default of 16, the
// 17th client to stay connected waited until one of the first went idle for 5 s (httplib's
// keep-alive timeout) and was closed. At the default every one of 64 keep-alive clients is
// answered at once: each stays connected, idle, until all 64 have their first answer, then asks
// again on the same connection. A server that had to close idle connections to serve the later
// clients fails that second request; one that cannot serve them at all, the first.
BOOST_AUTO_TEST_CASE(sixty_four_keep_alive_clients_are_served_at_once) {
  constexpr int n = 64;
  auto first_answers = std::make_shared<testkit::watched<int>>(0);
  std::vector<int> firsts(n, -1), seconds(n, -1);
  std::vector<std::thread> clients;
  for (int i = 0; i < n; ++i)
    clients.emplace_back([&, i] {
      int fd = connect_to(port);
      if (fd < 0)
        return first_answers->update([](int& k) { ++k; });
      firsts[i] = get_health(fd);
      first_answers->update([](int& k) { ++k; });
      if (firsts[i] == 200 && first_answers->await([](int k) { return k == n; }))
        seconds[i] = get_health(fd);
      ::close(fd);
    });
  for (auto& t : clients) t.join();
  BOOST_TEST(std::count(firsts.begin(), firsts.end(), 200) == n);
  BOOST_TEST(std::count(seconds.begin(), seconds.end(), 200) == n);
}

// An actor that takes a request and never answers: the HTTP thread gives up at
// http.request_timeout_ms and answers 504 with a problem body; the server goes on serving.
BOOST_AUTO_TEST_CASE(an_actor_that_never_answers_gets_a_504_at_the_deadline) {
  // How many requests the silent actor took, shared with its thread.
  auto taken = std::make_shared<testkit::watched<int>>(0);
  auto silent = sys().spawn(
      [taken](course_factory_actor::pointer self) -> course_factory_actor::behavior_type {
        // Only the actor's thread touches the promises it holds (never delivered).
        auto held = std::make_shared<std::vector<caf::typed_response_promise<course_accepted>>>();
        auto hold = [self, held, taken]() -> caf::result<course_accepted> {
          held->push_back(self->make_response_promise<course_accepted>());
          taken->update([](int& k) { ++k; });
          return held->back();
        };
        return {
            [=](create_atom, const course_request&, const std::string&) { return hold(); },
            [=](create_atom, const course_request&, const std::string&, const idempotency_key&) {
              return hold();
            },
            [=](retry_atom, const std::string&) { return hold(); },
            [=](create_atom, const course_request&, const std::string&, const std::string&) {
              return hold();
            },
            [=](create_atom, const course_request&, const std::string&, const idempotency_key&,
                const std::string&) { return hold(); },
            [=](retry_atom, const std::string&, const std::string&) { return hold(); },
            [](result_atom, const remote_generation&) -> caf::result<std::string> {
              return std::string{"stale"}; // never asked here
            },
        };
      });
  http_options s;
  s.host = "127.0.0.1";
  s.port = 0;
  s.request_timeout_ms = 300;
  http_server server{
      sys(),
      http_actors{silent, log(), payment(), nullptr, nullptr, testkit::admin_tokens(), nullptr}, s,
      "whsec_test"};
  int silent_port = server.bind();
  BOOST_REQUIRE(silent_port > 0);
  std::thread serving{[&] { server.run(); }};
  httplib::Client c{"127.0.0.1", silent_port};
  c.set_read_timeout(testkit::patience);
  c.set_bearer_token_auth(testkit::admin_token);
  auto t0 = std::chrono::steady_clock::now();
  auto res = c.Post("/v1/courses", course_body().dump(), "application/json");
  auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 504);
  BOOST_TEST(res->get_header_value("Content-Type") == "application/problem+json");
  BOOST_TEST(json::parse(res->body)["status"] == 504);
  BOOST_TEST(waited >= 300); // not before the deadline (after it: as late as the machine is busy)
  // The request did reach the actor, which holds it unanswered. On a busy machine that may
  // happen only after the deadline: wait for it rather than read the count at once.
  BOOST_TEST(taken->await([](int k) { return k >= 1; }));
  BOOST_TEST(taken->get() == 1);
  auto health = c.Get("/v1/health");
  BOOST_REQUIRE(health);
  BOOST_TEST(health->status == 200);
  server.stop();
  serving.join();
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
