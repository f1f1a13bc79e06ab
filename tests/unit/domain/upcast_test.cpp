// Schema versions: the upcaster chain, the committed fixture log of an older build read through
// it, the start-up refusal of events this build cannot read, and retry times kept over a restart.
#include "domain/upcast.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "actors/course_factory.hpp"
#include "domain/catalogue.hpp"
#include "domain/retry_policy.hpp"
#include "storage/audit.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/actor_fixture.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/fakes.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace cf;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Writes the fixture dump (tests/fixtures/log-v3.sql) into a new database at `path`.
void load_fixture(const std::string& path) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/tests/fixtures/log-v3.sql"};
  BOOST_REQUIRE_MESSAGE(in, "tests/fixtures/log-v3.sql is missing");
  std::stringstream sql;
  sql << in.rdbuf();
  SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  db.exec(sql.str());
}

// A copy of the fixture log at `path`, opened (and so migrated) by this build.
std::unique_ptr<sqlite_event_store> open_fixture(const std::string& path) {
  load_fixture(path);
  auto store = sqlite_event_store::open(path);
  BOOST_REQUIRE(store);
  return std::move(*store);
}

// The rows as stored: seq -> (schema_version, data).
std::map<int64_t, std::pair<int32_t, std::string>> raw_rows(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  SQLite::Statement st{db, "SELECT seq, schema_version, data FROM events"};
  std::map<int64_t, std::pair<int32_t, std::string>> rows;
  while (st.executeStep())
    rows[st.getColumn(0).getInt64()] = {st.getColumn(1).getInt(), st.getColumn(2).getString()};
  return rows;
}

// Adds a row behind the store's back, as a newer (or foreign) build would have written it.
void insert_raw(const std::string& path, const std::string& type, int32_t schema_version) {
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  SQLite::Statement st{
      db,
      "INSERT INTO events(id, source, type, subject, subject_version, time_us, "
      "schema_version, correlation_id, causation_id, data, hash) "
      "SELECT ?, '/future', ?, 'c-future', COUNT(*) + 1, 1, ?, 'corr', 'cause', '{}', '' "
      "FROM events WHERE subject = 'c-future'"};
  st.bind(1, make_uuid_v7());
  st.bind(2, type);
  st.bind(3, schema_version);
  st.exec();
}

int64_t max_seq(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  return db.execAndGet("SELECT MAX(seq) FROM events").getInt64();
}

event failed_v1(bool will_retry) {
  event e;
  e.seq = 42;
  e.type = event_types::generation_failed;
  e.schema_version = 1;
  e.time_us = 1793523603000000;
  e.data = json{{"course_id", "c"},         {"error", "down"},  {"error_type", "transient"},
                {"will_retry", will_retry}, {"retry_count", 0}, {"attempt", 1}}
               .dump();
  return e;
}

void append_step(json& data, const event&) { data["steps"] = data.value("steps", "") + "+"; }

} // namespace

BOOST_AUTO_TEST_SUITE(upcast)

BOOST_AUTO_TEST_CASE(v1_failures_get_retry_at_their_own_time_when_they_will_retry) {
  auto e = failed_v1(true);
  BOOST_REQUIRE(!cf::upcast(e));
  BOOST_TEST(e.schema_version == 2);
  auto data = json::parse(e.data);
  BOOST_TEST(data["retry_at"] == format_time(1793523603000000));
  BOOST_TEST(check_event_data(e.type, data) == "");
  auto final = failed_v1(false);
  BOOST_REQUIRE(!cf::upcast(final));
  BOOST_TEST(final.schema_version == 2);
  BOOST_TEST(!json::parse(final.data).contains("retry_at"));
}

BOOST_AUTO_TEST_CASE(current_events_are_left_alone_without_parsing) {
  event e;
  e.type = event_types::payment_completed;
  e.schema_version = 1;
  e.data = "not even JSON"; // parsing it would fail: it must not be parsed
  BOOST_TEST(!cf::upcast(e));
  BOOST_TEST(e.data == "not even JSON");
}

