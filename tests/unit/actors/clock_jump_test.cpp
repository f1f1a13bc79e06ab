// The wall clock jumping back or forward (an NTP step, `date -s`) while the service runs or while
// it is stopped: timers run their configured length on the monotonic clock, deadlines stored as
// wall time are re-armed within their configured length, recovery does not skip courses whose
// last change lies "in the future", and sequence order never follows the wall clock. The jump is
// made with util/time's test hook (now_us() runs ahead or behind; timers are not affected, as with
// a real clock step). The real binary under libfaketime: tests/integration/clocks_test.py.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/testkit/fakes.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/time.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr int64_t one_day_us = 86'400'000'000;

/// Moves the wall clock by `offset_us` for the test's lifetime.
struct wall_clock_jump {
  explicit wall_clock_jump(int64_t offset_us) { set_wall_clock_offset_for_testing(offset_us); }
  ~wall_clock_jump() { set_wall_clock_offset_for_testing(0); }
  wall_clock_jump(const wall_clock_jump&) = delete;
  wall_clock_jump& operator=(const wall_clock_jump&) = delete;
};

course_request request(const std::string& title, int64_t cents) {
  course_request r{title, "", "en", {"engineers"}, 1, "u-1", cents, cents > 0 ? "EUR" : "", false};
  return r;
}

std::string create(testkit::service_fixture& f, const std::string& title, int64_t cents) {
  auto accepted = f.call<course_accepted>(f.factory(), create_atom::value, request(title, cents),
                                          std::string{"corr-clock"});
  BOOST_REQUIRE(accepted);
  return accepted->course_id;
}

testkit::service_options with_db(testkit::service_options o, const std::string& db) {
  o.db_path = db;
  return o;
}

/// Runs a service on `db` with `o` until a new priced course awaits payment, then stops it.
std::string priced_course_then_stop(testkit::service_options o, const std::string& db) {
  testkit::service_fixture f{with_db(std::move(o), db)};
  auto id = create(f, "Expiry across a restart", 4900);
  BOOST_REQUIRE(f.await_event("course.payment.required", id));
  return id;
}

/// Waits (with patience) for `id`'s payment to fail as expired.
void check_expires(testkit::service_fixture& f, const std::string& id) {
  auto failed = f.await_event("course.payment.failed", id);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "expired");
}

} // namespace

BOOST_AUTO_TEST_SUITE(clock_jumps)

