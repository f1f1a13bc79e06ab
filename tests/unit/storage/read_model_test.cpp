// The course read model written behind the log (sqlite_event_store::append): rows wait in the
// store and are written with their checkpoint later; a crash with rows waiting loses none of
// them (the next open folds them again from the log); every read sees them.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

nlohmann::json started_data(const std::string& id) {
  return {{"course_id", id},
          {"title", "Rust " + id},
          {"user_id", "u1"},
          {"attempt", 1},
          {"parameters",
           {{"language", "en"}, {"price", {{"amount_cents", 900}, {"currency", "EUR"}}}}}};
}

std::vector<event> started(const std::string& id) {
  return {testkit::stored_event("course.generation.started", id, started_data(id))};
}

std::vector<event> completed(const std::string& id) {
  return {testkit::stored_event("course.generation.completed", id, {})};
}

// What another process reading the file sees: (rows in the courses table, the projection's
// checkpoint).
std::pair<int64_t, int64_t> on_disk(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  auto rows = db.execAndGet("SELECT COUNT(*) FROM courses").getInt64();
  auto cp =
      db.execAndGet("SELECT COALESCE((SELECT seq FROM checkpoints WHERE consumer = 'courses'), -1)")
          .getInt64();
  return {rows, cp};
}

struct read_model_fixture {
  testkit::temp_dir dir;
  std::string path = dir.file("events.db");
  std::unique_ptr<sqlite_event_store> store;
  read_model_fixture() { reopen(); }
  void reopen() {
    store.reset();
    auto s = sqlite_event_store::open(path);
    BOOST_REQUIRE(s);
    store = std::move(*s);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(read_model, read_model_fixture)

BOOST_AUTO_TEST_CASE(rows_wait_and_are_written_with_their_checkpoint) {
  auto a = started("a");
  BOOST_REQUIRE(!store->append(a));
  auto done = completed("a");
  BOOST_REQUIRE(!store->append(done));
  // Not on disk yet: the row waits, folded from both events.
  BOOST_TEST(store->unwritten_courses() == 1u);
  BOOST_TEST(on_disk(path).first == 0);
  BOOST_TEST(on_disk(path).second == 0);
  auto c = store->summary("a");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->version == 2);
  BOOST_TEST(c->content_seq == 2);
  auto v = store->course("a");
  BOOST_REQUIRE(v);
  BOOST_TEST(v->summary.status == c->status);
  // Written once, with the checkpoint at the last event folded.
  BOOST_REQUIRE(!store->write_read_model());
  BOOST_TEST(store->unwritten_courses() == 0u);
  BOOST_TEST(on_disk(path).first == 1);
  BOOST_TEST(on_disk(path).second == 2);
  BOOST_REQUIRE(!store->write_read_model()); // nothing waits: nothing happens
}

BOOST_AUTO_TEST_CASE(a_read_of_the_table_writes_the_waiting_rows_first) {
  for (auto id : {"a", "b", "c"}) {
    auto e = started(id);
    BOOST_REQUIRE(!store->append(e));
  }
  BOOST_TEST(store->unwritten_courses() == 3u);
  course_query q;
  q.limit = 10;
  auto page = store->courses(q);
  BOOST_REQUIRE(page);
  BOOST_TEST(page->items.size() == 3u);
  BOOST_TEST(on_disk(path).first == 3);
  auto more = started("d");
  BOOST_REQUIRE(!store->append(more));
  auto counts = store->course_counts();
  BOOST_REQUIRE(counts);
  int64_t total = 0;
  for (auto& [status, n] : *counts) total += n;
  BOOST_TEST(total == 4);
  auto cp = store->load_checkpoint("courses");
  BOOST_REQUIRE(cp);
  BOOST_TEST(*cp == 4); // as far as the log is folded
}

BOOST_AUTO_TEST_CASE(enough_waiting_rows_are_written_by_the_commit_of_a_batch) {
  std::vector<append_request> batch(1100);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].events = started("c" + std::to_string(i));
  BOOST_REQUIRE(!store->append_batch(batch));
  for (const auto& r : batch) BOOST_REQUIRE(!r.result);
  // 1,100 rows are beyond the limit (256): the batch's own commit wrote them all.
  BOOST_TEST(store->unwritten_courses() == 0u);
  BOOST_TEST(on_disk(path).first == 1100);
  BOOST_TEST(on_disk(path).second == 1100);
}

