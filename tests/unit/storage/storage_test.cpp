// sqlite_event_store on a temporary file: append, numbering, queries, wildcards, round trip,
// read model, migrations.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "domain/catalogue.hpp"
#include "storage/audit.hpp"
#include "storage/detail/store_sql.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace cf;

namespace {

cf::event make(const std::string& type, const std::string& subject, nlohmann::json data = {}) {
  return testkit::stored_event(type, subject, data);
}

nlohmann::json started_data(const std::string& id) {
  return {{"course_id", id},
          {"title", "Rust"},
          {"user_id", "u1"},
          {"attempt", 1},
          {"parameters",
           {{"language", "en"}, {"price", {{"amount_cents", 900}, {"currency", "EUR"}}}}}};
}

struct store_fixture {
  testkit::temp_dir dir;
  std::unique_ptr<sqlite_event_store> store;
  store_fixture() {
    auto s = sqlite_event_store::open(dir.file("sub/dir/events.db"));
    BOOST_REQUIRE(s);
    store = std::move(*s);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(storage, store_fixture)

BOOST_AUTO_TEST_CASE(append_numbers_events_globally_and_per_subject) {
  std::vector<cf::event> batch{make("course.generation.started", "a", started_data("a")),
                               make("course.generation.started", "b", started_data("b")),
                               make("course.generation.completed", "a")};
  BOOST_REQUIRE(!store->append(batch));
  BOOST_TEST(batch[0].seq == 1);
  BOOST_TEST(batch[1].seq == 2);
  BOOST_TEST(batch[2].seq == 3);
  BOOST_TEST(batch[0].subject_version == 1);
  BOOST_TEST(batch[1].subject_version == 1);
  BOOST_TEST(batch[2].subject_version == 2);
  BOOST_TEST(*store->head() == 3);
}

// Group commit: independent appends in one transaction; one that fails leaves no trace and
// does not take the others down; the chain and numbering run on as if appended one by one.
BOOST_AUTO_TEST_CASE(a_batch_commits_each_append_alone_in_one_transaction) {
  std::vector<append_request> batch(4);
  batch[0].events = {make("course.generation.started", "a", started_data("a"))};
  auto clash = make("course.generation.completed", "b");
  clash.subject_version = 5; // "b" has no events: version 5 is not next
  batch[1].events = {make("course.generation.started", "b", started_data("b")), clash};
  batch[1].advance = checkpoint{"payment", 40};
  batch[2].events = {make("course.generation.started", "c", started_data("c")),
                     make("course.generation.completed", "c")};
  batch[2].advance = checkpoint{"distribution", 7};
  batch[3].events = {make("course.generation.started", "d", started_data("d"))};
  batch[3].events[0].id = batch[0].events[0].id; // a duplicate id: a constraint fails
  BOOST_REQUIRE(!store->append_batch(batch));
  BOOST_TEST(!batch[0].result);
  BOOST_TEST(is(batch[1].result, errc::conflict));
  BOOST_TEST(!batch[2].result);
  BOOST_TEST(is(batch[3].result, errc::conflict));
  BOOST_TEST(batch[0].events[0].seq == 1);
  BOOST_TEST(batch[2].events[0].seq == 2); // the failed append's events left no gap
  BOOST_TEST(batch[2].events[1].seq == 3);
  BOOST_TEST(batch[1].events[0].seq == 0);
  BOOST_TEST(*store->head() == 3);
  BOOST_TEST(*store->load_checkpoint("payment") == 0); // went down with its append
  BOOST_TEST(*store->load_checkpoint("distribution") == 7);
  BOOST_TEST(is(store->course("b").error(), errc::not_found));
  BOOST_TEST(store->course("c")->summary.status == "generated");
  // The next append chains on from the batch.
  std::vector<cf::event> next{make("course.generation.completed", "a")};
  BOOST_REQUIRE(!store->append(next));
  BOOST_TEST(next[0].seq == 4);
  auto audit = verify_log(dir.file("sub/dir/events.db"));
  BOOST_REQUIRE(audit);
  BOOST_TEST(audit->ok(), audit->reason);
  BOOST_TEST(audit->events == 4);
}

// The store keeps the course rows it wrote in memory (no read per append). Another connection
// that appends to the same file moves the course on: the next append must see that, not the
// remembered row.
BOOST_AUTO_TEST_CASE(appends_of_another_connection_are_seen) {
  std::vector<cf::event> first{make("course.generation.started", "a", started_data("a"))};
  BOOST_REQUIRE(!store->append(first));
  {
    auto other = sqlite_event_store::open(dir.file("sub/dir/events.db"));
    BOOST_REQUIRE(other);
    std::vector<cf::event> theirs{make("course.generation.completed", "a")};
    theirs[0].subject_version = 2;
    BOOST_REQUIRE(!(*other)->append(theirs));
  }
  std::vector<cf::event> mine{make("course.payment.required", "a",
                                   {{"course_id", "a"},
                                    {"payment_id", "p1"},
                                    {"amount_cents", 900},
                                    {"currency", "EUR"},
                                    {"expires_at", "2030-01-01T00:00:00Z"}})};
  mine[0].subject_version = 3; // after theirs
  auto err = store->append(mine);
  BOOST_TEST(!err, to_string(err));
  BOOST_TEST(mine[0].seq == 3);
  auto c = store->summary("a");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->status == "awaiting_payment");
  BOOST_TEST(c->version == 3);
  BOOST_TEST(c->content_seq == 2); // their event is in the row too
}

// Checkpoints run on the store's own thread, not inside the writer's commits: the WAL still
// starts over again and again (SQLite's own checkpoint in the commit is replaced, not kept).
BOOST_AUTO_TEST_CASE(the_wal_is_checkpointed_off_the_writer_and_stays_small) {
  std::string content(3000, 'x'); // about one page per event, as a generated course
  for (int batch = 0; batch < 80; ++batch) {
    std::vector<cf::event> events;
    for (int i = 0; i < 50; ++i) {
      auto id = make_uuid_v7();
      events.push_back(make("course.generation.started", id, started_data(id)));
      events.push_back(
          make("course.generation.completed", id, {{"course_id", id}, {"content", content}}));
    }
    BOOST_REQUIRE(!store->append(events));
  }
  // 8,000 events of ~3 KB: without checkpoints the WAL would pass 30 MB.
  BOOST_TEST(testkit::eventually([&] { return store->background_checkpoints() > 0; }));
  auto wal = std::filesystem::file_size(dir.file("sub/dir/events.db") + "-wal");
  BOOST_TEST(wal < 16u * 1024 * 1024, wal << " bytes of WAL");
  auto audit = verify_log(dir.file("sub/dir/events.db"));
  BOOST_REQUIRE(audit);
  BOOST_TEST(audit->ok(), audit->reason);
  BOOST_TEST(audit->events == 8000);
}

// An event that claims to be its subject's first is not checked against the course row (it is
// not read): the log's own uniqueness of (subject, version) refuses it, and nothing is written.
BOOST_AUTO_TEST_CASE(a_second_first_event_is_refused_and_writes_nothing) {
  std::vector<cf::event> first{make("course.generation.started", "a", started_data("a"))};
  first[0].subject_version = 1;
  BOOST_REQUIRE(!store->append(first));
  store.reset(); // a new store remembers no course rows
  auto again = sqlite_event_store::open(dir.file("sub/dir/events.db"));
  BOOST_REQUIRE(again);
  store = std::move(*again);
  std::vector<append_request> batch(2);
  batch[0].events = {make("course.generation.started", "a", started_data("a"))};
  batch[0].events[0].subject_version = 1;
  batch[1].events = {make("course.generation.started", "b", started_data("b"))};
  BOOST_REQUIRE(!store->append_batch(batch));
  BOOST_TEST(is(batch[0].result, errc::conflict));
  BOOST_TEST(!batch[1].result);
  BOOST_TEST(*store->head() == 2);
  BOOST_TEST(batch[1].events[0].seq == 2);
  auto a = store->summary("a");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->version == 1);
  BOOST_TEST(a->last_seq == 1);
}

// Data that is JSON but not what the fold reads (found by review): the append is refused as
// invalid, nothing escapes as an exception, and the rest of its batch commits; rows written by
// a batch reach the remembered rows only once it committed.
BOOST_AUTO_TEST_CASE(data_the_fold_cannot_read_is_refused_and_the_batch_goes_on) {
  auto list = make("course.generation.started", "x");
  list.data = "[1]";
  std::vector<cf::event> one{list};
  caf::error err;
  BOOST_CHECK_NO_THROW(err = store->append(one));
  BOOST_TEST(is(err, errc::invalid_argument), to_string(err));

  std::vector<append_request> batch(2);
  batch[0].events = {make("course.generation.started", "a", started_data("a"))};
  auto bad = make("course.generation.started", "b");
  bad.data = R"({"title": 5})";
  batch[1].events = {bad};
  BOOST_CHECK_NO_THROW(err = store->append_batch(batch));
  BOOST_TEST(!err);
  BOOST_TEST(!batch[0].result);
  BOOST_TEST(is(batch[1].result, errc::invalid_argument));
  BOOST_TEST(*store->head() == 1);
  std::vector<cf::event> next{make("course.generation.completed", "a")};
  BOOST_REQUIRE(!store->append(next));
  BOOST_TEST(next[0].subject_version == 2);
  BOOST_TEST(is(store->summary("b").error(), errc::not_found));
}

BOOST_AUTO_TEST_CASE(events_survive_a_round_trip_unchanged) {
  auto e = make("course.generation.started", "c1", started_data("c1"));
  e.data = nlohmann::json::parse(e.data).dump(); // canonical form, as producers write it
  std::vector<cf::event> batch{e};
  BOOST_REQUIRE(!store->append(batch));
  auto page = store->query({});
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->events.size() == 1u);
  const auto& back = page->events[0];
  BOOST_TEST((back == batch[0]));
  // And through the CloudEvents JSON form, as the API serves it.
  auto again = from_cloudevent(nlohmann::json::parse(to_cloudevent(back).dump()));
  BOOST_REQUIRE(again);
  BOOST_TEST((*again == back));
}