BOOST_AUTO_TEST_CASE(unknown_type_too_new_and_too_old_versions_are_errors_naming_the_event) {
  event unknown = failed_v1(true);
  unknown.type = "course.teleported";
  auto err = cf::upcast(unknown);
  BOOST_REQUIRE(err);
  BOOST_TEST(is(err, errc::storage_corrupt));
  BOOST_TEST(error_context(err)
             == "event 42 has type course.teleported (schema version 1), which this build does "
                "not know");
  auto future = failed_v1(true);
  future.schema_version = 7;
  err = cf::upcast(future);
  BOOST_TEST(is(err, errc::storage_corrupt));
  BOOST_TEST(error_context(err)
             == "event 42 (course.generation.failed) has schema version 7; this build reads up "
                "to 2");
  BOOST_TEST(future.schema_version == 7); // unchanged on error
  auto zero = failed_v1(true);
  zero.schema_version = 0;
  BOOST_TEST(is(cf::upcast(zero), errc::storage_corrupt));
  auto garbage = failed_v1(true);
  garbage.data = "[1,2]";
  err = cf::upcast(garbage);
  BOOST_TEST(is(err, errc::storage_corrupt));
  BOOST_TEST(garbage.schema_version == 1);
}

BOOST_AUTO_TEST_CASE(a_chain_runs_every_step_in_order_and_a_gap_is_an_error) {
  upcaster_chain chain;
  chain.add("t.x", 1, append_step);
  chain.add("t.x", 2, append_step);
  chain.add("t.x", 4, append_step); // no step from 3
  event e;
  e.seq = 7;
  e.type = "t.x";
  e.data = "{}";
  BOOST_REQUIRE(!chain.upcast(e, 3));
  BOOST_TEST(e.schema_version == 3);
  BOOST_TEST(json::parse(e.data)["steps"] == "++");
  event gap = e;
  gap.schema_version = 2;
  auto err = chain.upcast(gap, 5);
  BOOST_REQUIRE(err);
  BOOST_TEST(error_context(err)
             == "event 7 (t.x) has schema version 2; this build has no upcaster from version 3 "
                "to 4");
  BOOST_TEST(gap.schema_version == 2);
  BOOST_TEST(json::parse(gap.data)["steps"] == "++"); // untouched: no step ran
}

BOOST_AUTO_TEST_CASE(this_build_reads_every_past_version_of_every_type) {
  for (const auto& info : catalogue())
    for (int32_t v = 1; v <= info.schema_version; ++v)
      BOOST_TEST(!check_readable(info.type, v, 1), info.type << " version " << v);
  BOOST_TEST(static_cast<bool>(check_readable(event_types::generation_failed, 3, 1)));
}

