// Storage faults as values (issue 15): SQLite's failures classified by their extended codes, a
// failed sync latching EventLog for good, a full disk degrading it until the next commit, and
// what HTTP answers for each. The disk fails through tests/testkit/faulty_vfs.hpp.
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "http/problem.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/faulty_vfs.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"

using namespace cf;

namespace {

std::vector<cf::event> one_event(const std::string& subject) {
  cf::event e;
  e.id = subject + "-e";
  e.time_us = 1;
  e.source = "/test";
  e.type = "test.noted";
  e.subject = subject;
  e.data = "{}";
  return {e};
}

// A store over a file whose disk fails on demand (nothing fails until the test says so).
struct faulty_store : testkit::faulty_vfs_installed {
  testkit::temp_dir dir;
  std::unique_ptr<sqlite_event_store> store;
  faulty_store() {
    auto opened = sqlite_event_store::open(dir.file("events.db"));
    BOOST_REQUIRE(opened);
    store = std::move(*opened);
  }
};

// EventLog over such a store, reporting to `health`, whose on_failed counts its calls.
struct faulty_log : faulty_store {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<storage_health> health = std::make_shared<storage_health>();
  std::shared_ptr<std::atomic<int>> reported = std::make_shared<std::atomic<int>>(0);
  event_log_actor log;

  faulty_log() {
    register_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    health->on_failed = [r = reported](const caf::error&) { *r += 1; };
    event_log_options o;
    o.health = health;
    log = spawn_event_log(*sys, std::shared_ptr<sqlite_event_store>{std::move(store)}, o);
  }
  ~faulty_log() {
    caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
    log = nullptr;
  }

  template <class R, class... Ts>
  caf::expected<R> call(Ts&&... xs) {
    caf::expected<R> result = make_error(errc::internal, "no reply");
    caf::scoped_actor self{*sys};
    self->request(log, testkit::patience, std::forward<Ts>(xs)...)
        .receive([&](R& r) { result = std::move(r); },
                 [&](caf::error& e) { result = std::move(e); });
    return result;
  }
  caf::expected<std::vector<cf::event>> append(const std::string& subject) {
    return call<std::vector<cf::event>>(append_atom::value, one_event(subject));
  }
};

// The health's state at `t` by name (printable when a check fails).
std::string state_at(const storage_health& h, int64_t t) { return to_string(h.current(t)); }

} // namespace

BOOST_AUTO_TEST_SUITE(storage_errors)

BOOST_AUTO_TEST_CASE(a_failed_sync_is_told_apart_from_a_full_disk_and_other_failures) {
  auto kind = [](int code, int extended) { return classify_sqlite_error(code, extended, "x"); };
  // By the extended code, whether the connection reported extended codes or not.
  BOOST_TEST(is(kind(SQLITE_IOERR, SQLITE_IOERR_FSYNC), errc::storage_failed));
  BOOST_TEST(is(kind(SQLITE_IOERR_FSYNC, SQLITE_IOERR_FSYNC), errc::storage_failed));
  BOOST_TEST(is(kind(SQLITE_IOERR, SQLITE_IOERR_DIR_FSYNC), errc::storage_failed));
  BOOST_TEST(is(kind(SQLITE_FULL, SQLITE_FULL), errc::storage_full));
  BOOST_TEST(is(kind(SQLITE_IOERR, SQLITE_IOERR_WRITE), errc::storage_unavailable));
  BOOST_TEST(is(kind(SQLITE_IOERR_WRITE, SQLITE_IOERR_WRITE), errc::storage_unavailable));
  BOOST_TEST(is(kind(SQLITE_BUSY, SQLITE_BUSY), errc::storage_unavailable));
  BOOST_TEST(is(kind(SQLITE_LOCKED, SQLITE_LOCKED), errc::storage_unavailable));
  BOOST_TEST(is(kind(SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_UNIQUE), errc::conflict));
  BOOST_TEST(is(kind(SQLITE_CORRUPT, SQLITE_CORRUPT), errc::storage_corrupt));
  BOOST_TEST(is(kind(SQLITE_NOTADB, SQLITE_NOTADB), errc::storage_corrupt));
  BOOST_TEST(error_context(kind(SQLITE_FULL, SQLITE_FULL)) == "x");
}

BOOST_FIXTURE_TEST_CASE(a_commit_whose_sync_fails_is_storage_failed_and_unseen_in_this_process,
                        faulty_store) {
  auto first = one_event("a");
  BOOST_REQUIRE(!store->append(first));
  testkit::fail_syncs(true);
  auto second = one_event("b");
  auto err = store->append(second);
  BOOST_TEST(is(err, errc::storage_failed), "got: " + error_context(err));
  BOOST_TEST(second[0].seq == 0);
  testkit::fail_syncs(false);
  // Not committed for this connection. (Its frames may be whole in the WAL file: a later process
  // may find them. A write answered storage_failed has an unknown outcome, like any lost answer.)
  BOOST_TEST(*store->count() == 1);
}