BOOST_AUTO_TEST_CASE(queries_filter_by_type_wildcard_subject_after_and_limit) {
  std::vector<cf::event> batch;
  for (int i = 0; i < 5; ++i) {
    auto id = "s" + std::to_string(i);
    batch.push_back(make("course.generation.started", id, started_data(id)));
    batch.push_back(make("course.generation.completed", id));
  }
  batch.push_back(make("course.distribution.requested", "s0")); // a type the log can read
  batch.push_back(make("course.payment.required", "s0"));
  BOOST_REQUIRE(!store->append(batch));
  event_query q;
  q.type = "course.generation.*";
  auto page = store->query(q);
  BOOST_REQUIRE(page);
  BOOST_TEST(page->events.size() == 10u);
  for (const auto& e : page->events) BOOST_TEST(type_matches("course.generation.*", e.type));
  q.type = "course.generation.completed";
  BOOST_TEST(store->query(q)->events.size() == 5u);
  q = {};
  q.subject = "s0";
  auto s0 = store->query(q);
  BOOST_TEST(s0->events.size() == 4u);
  q = {};
  q.limit = 4;
  auto first = store->query(q);
  BOOST_TEST(first->events.size() == 4u);
  BOOST_TEST(first->next_after == 4);
  q.after_seq = first->next_after;
  auto second = store->query(q);
  BOOST_TEST(second->events.front().seq == 5);
  int64_t prev = 0;
  for (q.after_seq = 0;;) { // paging visits every event once, in order
    auto p = store->query(q);
    for (const auto& e : p->events) {
      BOOST_TEST(e.seq == prev + 1);
      prev = e.seq;
    }
    if (p->next_after == 0)
      break;
    q.after_seq = p->next_after;
  }
  BOOST_TEST(prev == 12);
}