BOOST_AUTO_TEST_CASE(the_fixture_log_of_schema_3_migrates_and_reads_at_current_versions) {
  testkit::temp_dir dir;
  auto path = dir.file("old.db");
  load_fixture(path);
  auto before = raw_rows(path);
  BOOST_REQUIRE(before.size() == 19u);
  auto store = sqlite_event_store::open(path);
  BOOST_REQUIRE_MESSAGE(store, "open: " << (store ? "" : error_context(store.error())));
  {
    SQLite::Database db{path, SQLite::OPEN_READONLY};
    BOOST_TEST(db.execAndGet("PRAGMA user_version").getInt() == sqlite_event_store::schema_version);
  }
  auto page = (*store)->query(event_query{"", "", 0, 1000});
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->events.size() == before.size());
  std::set<std::string> types;
  int retrying = 0;
  for (const auto& e : page->events) {
    types.insert(e.type);
    const auto& [stored_version, stored_data] = before.at(e.seq);
    BOOST_TEST(stored_version == 1); // every type was at version 1 when the fixture was made
    BOOST_TEST(e.schema_version == find_event_type(e.type)->schema_version);
    auto data = json::parse(e.data);
    BOOST_TEST(check_event_data(e.type, data) == "", e.seq << ": " << e.type);
    if (e.type == event_types::distribution_requested) { // version 2: retry_count, 0 before
      BOOST_TEST(e.schema_version == 2);
      auto expected = json::parse(stored_data);
      expected["retry_count"] = 0;
      BOOST_TEST(data == expected, e.seq << ": " << e.data);
      continue;
    }
    bool failure =
        e.type == event_types::generation_failed || e.type == event_types::distribution_failed;
    if (!failure) {
      BOOST_TEST(e.data == stored_data, e.seq << ": " << e.type << " changed");
      continue;
    }
    BOOST_TEST(e.schema_version == 2);
    auto expected = json::parse(stored_data);
    if (expected["will_retry"] == true) {
      ++retrying;
      expected["retry_at"] = format_time(e.time_us);
    }
    BOOST_TEST(data == expected, e.seq << ": " << e.data);
  }
  BOOST_TEST(types.size() == catalogue().size()); // all nine types are in the fixture
  BOOST_TEST(retrying == 2);
  // Upcasting is on read only: the stored rows, and so the hash chain, are as the old build left
  // them, and the audit trail verifies.
  BOOST_TEST(raw_rows(path) == before);
  auto report = verify_log(path);
  BOOST_REQUIRE(report);
  BOOST_TEST(report->ok(), report->reason);
  BOOST_TEST(report->events == 19);
  // The read model came along, and the migrated log takes new events that chain on.
  auto c = (*store)->course("019a3c00-0000-7000-8000-000000000001");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->summary.status == "published");
  std::vector<event> more{testkit::stored_event(event_types::generation_started, "c-new")};
  BOOST_REQUIRE(!(*store)->append(more));
  BOOST_TEST(more.front().seq == 20);
  report = verify_log(path);
  BOOST_REQUIRE(report);
  BOOST_TEST(report->ok(), report->reason);
}

BOOST_AUTO_TEST_CASE(open_refuses_a_log_with_a_version_this_build_does_not_know) {
  testkit::temp_dir dir;
  auto path = dir.file("future.db");
  load_fixture(path);
  insert_raw(path, event_types::distribution_failed, 99);
  auto seq = max_seq(path);
  insert_raw(path, event_types::distribution_failed, 99); // the first one is named
  auto store = sqlite_event_store::open(path);
  BOOST_REQUIRE(!store);
  BOOST_TEST(is(store.error(), errc::storage_corrupt));
  BOOST_TEST(error_context(store.error())
             == "event " + std::to_string(seq)
                    + " (course.distribution.failed) has schema version 99; this build reads up "
                      "to 2");
}

BOOST_AUTO_TEST_CASE(open_refuses_an_unknown_type_and_a_version_below_one) {
  testkit::temp_dir dir;
  auto unknown = dir.file("unknown.db");
  BOOST_REQUIRE(sqlite_event_store::open(unknown));
  insert_raw(unknown, "course.teleported", 1);
  auto store = sqlite_event_store::open(unknown);
  BOOST_REQUIRE(!store);
  BOOST_TEST(error_context(store.error())
             == "event 1 has type course.teleported (schema version 1), which this build does "
                "not know");
  auto zero = dir.file("zero.db");
  load_fixture(zero);
  insert_raw(zero, event_types::payment_required, 0);
  store = sqlite_event_store::open(zero);
  BOOST_REQUIRE(!store);
  auto why = error_context(store.error());
  BOOST_TEST(why.find("event 20 (course.payment.required) has schema version 0") == 0u, why);
}

