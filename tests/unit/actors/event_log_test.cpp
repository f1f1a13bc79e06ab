// The real EventLog over SQLite: commit-before-reply, subscriptions with catch-up, errors as
// values.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/audit.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sqlite_lock_waits.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"
#include "util/metrics.hpp"
#include "util/uuid.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

cf::event started(const std::string& subject) {
  cf::event e;
  e.source = "/test";
  e.type = "course.generation.started";
  e.subject = subject;
  e.data = nlohmann::json{{"course_id", subject},
                          {"title", "t"},
                          {"user_id", "u"},
                          {"attempt", 1},
                          {"parameters", nlohmann::json::object()}}
               .dump();
  return e;
}

cf::event other(const std::string& type, const std::string& subject) {
  cf::event e;
  e.source = "/test";
  e.type = type;
  e.subject = subject;
  e.data = "{}";
  return e;
}

// Collects notifications arriving at a scoped actor until `n` events (or `patience` without one).
std::vector<cf::event> collect(caf::scoped_actor& self, size_t n) {
  std::vector<cf::event> got;
  bool timed_out = false;
  while (got.size() < n && !timed_out)
    self->receive(
        [&](notify_atom, const std::vector<cf::event>& evs) {
          got.insert(got.end(), evs.begin(), evs.end());
        },
        caf::after(testkit::patience) >> [&] { timed_out = true; });
  return got;
}

// EventLog alone: no CourseFactory recovering the "generating" courses these tests append.
struct log_fixture : testkit::service_fixture {
  log_fixture() : testkit::service_fixture(only_the_log()) {}
  static testkit::service_options only_the_log() {
    testkit::service_options o;
    o.log_only = true;
    return o;
  }
};

// The same, with the log's connection counting its waits for a lock (opened while watched).
struct watched_log_fixture : testkit::lock_waits_watched, log_fixture {};

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_log, log_fixture)

BOOST_AUTO_TEST_CASE(append_answers_committed_events_with_ids_times_and_numbers) {
  auto res = call<std::vector<cf::event>>(log(), append_atom::value,
                                          std::vector<cf::event>{started("a"), started("b")});
  BOOST_REQUIRE(res);
  BOOST_REQUIRE(res->size() == 2u);
  BOOST_TEST(is_uuid_v7((*res)[0].id));
  BOOST_TEST((*res)[0].seq == 1);
  BOOST_TEST((*res)[1].seq == 2);
  BOOST_TEST((*res)[0].time_us <= (*res)[1].time_us);
  BOOST_TEST(*call<int64_t>(log(), head_atom::value) == 2);
  // Committed means readable by a second connection to the file right away.
  auto other_conn = sqlite_event_store::open(db_path());
  BOOST_REQUIRE(other_conn);
  BOOST_TEST(*(*other_conn)->head() == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_append_is_an_error_value_and_the_log_lives_on) {
  auto bad = started("a");
  bad.data = "{oops";
  auto res = call<std::vector<cf::event>>(log(), append_atom::value, std::vector<cf::event>{bad});
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::invalid_argument));
  BOOST_TEST(*call<int64_t>(log(), head_atom::value) == 0);
  BOOST_TEST(static_cast<bool>(call<std::vector<cf::event>>(log(), append_atom::value,
                                                            std::vector<cf::event>{started("a")})));
}

BOOST_AUTO_TEST_CASE(subscribers_get_stored_events_then_live_ones_in_order) {
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(call<std::vector<cf::event>>(
        log(), append_atom::value,
        std::vector<cf::event>{started("s" + std::to_string(i)),
                               other("course.payment.failed", "s" + std::to_string(i))}));
  caf::scoped_actor self{sys()};
  auto me = caf::actor_cast<subscriber_actor>(self);
  int64_t head = -1;
  self->request(log(), testkit::patience, subscribe_atom::value, me,
                std::string{"course.generation.*"}, int64_t{1})
      .receive([&](int64_t h) { head = h; }, [&](caf::error&) {});
  BOOST_TEST(head == 6);
  BOOST_REQUIRE(call<std::vector<cf::event>>(
      log(), append_atom::value,
      std::vector<cf::event>{other("course.generation.completed", "s0"),
                             other("course.payment.completed", "s0")}));
  auto got = collect(self, 3);
  BOOST_REQUIRE(got.size() == 3u);
  // seq 1 is excluded by `after`; payment events by the pattern.
  BOOST_TEST(got[0].seq == 3);
  BOOST_TEST(got[1].seq == 5);
  BOOST_TEST(got[2].seq == 7);
  BOOST_TEST(got[2].type == "course.generation.completed");
}

BOOST_AUTO_TEST_CASE(bad_subscription_pattern_is_rejected) {
  caf::scoped_actor self{sys()};
  auto me = caf::actor_cast<subscriber_actor>(self);
  bool rejected = false;
  self->request(log(), testkit::patience, subscribe_atom::value, me, std::string{"*"}, int64_t{0})
      .receive([&](int64_t) {},
               [&](caf::error& err) { rejected = is(err, errc::invalid_argument); });
  BOOST_TEST(rejected);
}

BOOST_AUTO_TEST_CASE(unknown_course_is_not_found) {
  auto res = call<course_view>(log(), caf::get_atom::value, std::string{"nope"});
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::not_found));
}