BOOST_AUTO_TEST_CASE(bad_queries_are_rejected) {
  event_query q;
  q.type = "course.*.started";
  BOOST_TEST(is(store->query(q).error(), errc::invalid_argument));
  q = {};
  q.limit = 0;
  BOOST_TEST(is(store->query(q).error(), errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(failed_append_writes_nothing) {
  auto e = make("course.generation.started", "a", started_data("a"));
  std::vector<cf::event> first{e};
  BOOST_REQUIRE(!store->append(first));
  std::vector<cf::event> dup{make("course.generation.started", "b", started_data("b")), e};
  auto err = store->append(dup); // the second event reuses an id
  BOOST_TEST(is(err, errc::conflict));
  BOOST_TEST(*store->count() == 1);
  BOOST_TEST(dup[0].seq == 0);
  BOOST_TEST(is(store->course("b").error(), errc::not_found));
  std::vector<cf::event> bad{make("course.generation.started", "c", started_data("c"))};
  bad[0].data = "{not json";
  BOOST_TEST(is(store->append(bad), errc::invalid_argument));
  BOOST_TEST(*store->count() == 1);
}

// Idempotency keys and provider event ids are compared whole (a NUL byte does not end them)
// and deleted once their retention is over, scope by scope.
BOOST_AUTO_TEST_CASE(remembered_keys_are_whole_and_purged_after_their_retention) {
  auto day_us = int64_t{86400} * 1000000;
  auto now = now_us();
  auto remember = [&](const std::string& subject, const std::string& scope, const std::string& key,
                      int64_t created_us, int64_t not_before_us) {
    std::vector<cf::event> events{
        make("course.generation.started", subject, started_data(subject))};
    idempotency_record r{scope, key, "fp", "{}", created_us, not_before_us, false};
    BOOST_REQUIRE(!store->append(events, &r));
  };
  remember("a", "stripe", "evt_old", now - 40 * day_us, 0);
  remember("b", "courses", "key_old", now - 40 * day_us, 0);
  remember("c", "stripe", std::string{"evt\0tail", 8}, now, 0);
  BOOST_TEST(store->recall("stripe", "evt_old", 0)->found); // kept until a purge
  // A new stripe record with a 30-day retention purges the stripe records older than that.
  remember("d", "stripe", "evt_new", now, now - 30 * day_us);
  SQLite::Database db{dir.file("sub/dir/events.db")};
  auto rows = [&](const std::string& scope, const std::string& key) {
    SQLite::Statement st{db, "SELECT COUNT(*) FROM idempotency WHERE scope = ? AND key = ?"};
    st.bind(1, scope);
    st.bind(2, key);
    st.executeStep();
    return st.getColumn(0).getInt();
  };
  BOOST_TEST(rows("stripe", "evt_old") == 0);
  BOOST_TEST(rows("stripe", "evt_new") == 1);
  BOOST_TEST(rows("courses", "key_old") == 1); // another scope, another retention
  // Whole keys: the one with a NUL byte is neither its prefix nor another key.
  BOOST_TEST(store->recall("stripe", std::string{"evt\0tail", 8}, 0)->found);
  BOOST_TEST(!store->recall("stripe", "evt", 0)->found);
  BOOST_TEST(!store->recall("stripe", std::string{"evt\0other", 9}, 0)->found);
}

BOOST_AUTO_TEST_CASE(read_model_follows_the_events) {
  std::vector<cf::event> batch{make("course.generation.started", "c1", started_data("c1"))};
  BOOST_REQUIRE(!store->append(batch));
  auto v = store->course("c1");
  BOOST_REQUIRE(v);
  BOOST_TEST(v->summary.status == "generating");
  BOOST_TEST(v->summary.title == "Rust");
  BOOST_TEST(v->summary.amount_cents == 900);
  BOOST_TEST(v->content.empty());
  nlohmann::json done{{"course_id", "c1"}, {"content", {{"language", "en"}}}};
  std::vector<cf::event> more{make("course.generation.completed", "c1", done)};
  BOOST_REQUIRE(!store->append(more));
  v = store->course("c1");
  BOOST_TEST(v->summary.status == "generated");
  BOOST_TEST(v->summary.version == 2);
  BOOST_TEST(v->summary.content_seq == more[0].seq);
  BOOST_TEST(nlohmann::json::parse(v->content)["language"] == "en");
  course_query q;
  q.status = "generated";
  BOOST_TEST(store->courses(q)->items.size() == 1u);
  q.status = "generating";
  BOOST_TEST(store->courses(q)->items.empty());
}

BOOST_AUTO_TEST_CASE(courses_page_in_id_order) {
  std::vector<cf::event> batch;
  for (int i = 0; i < 7; ++i) {
    auto id = make_uuid_v7();
    batch.push_back(make("course.generation.started", id, started_data(id)));
  }
  BOOST_REQUIRE(!store->append(batch));
  course_query q;
  q.limit = 3;
  std::vector<std::string> ids;
  for (;;) {
    auto page = store->courses(q);
    BOOST_REQUIRE(page);
    for (const auto& c : page->items) ids.push_back(c.id);
    if (page->next_after.empty())
      break;
    q.after = page->next_after;
  }
  BOOST_REQUIRE(ids.size() == 7u);
  for (size_t i = 0; i < ids.size(); ++i) BOOST_TEST(ids[i] == batch[i].subject);
}

// The Payment actor's sweep asks for the courses still waiting for a payment request. Finished
// dry runs and free courses stay "generated" for good: the sweep must neither list them nor walk
// over them (an index of the payable ones alone; before it, every sweep read all of them).
BOOST_AUTO_TEST_CASE(payable_courses_are_listed_without_walking_the_dry_runs) {
  auto generated = [](const std::string& id, bool dry_run, int64_t cents) {
    auto data = started_data(id);
    data["parameters"]["dry_run"] = dry_run;
    data["parameters"]["price"]["amount_cents"] = cents;
    return std::vector<cf::event>{make("course.generation.started", id, data),
                                  make("course.generation.completed", id, {{"course_id", id}})};
  };
  std::vector<cf::event> batch;
  std::vector<std::string> priced;
  for (int i = 0; i < 3000; ++i) {
    auto id = make_uuid_v7();
    bool pay = i % 1000 == 7;
    if (pay)
      priced.push_back(id);
    for (auto& e : generated(id, !pay && i % 2 == 0, pay || i % 2 == 0 ? 900 : 0))
      batch.push_back(e);
  }
  BOOST_REQUIRE(!store->append(batch));
  course_query q;
  q.payable = true;
  q.limit = 2;
  std::vector<std::string> listed;
  for (;;) {
    auto page = store->courses(q);
    BOOST_REQUIRE(page);
    for (const auto& c : page->items) listed.push_back(c.id);
    if (page->next_after.empty())
      break;
    q.after = page->next_after;
  }
  BOOST_TEST(listed == priced, boost::test_tools::per_element());

  sqlite3* db = nullptr;
  auto path = dir.file("sub/dir/events.db");
  BOOST_REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto sql = std::string{"SELECT id FROM "} + store_sql::payable_courses
             + " AND id > '' ORDER BY id LIMIT 501";
  sqlite3_stmt* st = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) ++rows;
  auto steps = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  BOOST_TEST(rows == 3);
  BOOST_TEST(steps < 100, steps << " steps for 3 of 3,000 generated courses");
}

BOOST_AUTO_TEST_CASE(reopening_keeps_events_and_schema) {
  std::vector<cf::event> batch{make("course.generation.started", "a", started_data("a"))};
  BOOST_REQUIRE(!store->append(batch));
  store.reset();
  auto again = sqlite_event_store::open(dir.file("sub/dir/events.db"));
  BOOST_REQUIRE(again);
  BOOST_TEST(*(*again)->head() == 1);
  SQLite::Database db{dir.file("sub/dir/events.db")};
  BOOST_TEST(db.execAndGet("PRAGMA user_version").getInt() == sqlite_event_store::schema_version);
  BOOST_TEST(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_naming_both_versions) {
  store.reset();
  {
    SQLite::Database db{dir.file("sub/dir/events.db"), SQLite::OPEN_READWRITE};
    db.exec("PRAGMA user_version = 99");
  }
  auto again = sqlite_event_store::open(dir.file("sub/dir/events.db"));
  BOOST_REQUIRE(!again);
  BOOST_TEST(is(again.error(), errc::storage_corrupt));
  auto msg = error_context(again.error());
  BOOST_TEST(msg.find("99") != std::string::npos);
  BOOST_TEST(msg.find(std::to_string(sqlite_event_store::schema_version)) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