BOOST_AUTO_TEST_CASE(a_query_over_an_unreadable_event_fails_with_the_reason) {
  testkit::temp_dir dir;
  auto path = dir.file("late.db");
  auto store = open_fixture(path);
  insert_raw(path, event_types::generation_failed, 5); // written after start-up
  auto all = store->query(event_query{"", "", 0, 1000});
  BOOST_REQUIRE(!all);
  BOOST_TEST(error_context(all.error()).find("event 20 (course.generation.failed)") == 0u);
  auto before = store->query(event_query{"", "", 0, 18}); // reads 19 rows (one to look ahead)
  BOOST_TEST(static_cast<bool>(before));
}

BOOST_AUTO_TEST_CASE(the_start_up_check_uses_the_index_not_a_scan) {
  testkit::temp_dir dir;
  auto path = dir.file("plan.db");
  {
    auto store = sqlite_event_store::open(path);
    BOOST_REQUIRE(store);
    std::vector<event> many;
    for (int i = 0; i < 3000; ++i)
      many.push_back(testkit::stored_event(event_types::payment_failed, "c" + std::to_string(i)));
    BOOST_REQUIRE(!(*store)->append(many));
  }
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  // The start-up queries (storage/event_versions.cpp) take a handful of steps whatever the
  // number of events: seeks, not scans. (MIN and MAX in one query would step over all 3,000.)
  for (const char* sql : {"SELECT type FROM events WHERE type > 'a' ORDER BY type LIMIT 1",
                          "SELECT schema_version FROM events WHERE type = 'course.payment.failed' "
                          "ORDER BY schema_version LIMIT 1",
                          "SELECT schema_version FROM events WHERE type = 'course.payment.failed' "
                          "ORDER BY schema_version DESC LIMIT 1",
                          "SELECT MIN(seq) FROM events WHERE type = 'course.payment.failed' AND "
                          "schema_version = 1"}) {
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
    }
    auto steps = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
    BOOST_TEST(steps < 100, sql << ": " << steps << " steps");
  }
  sqlite3_close(db);
}

// A generation failed and planned its retry 60 s later; then the service restarted. The new
// CourseFactory waits for retry_at instead of retrying at once.
BOOST_FIXTURE_TEST_CASE(a_generation_retry_after_a_restart_waits_for_retry_at,
                        testkit::actor_fixture) {
  testkit::fake_event_log log;
  auto log_actor = keep(log.spawn(sys()));
  course_request req;
  req.title = "Rust for backend developers";
  req.audiences = {"backend developers"};
  req.user_id = "u-1";
  req.lesson_count = 1;
  req.dry_run = true;
  std::string id = "019a3c00-0000-7000-8000-000000000009";
  auto started = testkit::stored_event(event_types::generation_started, id,
                                       {{"course_id", id},
                                        {"title", req.title},
                                        {"user_id", req.user_id},
                                        {"parameters", to_json(req)},
                                        {"attempt", 1}});
  auto failed = testkit::stored_event(event_types::generation_failed, id,
                                      {{"course_id", id},
                                       {"error", "crashed"},
                                       {"error_type", "transient"},
                                       {"retry_count", 0},
                                       {"will_retry", true},
                                       {"retry_at", format_time(now_us() + 60000000)},
                                       {"attempt", 1}});
  failed.schema_version = 2;
  BOOST_REQUIRE(
      call<std::vector<event>>(log_actor, append_atom::value, std::vector<event>{started, failed}));
  auto gen = std::make_shared<testkit::scripted_generator>();
  course_factory_settings fs;
  fs.retry.max_delay = 120s; // a stored retry waits at most max_delay: 60 s lies within it
  keep(spawn_course_factory(sys(), log_actor, gen, fs));
  run();
  BOOST_TEST(gen->calls() == 0);
  // The delay is taken from the real clock when the factory recovers; virtual time then runs
  // it. The margins leave 10 s for a slow (sanitised, loaded) machine between the two.
  advance(50s);
  BOOST_TEST(gen->calls() == 0);
  advance(11s);
  BOOST_TEST(gen->calls() == 1);
  std::vector<std::string> expected{"course.generation.started", "course.generation.failed",
                                    "course.generation.started", "course.generation.completed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
  BOOST_TEST(json::parse(log.events->at(2).data)["attempt"] == 2);
}

// A new failure records when its retry is due, and the retry runs then.
BOOST_FIXTURE_TEST_CASE(a_generation_failure_records_retry_at_and_retries_then,
                        testkit::actor_fixture) {
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "crash")});
  course_factory_settings fs;
  fs.retry.initial_delay = 1000ms; // equal jitter: 500-1000 ms
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen, fs));
  course_request req;
  req.title = "Rust for backend developers";
  req.audiences = {"backend developers"};
  req.user_id = "u-1";
  req.lesson_count = 1;
  req.dry_run = true;
  // The failure, its retry_at and its append all happen within this call: retry_at is the
  // real clock at some moment of it plus the delay drawn (500-1000 ms), however long it took.
  auto called_us = now_us();
  BOOST_REQUIRE(call<course_accepted>(factory, create_atom::value, req, ""));
  auto returned_us = now_us();
  BOOST_REQUIRE(log.events->size() == 2u);
  const auto failed = log.events->at(1);
  BOOST_TEST(failed.schema_version == 2);
  auto data = json::parse(failed.data);
  BOOST_TEST(check_event_data(failed.type, data) == "");
  auto due = parse_time(data.value("retry_at", ""));
  BOOST_REQUIRE(due);
  BOOST_TEST(*due >= called_us + 500000);
  BOOST_TEST(*due <= returned_us + 1000000);
  BOOST_TEST(failed.time_us >= called_us);
  BOOST_TEST(failed.time_us <= returned_us);
  advance(1000ms);
  BOOST_TEST(gen->calls() == 2);
  BOOST_TEST(log.types().back() == "course.generation.completed");
}