// The read model's rows are written behind the log, also by a read of the table. A sync that
// fails there (the read goes on) closes the store for writes as a failed append would.
BOOST_FIXTURE_TEST_CASE(a_failed_sync_of_the_waiting_rows_refuses_every_later_write, faulty_store) {
  auto first = one_event("a");
  BOOST_REQUIRE(!store->append(first));
  BOOST_REQUIRE(store->unwritten_courses() > 0u);
  testkit::fail_syncs(true);
  course_query q;
  q.limit = 10;
  BOOST_TEST(static_cast<bool>(store->courses(q))); // the read answers, on the table as it is
  testkit::fail_syncs(false);
  auto second = one_event("b");
  auto err = store->append(second);
  BOOST_TEST(is(err, errc::storage_failed), "got: " + error_context(err));
  BOOST_TEST(is(store->write_read_model(), errc::storage_failed));
  auto cp = store->save_checkpoint({"payment", 1});
  BOOST_REQUIRE(!cp);
  BOOST_TEST(is(cp.error(), errc::storage_failed));
}

BOOST_FIXTURE_TEST_CASE(a_full_disk_is_storage_full_and_the_store_writes_again_after,
                        faulty_store) {
  testkit::fail_writes(true);
  auto first = one_event("a");
  auto err = store->append(first);
  BOOST_TEST(is(err, errc::storage_full));
  testkit::fail_writes(false);
  auto again = one_event("a");
  BOOST_REQUIRE(!store->append(again));
  BOOST_TEST(again[0].seq == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(event_log_latch, faulty_log)

BOOST_AUTO_TEST_CASE(a_failed_sync_refuses_every_later_write_and_is_reported_once) {
  BOOST_REQUIRE(append("a"));
  BOOST_TEST(state_at(*health, now_us()) == "ok");
  testkit::fail_syncs(true);
  auto failed = append("b");
  BOOST_REQUIRE(!failed);
  BOOST_TEST(is(failed.error(), errc::storage_failed));
  testkit::fail_syncs(false); // the disk answers again: this process still writes nothing
  auto later = append("c");
  BOOST_REQUIRE(!later);
  BOOST_TEST(is(later.error(), errc::storage_failed));
  auto cp = call<int64_t>(checkpoint_atom::value, checkpoint{"payment", 1});
  BOOST_REQUIRE(!cp);
  BOOST_TEST(is(cp.error(), errc::storage_failed));
  BOOST_TEST(health->failed.load());
  BOOST_TEST(state_at(*health, now_us()) == "failing");
  BOOST_TEST(health->sync_errors.load() == 1u);
  BOOST_TEST(reported->load() == 1); // once, however many writes were refused
  // Reads still answer: what this process committed before.
  auto head = call<int64_t>(head_atom::value);
  BOOST_REQUIRE(head);
  BOOST_TEST(*head == 1);
}

BOOST_AUTO_TEST_CASE(a_full_disk_degrades_the_log_until_the_next_commit) {
  testkit::fail_writes(true);
  auto full = append("a");
  BOOST_REQUIRE(!full);
  BOOST_TEST(is(full.error(), errc::storage_full));
  BOOST_TEST(state_at(*health, now_us()) == "degraded");
  BOOST_TEST(health->full(now_us()));
  BOOST_TEST(health->full_errors.load() == 1u);
  // Past the window with no commit, degraded passes by itself.
  BOOST_TEST(state_at(*health, now_us() + storage_health::degraded_window_us) == "ok");
  testkit::fail_writes(false);
  BOOST_REQUIRE(append("a"));
  BOOST_TEST(state_at(*health, now_us()) == "ok");
  BOOST_TEST(!health->full(now_us()));
  BOOST_TEST(!health->failed.load());
  BOOST_TEST(reported->load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(storage_problems)

BOOST_AUTO_TEST_CASE(storage_errors_answer_503_with_retry_after) {
  auto answer = [](errc x) {
    httplib::Response res;
    write_problem(res, make_error(x, "why"), "");
    return res;
  };
  auto full = answer(errc::storage_full); // the type clients know for "retry later"
  BOOST_TEST(full.status == 503);
  BOOST_TEST(full.body.find("urn:coursefactory:problem:storage_unavailable") != std::string::npos);
  BOOST_TEST(full.get_header_value("Retry-After") == "1");
  auto busy = answer(errc::storage_unavailable);
  BOOST_TEST(busy.status == 503);
  BOOST_TEST(busy.get_header_value("Retry-After") == "1");
  auto failed = answer(errc::storage_failed);
  BOOST_TEST(failed.status == 503);
  BOOST_TEST(failed.body.find("urn:coursefactory:problem:storage_failed") != std::string::npos);
  BOOST_TEST(failed.get_header_value("Retry-After") == "5");
}

BOOST_AUTO_TEST_SUITE_END()