// The summary is the course's read-model row, the same as the full view's, without content.
BOOST_AUTO_TEST_CASE(a_summary_is_the_course_without_its_content) {
  auto id = make_uuid_v7();
  BOOST_REQUIRE(
      call<std::vector<cf::event>>(log(), append_atom::value, std::vector<cf::event>{started(id)}));
  auto summary = call<course_summary>(log(), summary_atom::value, id);
  auto view = call<course_view>(log(), caf::get_atom::value, id);
  BOOST_REQUIRE(summary);
  BOOST_REQUIRE(view);
  BOOST_TEST(summary->id == id);
  BOOST_TEST(summary->status == view->summary.status);
  BOOST_TEST(summary->version == view->summary.version);
  BOOST_TEST(summary->last_seq == view->summary.last_seq);
  auto missing = call<course_summary>(log(), summary_atom::value, std::string{"nope"});
  BOOST_REQUIRE(!missing);
  BOOST_TEST(is(missing.error(), errc::not_found));
}

BOOST_AUTO_TEST_CASE(the_log_holds_no_read_snapshot_so_the_wal_can_be_checkpointed) {
  for (int i = 0; i < 50; ++i) {
    BOOST_REQUIRE(call<std::vector<cf::event>>(log(), append_atom::value,
                                               std::vector<cf::event>{started(make_uuid_v7())}));
    BOOST_REQUIRE(call<course_view>(log(), caf::get_atom::value, std::string{"nope"}).error());
    BOOST_REQUIRE(call<int64_t>(log(), head_atom::value));
  }
  SQLite::Database other{db_path(), SQLite::OPEN_READWRITE};
  SQLite::Statement cp{other, "PRAGMA wal_checkpoint(PASSIVE)"};
  BOOST_REQUIRE(cp.executeStep());
  auto busy = cp.getColumn(0).getInt();
  auto frames = cp.getColumn(1).getInt();
  auto done = cp.getColumn(2).getInt();
  BOOST_TEST(busy == 0);
  BOOST_TEST(frames > 0);
  BOOST_TEST(done == frames); // every frame: no reader pins an old snapshot
}

BOOST_FIXTURE_TEST_CASE(an_append_waits_for_another_writer_instead_of_failing,
                        watched_log_fixture) {
  SQLite::Database other{db_path(), SQLite::OPEN_READWRITE};
  auto writer =
      std::make_unique<SQLite::Transaction>(other, SQLite::TransactionBehavior::IMMEDIATE);
  auto waits = testkit::lock_waits_so_far();
  caf::scoped_actor self{sys()};
  auto pending = self->request(log(), testkit::patience, append_atom::value,
                               std::vector<cf::event>{started("waits")});
  // The log's commit is demonstrably blocked on the lock (SQLite's busy handler waits) before
  // the other writer lets go: the append waited instead of failing at once.
  BOOST_REQUIRE(testkit::await_lock_wait(waits));
  writer->commit();
  bool ok = false;
  pending.receive([&](const std::vector<cf::event>& evs) { ok = evs.size() == 1u; },
                  [](caf::error&) {});
  BOOST_TEST(ok);
  BOOST_TEST(*call<int64_t>(log(), head_atom::value) == 1);
}

// Group commit: requests that arrive together share transactions; each is answered with its own
// committed events, numbered without gaps, and the hash chain holds.
BOOST_FIXTURE_TEST_CASE(appends_that_arrive_together_commit_together, watched_log_fixture) {
  constexpr int n = 200;
  auto commits_before = metrics::global().commit_seconds.count();
  // "Together" made sure: another connection holds the write lock while all n appends are sent
  // and lets go only once the log's first commit is blocked on it, so every append is queued
  // before that commit ends, however slowly the log's thread runs.
  SQLite::Database holder{db_path(), SQLite::OPEN_READWRITE};
  auto writer =
      std::make_unique<SQLite::Transaction>(holder, SQLite::TransactionBehavior::IMMEDIATE);
  auto waits = testkit::lock_waits_so_far();
  caf::scoped_actor self{sys()};
  for (int i = 0; i < n; ++i)
    self->send(log(), append_atom::value,
               std::vector<cf::event>{other("course.payment.failed", "s-" + std::to_string(i))});
  BOOST_REQUIRE(testkit::await_lock_wait(waits));
  writer->commit();
  std::set<int64_t> seqs;
  int answered = 0;
  for (int i = 0; i < n; ++i)
    self->receive(
        [&](const std::vector<cf::event>& evs) {
          seqs.insert(evs.front().seq);
          ++answered;
        },
        [&](caf::error&) { ++answered; }, caf::after(testkit::patience) >> [&] {});
  BOOST_TEST(answered == n);
  BOOST_TEST(seqs.size() == static_cast<size_t>(n));
  BOOST_TEST(*seqs.begin() == 1);
  BOOST_TEST(*seqs.rbegin() == n);
  // The blocked commit and one for everything queued behind it (two when the first had some of
  // the others already).
  auto commits = metrics::global().commit_seconds.count() - commits_before;
  BOOST_TEST(commits <= 2u);
  BOOST_TEST_MESSAGE(n << " appends in " << commits << " transactions");
  auto audit = verify_log(db_path());
  BOOST_REQUIRE(audit);
  BOOST_TEST(audit->ok(), audit->reason);
}

BOOST_AUTO_TEST_SUITE_END()
