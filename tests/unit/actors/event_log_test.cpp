// The real EventLog over SQLite: commit-before-reply, subscriptions with catch-up, errors as
// values.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "storage/audit.hpp"
#include "tests/testkit/service_fixture.hpp"
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

// Collects notifications arriving at a scoped actor until `n` events or the deadline.
std::vector<cf::event> collect(caf::scoped_actor& self, size_t n) {
  std::vector<cf::event> got;
  bool timed_out = false;
  while (got.size() < n && !timed_out)
    self->receive(
        [&](notify_atom, const std::vector<cf::event>& evs) {
          got.insert(got.end(), evs.begin(), evs.end());
        },
        caf::after(std::chrono::seconds{5}) >> [&] { timed_out = true; });
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
  self->request(log(), 5s, subscribe_atom::value, me, std::string{"course.generation.*"},
                int64_t{1})
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
  self->request(log(), 5s, subscribe_atom::value, me, std::string{"*"}, int64_t{0})
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

BOOST_AUTO_TEST_CASE(an_append_waits_for_another_writer_instead_of_failing) {
  SQLite::Database other{db_path(), SQLite::OPEN_READWRITE};
  auto writer =
      std::make_unique<SQLite::Transaction>(other, SQLite::TransactionBehavior::IMMEDIATE);
  caf::scoped_actor self{sys()};
  auto pending =
      self->request(log(), 10s, append_atom::value, std::vector<cf::event>{started("waits")});
  std::this_thread::sleep_for(200ms); // the append is now blocked on the busy timeout
  writer->commit();
  bool ok = false;
  pending.receive([&](const std::vector<cf::event>&) { ok = true; }, [](caf::error&) {});
  BOOST_TEST(ok);
}

// Group commit: requests that arrive together share transactions; each is answered with its own
// committed events, numbered without gaps, and the hash chain holds.
BOOST_AUTO_TEST_CASE(appends_that_arrive_together_commit_together) {
  constexpr int n = 200;
  auto commits_before = metrics::global().commit_seconds.count();
  caf::scoped_actor self{sys()};
  for (int i = 0; i < n; ++i)
    self->send(log(), append_atom::value,
               std::vector<cf::event>{other("course.payment.failed", "s-" + std::to_string(i))});
  std::set<int64_t> seqs;
  int answered = 0;
  for (int i = 0; i < n; ++i)
    self->receive(
        [&](const std::vector<cf::event>& evs) {
          seqs.insert(evs.front().seq);
          ++answered;
        },
        [&](caf::error&) { ++answered; }, caf::after(std::chrono::seconds{10}) >> [&] {});
  BOOST_TEST(answered == n);
  BOOST_TEST(seqs.size() == static_cast<size_t>(n));
  BOOST_TEST(*seqs.begin() == 1);
  BOOST_TEST(*seqs.rbegin() == n);
  auto commits = metrics::global().commit_seconds.count() - commits_before;
  BOOST_TEST(commits < static_cast<uint64_t>(n)); // batched: fewer transactions than appends
  BOOST_TEST_MESSAGE(n << " appends in " << commits << " transactions");
  auto audit = verify_log(db_path());
  BOOST_REQUIRE(audit);
  BOOST_TEST(audit->ok(), audit->reason);
}

BOOST_AUTO_TEST_SUITE_END()