BOOST_AUTO_TEST_CASE(a_crash_with_rows_waiting_loses_none) {
  auto a = started("a");
  BOOST_REQUIRE(!store->append(a));
  BOOST_REQUIRE(!store->write_read_model()); // "a" on disk at version 1, checkpoint 1
  auto done = completed("a");
  BOOST_REQUIRE(!store->append(done));
  auto b = started("b");
  BOOST_REQUIRE(!store->append(b));
  BOOST_TEST(store->unwritten_courses() == 2u);
  // The files as a crash now leaves them (the commits are in the WAL, the rows are not).
  auto crashed = dir.file("crashed/events.db");
  std::filesystem::create_directories(dir.file("crashed"));
  std::filesystem::copy_file(path, crashed);
  std::filesystem::copy_file(path + "-wal", crashed + "-wal");
  BOOST_TEST(on_disk(crashed).first == 1);
  BOOST_TEST(on_disk(crashed).second == 1);
  auto expected_a = store->summary("a");
  auto expected_b = store->summary("b");
  BOOST_REQUIRE(expected_a);
  BOOST_REQUIRE(expected_b);
  {
    auto after = sqlite_event_store::open(crashed);
    BOOST_REQUIRE(after);
    // Open folded events 2 and 3 again and wrote the rows.
    BOOST_TEST(on_disk(crashed).first == 2);
    BOOST_TEST(on_disk(crashed).second == 3);
    auto ra = (*after)->summary("a");
    auto rb = (*after)->summary("b");
    BOOST_REQUIRE(ra);
    BOOST_REQUIRE(rb);
    BOOST_TEST(ra->version == expected_a->version);
    BOOST_TEST(ra->status == expected_a->status);
    BOOST_TEST(ra->content_seq == expected_a->content_seq);
    BOOST_TEST(ra->last_seq == expected_a->last_seq);
    BOOST_TEST(rb->version == expected_b->version);
    BOOST_TEST(rb->title == expected_b->title);
    // And a rebuild from the whole log agrees with the catch-up.
    auto rebuilt = (*after)->rebuild();
    BOOST_REQUIRE(rebuilt);
    auto again = (*after)->summary("a");
    BOOST_REQUIRE(again);
    BOOST_TEST(again->version == ra->version);
    BOOST_TEST(again->updated_us == ra->updated_us);
  }
}

BOOST_AUTO_TEST_CASE(the_close_writes_the_waiting_rows) {
  auto a = started("a");
  BOOST_REQUIRE(!store->append(a));
  BOOST_TEST(on_disk(path).first == 0);
  store.reset();
  BOOST_TEST(on_disk(path).first == 1);
  BOOST_TEST(on_disk(path).second == 1);
}

BOOST_AUTO_TEST_CASE(another_connections_appends_fold_into_the_waiting_rows) {
  auto a = started("a");
  BOOST_REQUIRE(!store->append(a)); // waits here, not on disk
  {
    auto other = sqlite_event_store::open(path);
    BOOST_REQUIRE(other);
    auto theirs = completed("a");
    theirs[0].subject_version = 2;
    BOOST_REQUIRE(!(*other)->append(theirs));
    auto b = started("b");
    BOOST_REQUIRE(!(*other)->append(b));
  } // its close wrote the rows of both connections' events
  auto c = store->summary("a");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->version == 2);
  auto mine = completed("a"); // version 3 would be wrong: "a" is generated already
  mine[0].type = "course.payment.required";
  mine[0].data =
      R"({"course_id":"a","payment_id":"p1","amount_cents":900,"currency":"EUR","expires_at":"2030-01-01T00:00:00Z"})";
  mine[0].subject_version = 3;
  auto err = store->append(mine);
  BOOST_TEST(!err, to_string(err));
  store.reset();
  BOOST_TEST(on_disk(path).first == 2);
  BOOST_TEST(on_disk(path).second == 4);
  reopen();
  auto row = store->summary("a");
  BOOST_REQUIRE(row);
  BOOST_TEST(row->version == 3);
  BOOST_TEST(row->status == "awaiting_payment");
  BOOST_TEST(row->content_seq == 2);
}

// Another connection committed an event the fold cannot read: the rows are folded again from
// the log before the next write, that fold fails, and nothing is written on rows folded halfway
// (nor a checkpoint past the event), however often it is tried.
BOOST_AUTO_TEST_CASE(a_failed_fold_after_another_connections_commit_writes_nothing) {
  auto a = started("a");
  BOOST_REQUIRE(!store->append(a));
  BOOST_REQUIRE(!store->write_read_model()); // "a" on disk, checkpoint 1
  auto b = started("b");
  BOOST_REQUIRE(!store->append(b)); // waits
  {
    SQLite::Database other{path, SQLite::OPEN_READWRITE};
    other.exec(
        "INSERT INTO events(id, source, type, subject, subject_version, time_us, "
        "schema_version, correlation_id, causation_id, data) VALUES('x', '/other', "
        "'course.generation.started', 'c', 1, 1, 1, 'c', '', 'not json')");
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto c = started("d");
    auto err = store->append(c);
    BOOST_TEST(is(err, errc::storage_corrupt), to_string(err));
    BOOST_TEST(static_cast<bool>(store->write_read_model()));
    BOOST_TEST(on_disk(path).first == 1);
    BOOST_TEST(on_disk(path).second == 1);
  }
}

BOOST_AUTO_TEST_SUITE_END()
