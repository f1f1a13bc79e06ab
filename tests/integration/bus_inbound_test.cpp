// The inbound consumer against a real redis-server and the real service in-process: payment
// results from another module are recorded as the Stripe path records them, once, acknowledged
// after the commit; unusable entries go to the dead-letter stream; pending entries of a consumer
// that went away are taken over.
#include "actors/bus_inbound.hpp"

#include <boost/test/unit_test.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/testkit/events.hpp"
#include "tests/testkit/redis_server.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const std::string inbound = "coursefactory:inbound";

struct inbound_fixture {
  testkit::redis_server redis;
  testkit::service_fixture svc;
  std::shared_ptr<bus_inbound_status> status = std::make_shared<bus_inbound_status>();
  bus_inbound_actor consumer;

  void start_consumer(std::chrono::milliseconds claim_idle = 30s) {
    bus_inbound_settings s;
    s.redis = redis.address();
    s.stream = inbound;
    s.consumer = "test-consumer";
    s.claim_idle = claim_idle;
    s.block = 20ms;
    s.max_in_flight = 2; // reading pauses and resumes within these tests
    s.reconnect_initial = 10ms;
    consumer =
        spawn_bus_inbound(svc.sys(), svc.payment(), svc.distribution(), svc.factory(), s, status);
  }
  ~inbound_fixture() {
    if (!consumer)
      return;
    caf::scoped_actor self{svc.sys()};
    self->send_exit(consumer, caf::exit_reason::user_shutdown);
    self->wait_for(consumer);
  }

  /// A priced course (49.00 EUR) awaiting payment.
  std::string awaiting_payment(const std::string& title) {
    auto accepted = svc.call<course_accepted>(
        svc.factory(), create_atom::value, testkit::sample_request(title, 4900), std::string{"c"});
    BOOST_REQUIRE(accepted);
    BOOST_REQUIRE(svc.await_event("course.payment.required", accepted->course_id, 30s));
    return accepted->course_id;
  }

  /// Publishes a payment result in the CloudEvents format; returns the entry id.
  std::string publish(const std::string& id, const std::string& type, const json& payload) {
    return redis
        .command({"XADD", inbound, "*", "id", id, "type", type, "data",
                  json{{"id", id}, {"type", type}, {"data", payload}}.dump()})
        .str;
  }

  json paid(const std::string& course, int64_t cents = 4900) {
    return {{"course_id", course},
            {"transaction_id", "tx-" + course},
            {"amount_cents", cents},
            {"currency", "EUR"}};
  }

  int64_t pending() {
    return redis.command({"XPENDING", inbound, "coursefactory"}).elements.at(0).integer;
  }

  int64_t count_of(const std::string& subject, const std::string& type) {
    int64_t n = 0;
    for (const auto& t : svc.types_of(subject)) n += t == type;
    return n;
  }