BOOST_AUTO_TEST_CASE(time_left_is_clamped_to_the_configured_length) {
  BOOST_TEST(time_left_us(1'000, 400, 10'000) == 600);      // the usual case
  BOOST_TEST(time_left_us(1'000, 1'000, 10'000) == 0);      // due now
  BOOST_TEST(time_left_us(1'000, 5'000, 10'000) == 0);      // clock jumped forward: due at once
  BOOST_TEST(time_left_us(1'000'000, 0, 10'000) == 10'000); // jumped back: the configured length
  BOOST_TEST(time_left_us(INT64_MAX, INT64_MIN, 7) == 7);   // no overflow
  BOOST_TEST(time_left_us(INT64_MIN, INT64_MAX, 7) == 0);
  BOOST_TEST(time_left_us(5'000, 0, 0) == 0); // no length: nothing to wait for
}

BOOST_AUTO_TEST_CASE(a_change_ahead_of_now_is_not_recent) {
  BOOST_TEST(changed_within(900, 1'000, 500));    // 100 ago, window 500
  BOOST_TEST(!changed_within(400, 1'000, 500));   // 600 ago
  BOOST_TEST(!changed_within(5'000, 1'000, 500)); // ahead of now: the clock went back
  BOOST_TEST(!changed_within(1'000, 1'000, 0));   // no window: nothing is recent
  BOOST_TEST(!changed_within(INT64_MIN, INT64_MAX, 500));
}

BOOST_AUTO_TEST_CASE(a_pending_expiry_ignores_the_wall_clock_set_back) {
  // The expiry timer was armed for 3 s on the monotonic clock; then the wall clock goes back a
  // day, so expires_at lies a day ahead again. The payment still expires after its 3 s (before,
  // the timer went back to sleep until the wall clock reached expires_at).
  testkit::service_options o;
  o.payment.expiry = 3s;
  testkit::service_fixture f{o};
  auto id = create(f, "Expiry under a clock step", 4900);
  BOOST_REQUIRE(f.await_event("course.payment.required", id));
  wall_clock_jump back{-one_day_us};
  check_expires(f, id);
}

BOOST_AUTO_TEST_CASE(an_expiry_stored_before_a_restart_waits_at_most_its_length_after_a_jump_back) {
  testkit::temp_dir dir;
  auto db = dir.file("cf.db");
  testkit::service_options o;
  o.payment.expiry = 2s;
  // A long expiry here: this process must not expire it; the restart below does.
  auto first = o;
  first.payment.expiry = 3600s;
  auto id = priced_course_then_stop(first, db);
  // Stopped; the wall clock goes back a day. The stored expires_at is now more than a day ahead,
  // and the course's last change too: recovery must still find it and arm at most 2 s.
  wall_clock_jump back{-one_day_us};
  testkit::service_fixture f{with_db(o, db)};
  check_expires(f, id);
}

BOOST_AUTO_TEST_CASE(an_expiry_stored_before_a_restart_fires_at_once_after_a_jump_forward) {
  testkit::temp_dir dir;
  auto db = dir.file("cf.db");
  testkit::service_options o;
  o.payment.expiry = 3600s;
  auto id = priced_course_then_stop(o, db);
  wall_clock_jump forward{2 * 3'600'000'000};
  testkit::service_fixture f{with_db(o, db)};
  check_expires(f, id);
}

BOOST_AUTO_TEST_CASE(a_retry_stored_before_a_restart_waits_at_most_max_delay_after_a_jump_back) {
  testkit::temp_dir dir;
  auto db = dir.file("cf.db");
  testkit::service_options o;
  o.factory.retry.initial_delay = 4s;
  o.factory.retry.max_delay = 4s;
  o.factory.retry.max_attempts = 3;
  std::string id;
  {
    auto first = o;
    first.gen = std::make_shared<testkit::scripted_generator>(
        std::vector<caf::error>{make_error(errc::generator_transient, "model busy")});
    testkit::service_fixture f{with_db(first, db)};
    id = create(f, "Retry across a restart", 0);
    auto failed = f.await_event("course.generation.failed", id);
    BOOST_REQUIRE(failed);
    BOOST_REQUIRE(json::parse(failed->data)["will_retry"] == true);
  } // stopped before its retry (2-4 s away) ran
  wall_clock_jump back{-one_day_us};
  testkit::service_fixture f{with_db(o, db)}; // the built-in generator: the retry succeeds
  BOOST_TEST(static_cast<bool>(f.await_event("course.generation.completed", id)));
  BOOST_TEST(static_cast<bool>(f.await_event("course.distribution.completed", id)));
}

BOOST_AUTO_TEST_CASE(sequence_order_follows_commits_whatever_the_wall_clock_says) {
  testkit::service_fixture f;
  std::vector<std::string> ids;
  ids.push_back(create(f, "Before any jump", 0));
  {
    wall_clock_jump back{-one_day_us};
    ids.push_back(create(f, "After a jump back", 0));
  }
  {
    wall_clock_jump forward{one_day_us};
    ids.push_back(create(f, "After a jump forward", 0));
  }
  for (const auto& id : ids) BOOST_REQUIRE(f.await_event("course.distribution.completed", id));
  auto page = f.call<event_page>(f.log(), query_atom::value, event_query{"", "", 0, 1000});
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(!page->events.empty());
  // Seqs run 1, 2, 3... in commit order; within one process the stored time never goes back
  // (EventLog keeps it monotonic), and a jump forward shows in the time.
  int64_t seq = 0;
  int64_t time = 0;
  for (const auto& e : page->events) {
    BOOST_TEST(e.seq == seq + 1);
    BOOST_TEST(e.time_us >= time);
    seq = e.seq;
    time = e.time_us;
  }
  auto last_started = f.await_event("course.generation.started", ids.back());
  auto first_started = f.await_event("course.generation.started", ids.front());
  BOOST_REQUIRE(last_started);
  BOOST_REQUIRE(first_started);
  BOOST_TEST(last_started->time_us - first_started->time_us > one_day_us / 2);
}

BOOST_AUTO_TEST_SUITE_END()