// A failure read from a version 1 log plans its retry at its own time (due at once, as those
// builds did); a planned retry_at is waited for.
BOOST_AUTO_TEST_CASE(delay_until_retry_follows_retry_at_and_v1_failures_are_due_at_once) {
  testkit::temp_dir dir;
  auto path = dir.file("v1.db");
  auto store = open_fixture(path);
  auto page = store->query(event_query{"", "", 0, 100});
  BOOST_REQUIRE(page);
  for (const auto& e : page->events) BOOST_TEST(delay_until_retry(e).count() == 0);
  auto planned = page->events.at(1); // course 1's retriable generation failure
  BOOST_REQUIRE(planned.type == event_types::generation_failed);
  auto data = json::parse(planned.data);
  BOOST_REQUIRE(data["will_retry"] == true);
  // Due 2 s after `set_us`: the delay left is 2 s less the time that passed since, rounded up
  // to a millisecond (measured, not guessed, so a slow machine only shortens it).
  auto set_us = now_us();
  data["retry_at"] = format_time(set_us + 2000000);
  planned.data = data.dump();
  auto left = delay_until_retry(planned).count();
  auto passed_us = now_us() - set_us;
  BOOST_TEST(left <= 2000);
  BOOST_TEST(left >= (2000000 - passed_us) / 1000);
  data["will_retry"] = false;
  planned.data = data.dump();
  BOOST_TEST(delay_until_retry(planned).count() == 0);
  // Unreadable is zero, not an exception: value() threw type_error on a will_retry or retry_at
  // of another type (seen when adding delay_until_retry to tests/fuzz/event_decode_fuzz.cpp).
  for (auto [key, value] : std::vector<std::pair<std::string, json>>{
           {"will_retry", "yes"}, {"will_retry", 1}, {"retry_at", 5}, {"retry_at", nullptr}}) {
    auto odd = json::parse(planned.data);
    odd["will_retry"] = true;
    odd["retry_at"] = format_time(now_us() + 2000000);
    odd[key] = value;
    planned.data = odd.dump();
    BOOST_CHECK_NO_THROW(BOOST_TEST(delay_until_retry(planned).count() == 0));
  }
}

BOOST_AUTO_TEST_SUITE_END()
