// Overload protection: per-client token buckets on writes, the bound on generations in flight,
// and both as 429 with Retry-After over HTTP; nothing refused is written, nothing accepted lost.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "http/rate_limit.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// Holds every generation until open() is called.
class gate_generator : public generator {
public:
  std::string name() const override { return "gate"; }
  bool blocking() const override { return true; }
  caf::expected<course_content> generate(const course_request& req) override {
    std::unique_lock<std::mutex> lock{mx_};
    cv_.wait(lock, [&] { return open_; });
    lock.unlock();
    return builtin_->generate(req);
  }
  void open() {
    std::lock_guard<std::mutex> lock{mx_};
    open_ = true;
    cv_.notify_all();
  }

private:
  std::mutex mx_;
  std::condition_variable cv_;
  bool open_ = false;
  std::shared_ptr<generator> builtin_ = make_builtin_generator();
};

const std::string body = json{
    {"title", "Lastspitzen"},
    {"language", "de"},
    {"audiences", {"Ops"}},
    {"user_id", "u-1"},
    {"lesson_count", 1}}.dump();

} // namespace

BOOST_AUTO_TEST_SUITE(overload)

BOOST_AUTO_TEST_CASE(token_bucket_allows_bursts_then_the_rate_per_client) {
  rate_limiter limit{10, 3, 4}; // 10/s, bursts of 3, at most 4 clients remembered
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  std::chrono::milliseconds wait{0};
  for (int i = 0; i < 3; ++i) BOOST_TEST(limit.allow("a", t0, wait));
  BOOST_TEST(!limit.allow("a", t0, wait));
  BOOST_TEST(wait.count() == 100);        // one token every 100 ms
  BOOST_TEST(limit.allow("b", t0, wait)); // another client has its own bucket
  BOOST_TEST(!limit.allow("a", t0 + 50ms, wait));
  BOOST_TEST(wait.count() == 50);
  BOOST_TEST(limit.allow("a", t0 + 100ms, wait));
  BOOST_TEST(!limit.allow("a", t0 + 100ms, wait));
  BOOST_TEST(limit.allow("a", t0 + 10s, wait)); // refilled, but never beyond the burst
  BOOST_TEST(limit.allow("a", t0 + 10s, wait));
  BOOST_TEST(limit.allow("a", t0 + 10s, wait));
  BOOST_TEST(!limit.allow("a", t0 + 10s, wait));
  // Memory stays bounded: many clients evict the idle ones.
  for (int i = 0; i < 100; ++i) limit.allow("c" + std::to_string(i), t0 + 20s, wait);
  BOOST_TEST(limit.clients() <= 4u);
  rate_limiter off{0, 1};
  for (int i = 0; i < 1000; ++i) BOOST_TEST_REQUIRE(off.allow("a", t0, wait));
}

BOOST_AUTO_TEST_CASE(writes_beyond_the_client_rate_get_429_and_write_nothing) {
  testkit::service_fixture svc;
  http_options s;
  // One token every 100 s: however slowly the first two requests go, no token comes back before
  // the third.
  s.rate_limit_per_s = 0.01;
  s.rate_limit_burst = 2;
  httplib::Client cli{"127.0.0.1", svc.start_http(s)};
  cli.set_bearer_token_auth(testkit::admin_token);
  // The counters are the process's: the suites run before this one may have counted refusals.
  auto rate_limited = [&] {
    const std::string series = "coursefactory_http_rejected_total{reason=\"rate_limit\"} ";
    auto text = cli.Get("/metrics")->body;
    auto at = text.find(series);
    return at == std::string::npos ? 0L : std::stol(text.substr(at + series.size()));
  };
  auto refused_before = rate_limited();
  BOOST_TEST(cli.Post("/v1/courses", body, "application/json")->status == 202);
  BOOST_TEST(cli.Post("/v1/courses", body, "application/json")->status == 202);
  auto refused = cli.Post("/v1/courses", body, "application/json");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 429);
  // When the next token comes: 100 s after the burst was spent, less the time that has passed.
  auto retry_after = std::stoi(refused->get_header_value("Retry-After"));
  BOOST_TEST(retry_after <= 100);
  BOOST_TEST(retry_after > 100 - testkit::patience.count());
  BOOST_TEST(refused->get_header_value("Content-Type") == "application/problem+json");
  BOOST_TEST(json::parse(refused->body)["type"] == "urn:coursefactory:problem:rate_limited");
  BOOST_TEST(cli.Get("/v1/health")->status == 200); // reads are not limited
  auto page = svc.call<event_page>(svc.log(), query_atom::value,
                                   event_query{event_types::generation_started, "", 0, 100});
  BOOST_REQUIRE(page);
  BOOST_TEST(page->events.size() == 2u); // the refused request wrote nothing
  BOOST_TEST(rate_limited() == refused_before + 1);
}

BOOST_AUTO_TEST_CASE(new_courses_beyond_the_generations_in_flight_get_429) {
  auto gate = std::make_shared<gate_generator>();
  testkit::service_options o;
  o.gen = gate;
  o.factory.max_in_flight = 2;
  testkit::service_fixture svc{o};
  http_options s;
  s.rate_limit_per_s = 0;
  httplib::Client cli{"127.0.0.1", svc.start_http(s)};
  cli.set_bearer_token_auth(testkit::admin_token);
  std::vector<std::string> accepted;
  for (int i = 0; i < 2; ++i) {
    auto res = cli.Post("/v1/courses", body, "application/json");
    BOOST_REQUIRE_EQUAL(res->status, 202);
    accepted.push_back(json::parse(res->body)["course_id"]);
  }
  auto refused = cli.Post("/v1/courses", body, "application/json");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 429);
  BOOST_TEST(refused->get_header_value("Retry-After") == "1");
  BOOST_TEST(json::parse(refused->body)["type"] == "urn:coursefactory:problem:overloaded");
  gate->open(); // the accepted ones finish: nothing accepted is lost
  for (const auto& id : accepted)
    BOOST_TEST(svc.await_event(event_types::distribution_completed, id).has_value());
  BOOST_TEST(cli.Post("/v1/courses", body, "application/json")->status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
