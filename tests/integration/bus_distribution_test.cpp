// Channel bus against a real redis-server and the real service in-process: the committed
// course.distribution.requested is the order an outside distribution module answers on the
// inbound stream; Distribution records the outcome when the answer commits (deduplicated by the
// answer's id), retries with a new order after a failed answer, and fails the channel when no
// answer comes before distribution.bus_timeout. The test plays the outside module.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/bus_inbound.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/redis_server.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const std::string inbound = "coursefactory:inbound";

testkit::service_options bus_options(std::vector<std::string> channels,
                                     std::chrono::milliseconds bus_timeout) {
  testkit::service_options o;
  o.factory.channels = std::move(channels);
  o.distribution.bus_timeout = bus_timeout;
  o.distribution.early_answer_wait = 200ms;
  return o;
}

struct module_fixture {
  testkit::redis_server redis;
  std::unique_ptr<testkit::service_fixture> svc;
  std::shared_ptr<bus_inbound_status> status = std::make_shared<bus_inbound_status>();
  bus_inbound_actor consumer;

  void start(std::vector<std::string> channels = {"bus"},
             std::chrono::milliseconds bus_timeout = 60s) {
    svc = std::make_unique<testkit::service_fixture>(bus_options(std::move(channels), bus_timeout));
    bus_inbound_settings s;
    s.redis = redis.address();
    s.stream = inbound;
    s.consumer = "test-consumer";
    s.block = 20ms;
    s.reconnect_initial = 10ms;
    consumer = spawn_bus_inbound(svc->sys(), svc->payment(), svc->distribution(), svc->factory(), s,
                                 status);
  }
  ~module_fixture() {
    if (!consumer)
      return;
    caf::scoped_actor self{svc->sys()};
    self->send_exit(consumer, caf::exit_reason::user_shutdown);
    self->wait_for(consumer);
  }

  /// A free course: enabled at once, its distribution requested.
  std::string ordered(const std::string& title) {
    auto accepted = svc->call<course_accepted>(svc->factory(), create_atom::value,
                                               testkit::sample_request(title), std::string{"c"});
    BOOST_REQUIRE(accepted);
    BOOST_REQUIRE(svc->await_event("course.distribution.requested", accepted->course_id, 30s));
    return accepted->course_id;
  }

  std::vector<event> events_of(const std::string& course, const std::string& type) {
    auto page =
        svc->call<event_page>(svc->log(), query_atom::value, event_query{type, course, 0, 1000});
    BOOST_REQUIRE(page);
    return page->events;
  }

  /// The course's orders so far (requested events), in order; waits until there are `n`.
  std::vector<event> orders(const std::string& course, size_t n) {
    std::vector<event> out;
    BOOST_REQUIRE(testkit::eventually([&] {
      out = events_of(course, "course.distribution.requested");
      return out.size() >= n;
    }));
    return out;
  }

  /// Answers an order as a distribution module would, in the platform's envelope.
  void answer(const std::string& id, const std::string& course, const std::string& order,
              bool completed, const std::string& detail) {
    json payload{{"course_id", course}, {"request_id", order}};
    payload[completed ? "url" : "error"] = detail;
    json envelope{
        {"id", id},
        {"type", completed ? "course.distribution.completed" : "course.distribution.failed"},
        {"source", "distribution"},
        {"target", "coursefactory"},
        {"payload", payload},
        {"timestamp", "2026-12-04T12:00:00Z"},
        {"correlation_id", course}};
    redis.command({"XADD", inbound, "*", "event", envelope.dump()});
  }

  int64_t pending() {
    return redis.command({"XPENDING", inbound, "coursefactory"}).elements.at(0).integer;
  }