  /// Every entry seen was settled: acknowledged (or dead-lettered and acknowledged).
  void settled(uint64_t entries) {
    BOOST_REQUIRE(testkit::eventually(
        [&] { return status->recorded + status->duplicates + status->dead_letters >= entries; }));
    BOOST_REQUIRE(testkit::eventually([&] { return pending() == 0; }));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(bus_inbound, inbound_fixture)

BOOST_AUTO_TEST_CASE(a_completed_payment_enables_the_course) {
  start_consumer();
  auto course = awaiting_payment("Bezahlt über den Bus");
  publish("pay-1", "payment.completed", paid(course));
  auto completed = svc.await_event("course.payment.completed", course, 30s);
  BOOST_REQUIRE(completed);
  auto data = json::parse(completed->data);
  BOOST_TEST(data["transaction_id"] == "tx-" + course);
  BOOST_TEST(data["amount_cents"] == 4900);
  BOOST_TEST(completed->causation_id == "pay-1");
  BOOST_REQUIRE(svc.await_event("course.distribution.completed", course, 30s));
  settled(1);
  BOOST_TEST(status->recorded.load() == 1u);
}

BOOST_AUTO_TEST_CASE(the_same_id_twice_has_one_effect) {
  start_consumer();
  auto course = awaiting_payment("Doppelt");
  publish("pay-2", "course.payment.completed", paid(course));
  publish("pay-2", "course.payment.completed", paid(course));
  BOOST_REQUIRE(svc.await_event("course.payment.completed", course, 30s));
  settled(2);
  BOOST_TEST(count_of(course, "course.payment.completed") == 1);
  BOOST_TEST(status->duplicates.load() == 1u);
}

BOOST_AUTO_TEST_CASE(a_wrong_amount_fails_the_payment_as_the_stripe_path_does) {
  start_consumer();
  auto course = awaiting_payment("Zu wenig");
  publish("pay-3", "payment.completed", paid(course, 100));
  auto failed = svc.await_event("course.payment.failed", course, 30s);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "amount_mismatch");
  settled(1);
}

BOOST_AUTO_TEST_CASE(a_failed_payment_is_recorded) {
  start_consumer();
  auto course = awaiting_payment("Abgelehnt");
  publish("pay-4", "payment.failed", {{"course_id", course}, {"reason", "card_declined"}});
  auto failed = svc.await_event("course.payment.failed", course, 30s);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "card_declined");
  settled(1);
}

BOOST_AUTO_TEST_CASE(unusable_entries_go_to_the_dead_letter_stream) {
  start_consumer();
  publish("pay-5", "payment.completed", paid("01a241f5-0000-7000-8000-000000000000"));
  redis.command({"XADD", inbound, "*", "data", "this is not JSON"});
  redis.command(
      {"XADD", inbound, "*", "data", R"({"id":"x","type":"payment.completed","data":{}})"});
  redis.command({"XADD", inbound, "*", "nothing", "useful"});
  settled(4);
  auto dead = redis.entries(inbound + ":dead");
  BOOST_REQUIRE_EQUAL(dead.size(), 4u);
  // By reason (the unknown course is judged by Payment, so it may come last).
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& [id, f] : dead) {
    auto reason = testkit::field_of(f, "reason");
    by_reason[reason.rfind("unknown course", 0) == 0 ? "unknown course" : reason] = f;
  }
  std::vector<std::string> reasons;
  for (const auto& [reason, f] : by_reason) reasons.push_back(reason);
  std::vector<std::string> want{
      "payload.course_id: is missing", "the data field is not a JSON object",
      "the entry has neither a data nor an event field", "unknown course"};
  BOOST_TEST(reasons == want, boost::test_tools::per_element());
  // The original fields travel along, and the original entry id.
  const auto& not_json = by_reason["the data field is not a JSON object"];
  BOOST_TEST(testkit::field_of(not_json, "data") == "this is not JSON");
  BOOST_TEST(!testkit::field_of(not_json, "original_id").empty());
  // One bad message never blocks the group: a good one after them is recorded.
  auto course = awaiting_payment("Nach dem Müll");
  publish("pay-6", "payment.completed", paid(course));
  BOOST_REQUIRE(svc.await_event("course.payment.completed", course, 30s));
}

BOOST_AUTO_TEST_CASE(entries_held_by_a_consumer_that_died_are_taken_over) {
  auto course = awaiting_payment("Übernommen");
  publish("pay-7", "payment.completed", paid(course));
  // Another consumer reads the entry and dies before acknowledging it.
  redis.command({"XGROUP", "CREATE", inbound, "coursefactory", "0", "MKSTREAM"});
  auto taken = redis.command({"XREADGROUP", "GROUP", "coursefactory", "dead-consumer", "COUNT",
                              "10", "STREAMS", inbound, ">"});
  BOOST_REQUIRE_EQUAL(taken.elements.at(0).elements.at(1).elements.size(), 1u);
  BOOST_REQUIRE_EQUAL(pending(), 1);
  start_consumer(100ms);
  BOOST_REQUIRE(svc.await_event("course.payment.completed", course, 30s));
  settled(1);
  BOOST_TEST(status->reclaimed.load() >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
