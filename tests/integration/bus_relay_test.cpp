// The relay against a real redis-server and the real service in-process: every committed event on
// the stream exactly once, in order, with its fields; across Redis restarts, a Redis that is down
// at start, and a relay that is replaced.
#include "actors/bus_relay.hpp"

#include <boost/test/unit_test.hpp>
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

struct relay_fixture {
  testkit::redis_server redis;
  testkit::service_fixture svc;
  std::shared_ptr<bus_relay_status> status = std::make_shared<bus_relay_status>();
  bus_relay_actor relay;

  bus_relay_settings settings(bus_envelope format = bus_envelope::cloudevents) {
    bus_relay_settings s;
    s.redis = redis.address();
    s.envelope = format;
    s.reconnect_initial = 10ms;
    s.reconnect_max = 100ms;
    s.heartbeat = 50ms;
    s.batch = 7; // several pages per catch-up
    return s;
  }
  void start_relay(bus_envelope format = bus_envelope::cloudevents) {
    status = std::make_shared<bus_relay_status>();
    relay = spawn_bus_relay(svc.sys(), svc.log(), settings(format), status);
  }
  void stop_relay() {
    if (!relay)
      return;
    caf::scoped_actor self{svc.sys()};
    self->send_exit(relay, caf::exit_reason::user_shutdown);
    self->wait_for(relay);
    relay = nullptr;
  }
  ~relay_fixture() { stop_relay(); }

  /// Orders a free course and waits until it is published.
  std::string published_course(const std::string& title) {
    auto accepted = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                              testkit::sample_request(title), std::string{"corr"});
    BOOST_REQUIRE(accepted);
    BOOST_REQUIRE(svc.await_event("course.distribution.completed", accepted->course_id, 30s));
    return accepted->course_id;
  }

  int64_t head() { return *svc.call<int64_t>(svc.log(), head_atom::value); }

  std::vector<event> log_events() {
    auto page = svc.call<event_page>(svc.log(), query_atom::value, event_query{"", "", 0, 1000});
    BOOST_REQUIRE(page);
    return page->events;
  }

  /// The stream equals the log: one entry per event, in seq order, fields as documented.
  void check_stream_is_the_log() {
    auto want = log_events();
    BOOST_REQUIRE(testkit::eventually([&] { return status->relayed_seq.load() == head(); }));
    auto got = redis.entries("coursefactory:events");
    BOOST_REQUIRE_EQUAL(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const auto& f = got[i].second;
      BOOST_TEST_INFO("entry " << i);
      BOOST_TEST(testkit::field_of(f, "seq") == std::to_string(want[i].seq));
      BOOST_TEST(testkit::field_of(f, "id") == want[i].id);
      BOOST_TEST(testkit::field_of(f, "type") == want[i].type);
      BOOST_TEST(testkit::field_of(f, "subject") == want[i].subject);
      BOOST_TEST(testkit::field_of(f, "time") == format_time(want[i].time_us));
      auto back = from_cloudevent(json::parse(testkit::field_of(f, "data")));
      BOOST_REQUIRE(back);
      BOOST_TEST((*back == want[i]));
    }
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(bus_relay, relay_fixture)

BOOST_AUTO_TEST_CASE(every_committed_event_once_in_order) {
  start_relay();
  BOOST_REQUIRE(testkit::eventually([&] { return status->connected.load(); }));
  for (auto t : {"Relay eins", "Relay zwei", "Relay drei"}) published_course(t);
  check_stream_is_the_log();
  BOOST_TEST(status->relayed_events.load() == static_cast<uint64_t>(head()));
  BOOST_TEST(redis.command({"GET", "coursefactory:events:seq"}).str == std::to_string(head()));
}

BOOST_AUTO_TEST_CASE(redis_stopped_and_started_again_leaves_no_gap_and_no_duplicate) {
  start_relay();
  published_course("Vorher");
  BOOST_REQUIRE(testkit::eventually([&] { return status->relayed_seq.load() == head(); }));
  redis.stop();
  BOOST_REQUIRE(
      testkit::eventually([&] { return !status->connected.load(); })); // noticed while idle
  published_course("Während Redis fehlt");                             // the service works on
  BOOST_TEST(status->relayed_seq.load() < head());
  redis.start();
  check_stream_is_the_log();
  BOOST_TEST(status->connected.load());
}

BOOST_AUTO_TEST_CASE(redis_down_at_start_catches_up_when_it_comes) {
  redis.stop();
  start_relay();
  published_course("Ohne Redis begonnen");
  BOOST_TEST(!status->connected.load());
  BOOST_TEST(status->errors.load() > 0u);
  redis.start();
  check_stream_is_the_log();
}

BOOST_AUTO_TEST_CASE(a_new_relay_continues_where_the_stream_ends) {
  start_relay();
  published_course("Erster Relay");
  BOOST_REQUIRE(testkit::eventually([&] { return status->relayed_seq.load() == head(); }));
  stop_relay(); // as if the process died after its appends, before its own checkpoint
  published_course("Zweiter Relay");
  start_relay();
  check_stream_is_the_log();
  // The replacement appended only what was new.
  BOOST_TEST(status->relayed_events.load() < static_cast<uint64_t>(head()));
}

BOOST_AUTO_TEST_CASE(a_stream_ahead_of_the_log_is_refused_not_skipped_into) {
  // Another log wrote seq 1..999 (or this one was restored from an older copy): appending
  // would skip this log's first 999 events, so the relay stays away and says why.
  redis.command({"SET", "coursefactory:events:seq", "999"});
  start_relay();
  published_course("Hinter dem Strom");
  BOOST_REQUIRE(testkit::eventually([&] { return status->errors.load() >= 2u; }));
  BOOST_TEST(!status->connected.load());
  BOOST_TEST(redis.command({"XLEN", "coursefactory:events"}).integer == 0);
  BOOST_TEST(redis.command({"GET", "coursefactory:events:seq"}).str == "999");
}

BOOST_AUTO_TEST_CASE(platform_envelope_format) {
  start_relay(bus_envelope::platform);
  auto id = published_course("Plattform");
  BOOST_REQUIRE(testkit::eventually([&] { return status->relayed_seq.load() == head(); }));
  auto want = log_events();
  auto got = redis.entries("coursefactory:events");
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    BOOST_REQUIRE_EQUAL(got[i].second.size(), 2u); // one field: event
    auto env = json::parse(testkit::field_of(got[i].second, "event"));
    BOOST_TEST(env["id"] == want[i].id);
    BOOST_TEST(env["type"] == want[i].type);
    BOOST_TEST(env["source"] == "coursefactory");
    BOOST_TEST(env["payload"] == json::parse(want[i].data));
    BOOST_TEST(env["payload"]["course_id"] == id);
  }
}

BOOST_AUTO_TEST_SUITE_END()