  void settled(uint64_t entries) {
    BOOST_REQUIRE(testkit::eventually(
        [&] { return status->recorded + status->duplicates + status->dead_letters >= entries; }));
    BOOST_REQUIRE(testkit::eventually([&] { return pending() == 0; }));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(bus_distribution, module_fixture)

BOOST_AUTO_TEST_CASE(an_answered_order_publishes_the_course_once) {
  start();
  auto course = ordered("Vom Modul verteilt");
  auto order = orders(course, 1).at(0);
  auto data = json::parse(order.data);
  BOOST_TEST(data["channels"] == json::array({"bus"}));
  BOOST_TEST(data["retry_count"] == 0);
  answer("dist-1", course, order.id, true, "https://learn.example/c/1");
  auto done = svc->await_event("course.distribution.completed", course, 30s);
  BOOST_REQUIRE(done);
  auto d = json::parse(done->data);
  BOOST_TEST(d["url"] == "https://learn.example/c/1");
  BOOST_TEST(d["channels"][0]["channel"] == "bus");
  BOOST_TEST(d["channels"][0]["detail"] == "answered by dist-1");
  BOOST_TEST(done->causation_id == order.id);
  settled(1);
  BOOST_TEST(status->recorded.load() == 1u);
  // The same answer again: acknowledged, no second effect.
  answer("dist-1", course, order.id, true, "https://learn.example/c/1");
  settled(2);
  BOOST_TEST(status->duplicates.load() == 1u);
  BOOST_TEST(events_of(course, "course.distribution.completed").size() == 1u);
  auto view = svc->call<course_summary>(svc->log(), summary_atom::value, course);
  BOOST_REQUIRE(view);
  BOOST_TEST(view->status == "published");
  BOOST_TEST(view->url == "https://learn.example/c/1");
}

BOOST_AUTO_TEST_CASE(a_failed_answer_is_retried_with_a_new_order) {
  start();
  auto course = ordered("Erst abgelehnt");
  auto first = orders(course, 1).at(0);
  answer("dist-2", course, first.id, false, "upstream 503");
  auto failed = svc->await_event("course.distribution.failed", course, 30s);
  BOOST_REQUIRE(failed);
  auto f = json::parse(failed->data);
  BOOST_TEST(f["channel"] == "bus");
  BOOST_TEST(f["error"] == "upstream 503");
  BOOST_TEST(f["will_retry"] == true);
  // The retry is a new order: same attempt, retry_count 1.
  auto second = orders(course, 2).at(1);
  auto d = json::parse(second.data);
  BOOST_TEST(d["attempt"] == 1);
  BOOST_TEST(d["retry_count"] == 1);
  BOOST_TEST(d["channels"] == json::array({"bus"}));
  // A late answer to the first order counts for nothing: dead-lettered with the reason.
  answer("dist-3", course, first.id, true, "https://learn.example/late");
  answer("dist-4", course, second.id, true, "https://learn.example/c/2");
  auto done = svc->await_event("course.distribution.completed", course, 30s);
  BOOST_REQUIRE(done);
  BOOST_TEST(json::parse(done->data)["url"] == "https://learn.example/c/2");
  settled(3);
  auto dead = redis.entries(inbound + ":dead");
  BOOST_REQUIRE_EQUAL(dead.size(), 1u);
  BOOST_TEST(testkit::field_of(dead[0].second, "reason")
             == "no distribution of course " + course + " waits for order " + first.id);
  BOOST_TEST(events_of(course, "course.distribution.completed").size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_order_never_answered_fails_after_its_retries) {
  start({"bus"}, 300ms); // three attempts (service_options' retry policy), 300 ms each
  auto course = ordered("Nie beantwortet");
  BOOST_REQUIRE(testkit::eventually([&] {
    auto failures = events_of(course, "course.distribution.failed");
    return !failures.empty() && !json::parse(failures.back().data)["will_retry"].get<bool>();
  }));
  auto failures = events_of(course, "course.distribution.failed");
  BOOST_REQUIRE_EQUAL(failures.size(), 3u);
  auto all_orders = orders(course, 3);
  BOOST_REQUIRE_EQUAL(all_orders.size(), 3u);
  for (size_t i = 0; i < failures.size(); ++i) {
    auto f = json::parse(failures[i].data);
    BOOST_TEST(f["error"] == "no answer to order " + all_orders[i].id + " in 300 ms");
    BOOST_TEST(f["retry_count"] == static_cast<int>(i));
    BOOST_TEST(f["will_retry"] == (i < 2));
  }
  auto view = svc->call<course_summary>(svc->log(), summary_atom::value, course);
  BOOST_REQUIRE(view);
  BOOST_TEST(view->status == "distribution_failed");
}

BOOST_AUTO_TEST_CASE(site_and_bus_together_complete_when_both_did) {
  start({"site", "bus"});
  auto course = ordered("Beides");
  auto order = orders(course, 1).at(0);
  answer("dist-5", course, order.id, true, "https://learn.example/c/5");
  auto done = svc->await_event("course.distribution.completed", course, 30s);
  BOOST_REQUIRE(done);
  auto channels = json::parse(done->data)["channels"];
  BOOST_REQUIRE_EQUAL(channels.size(), 2u);
  BOOST_TEST(channels[0]["channel"] == "site");
  BOOST_TEST(channels[1]["channel"] == "bus");
  settled(1);
}

BOOST_AUTO_TEST_CASE(an_answer_no_order_waits_for_is_dead_lettered) {
  start();
  answer("dist-6", "01a241f5-0000-7000-8000-000000000000", "no-such-order", true, "https://x/");
  settled(1);
  auto dead = redis.entries(inbound + ":dead");
  BOOST_REQUIRE_EQUAL(dead.size(), 1u);
  BOOST_TEST(testkit::field_of(dead[0].second, "reason")
             == "no distribution of course 01a241f5-0000-7000-8000-000000000000 waits for order "
                "no-such-order");
}

BOOST_AUTO_TEST_SUITE_END()
