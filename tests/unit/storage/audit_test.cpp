// The audit trail: the hash chain written by sqlite_event_store, verify_log finding tampering done
// through a second SQLite connection, the migration that backfills hashes, and online backups,
// both as functions and through the real binary's verify and backup commands.
#include "storage/audit.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/process.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"
#include "util/uuid.hpp"

using namespace cf;

namespace {

cf::event make(const std::string& subject, const std::string& type = "course.generation.started") {
  nlohmann::json data{{"course_id", subject},
                      {"title", "Rust"},
                      {"user_id", "u1"},
                      {"attempt", 1},
                      {"parameters", {{"language", "en"}}}};
  return testkit::stored_event(type, subject, data);
}

using testkit::run;

struct audit_fixture {
  testkit::temp_dir dir;
  std::string path = dir.file("events.db");
  std::unique_ptr<sqlite_event_store> store;

  audit_fixture() { reopen(); }

  void reopen() {
    store.reset();
    auto s = sqlite_event_store::open(path);
    BOOST_REQUIRE(s);
    store = std::move(*s);
  }

  // Appends five events: subject "a" at seq 1, 3, 5 and "b" at seq 2, 4.
  void append_five() {
    for (const char* subject : {"a", "b", "a", "b", "a"}) {
      std::vector<cf::event> one{make(subject)};
      BOOST_REQUIRE(!store->append(one));
    }
  }

  // Runs `sql` on a second connection, as someone editing the file would.
  void tamper(const std::string& sql) {
    store.reset();
    SQLite::Database db{path, SQLite::OPEN_READWRITE};
    db.exec(sql);
  }

  std::vector<std::string> hashes() {
    SQLite::Database db{path};
    SQLite::Statement st{db, "SELECT hash FROM events ORDER BY seq"};
    std::vector<std::string> out;
    while (st.executeStep()) out.push_back(st.getColumn(0).getString());
    return out;
  }

  verify_report verify(const std::string& file) {
    auto r = verify_log(file);
    BOOST_REQUIRE_MESSAGE(r, "verify_log failed: " << (r ? "" : error_context(r.error())));
    return *r;
  }
  verify_report verify() { return verify(path); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(audit, audit_fixture)

BOOST_AUTO_TEST_CASE(appended_events_form_a_chain_that_verifies) {
  BOOST_TEST(verify().ok());
  BOOST_TEST(verify().events == 0);
  append_five();
  std::vector<cf::event> batch{make("c"), make("d")};
  BOOST_REQUIRE(!store->append(batch));
  auto r = verify();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.events == 7);
  auto h = hashes();
  BOOST_REQUIRE(h.size() == 7u);
  BOOST_TEST(r.head_hash == h.back());
  auto page = store->query({});
  std::string prev;
  for (size_t i = 0; i < h.size(); ++i) { // the documented formula, recomputed from the API
    prev = chain_hash(prev, page->events[i]);
    BOOST_TEST(h[i] == prev);
  }
}

BOOST_AUTO_TEST_CASE(canonical_text_is_unambiguous) {
  auto e = make("a");
  auto f = e;
  f.source = e.source + e.type.substr(0, 1);
  f.type = e.type.substr(1); // the same bytes moved from one field into the next
  BOOST_TEST(canonical_event_text(e) != canonical_event_text(f));
  BOOST_TEST(chain_hash("", e) != chain_hash("x", e));
}

BOOST_AUTO_TEST_CASE(a_failed_append_does_not_advance_the_chain) {
  append_five();
  auto e = make("c");
  std::vector<cf::event> first{e};
  BOOST_REQUIRE(!store->append(first));
  std::vector<cf::event> dup{make("d"), e}; // the second reuses an id: rolled back
  BOOST_TEST(is(store->append(dup), errc::conflict));
  std::vector<cf::event> bad{make("d")};
  bad[0].data = "{not json";
  BOOST_TEST(is(store->append(bad), errc::invalid_argument));
  std::vector<cf::event> next{make("d")};
  BOOST_REQUIRE(!store->append(next));
  auto r = verify();
  BOOST_TEST(r.ok(), r.reason);
  BOOST_TEST(r.events == 7);
}

BOOST_AUTO_TEST_CASE(changed_data_is_found_at_its_seq) {
  append_five();
  tamper("UPDATE events SET data = '{\"course_id\":\"b\",\"title\":\"Go\"}' WHERE seq = 4");
  auto r = verify();
  BOOST_TEST(r.broken_seq == 4);
  BOOST_TEST(r.events == 3);
  BOOST_TEST(r.reason.find("hash mismatch") != std::string::npos, r.reason);
}

BOOST_AUTO_TEST_CASE(a_changed_hash_is_found_too) {
  append_five();
  tamper("UPDATE events SET hash = 'x' WHERE seq = 2");
  BOOST_TEST(verify().broken_seq == 2);
}

BOOST_AUTO_TEST_CASE(a_deleted_middle_row_is_a_gap) {
  append_five();
  tamper("DELETE FROM events WHERE seq = 3");
  auto r = verify();
  BOOST_TEST(r.broken_seq == 3);
  BOOST_TEST(r.reason.find("missing") != std::string::npos, r.reason);
}

BOOST_AUTO_TEST_CASE(a_deleted_first_row_is_a_gap) {
  append_five();
  tamper("DELETE FROM events WHERE seq = 1");
  BOOST_TEST(verify().broken_seq == 1);
}

BOOST_AUTO_TEST_CASE(a_deleted_last_row_is_found_through_sqlite_sequence) {
  append_five();
  tamper("DELETE FROM events WHERE seq >= 4");
  auto r = verify();
  BOOST_TEST(r.broken_seq == 4);
  BOOST_TEST(r.reason.find("at the end") != std::string::npos, r.reason);
  // The documented limit: whoever also lowers the counter hides the cut.
  tamper("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'events'");
  BOOST_TEST(verify().ok());
}

BOOST_AUTO_TEST_CASE(appending_after_a_deleted_tail_keeps_the_gap_visible) {
  append_five();
  tamper("DELETE FROM events WHERE seq = 5");
  reopen();
  std::vector<cf::event> more{make("c")};
  BOOST_REQUIRE(!store->append(more));
  BOOST_TEST(more[0].seq == 6); // AUTOINCREMENT never reuses 5
  auto r = verify();
  BOOST_TEST(r.broken_seq == 5);
  BOOST_TEST(r.reason.find("missing") != std::string::npos, r.reason);
}

BOOST_AUTO_TEST_CASE(swapped_rows_of_one_course_are_out_of_order) {
  append_five();
  tamper(
      "UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 5;"
      "UPDATE events SET seq = 5 WHERE seq = -1;");
  auto r = verify();
  BOOST_TEST(r.broken_seq == 3);
  BOOST_TEST(r.reason.find("out of order") != std::string::npos, r.reason);
}

BOOST_AUTO_TEST_CASE(swapped_rows_of_two_courses_break_the_chain_at_the_first) {
  append_five();
  tamper(
      "UPDATE events SET seq = -1 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3;"
      "UPDATE events SET seq = 3 WHERE seq = -1;");
  BOOST_TEST(verify().broken_seq == 2);
}

BOOST_AUTO_TEST_CASE(migration_from_schema_2_backfills_the_same_hashes) {
  append_five();
  auto before = hashes();
  tamper(
      "ALTER TABLE events DROP COLUMN hash; ALTER TABLE events DROP COLUMN actor; "
      "DROP TABLE tokens; DROP TABLE checkpoints; "
      "DROP INDEX events_by_schema; DROP INDEX courses_to_pay; PRAGMA user_version = 2;");
  {
    auto old = verify_log(path);
    BOOST_REQUIRE(!old);
    BOOST_TEST(is(old.error(), errc::storage_corrupt));
  }
  reopen();
  BOOST_TEST(hashes() == before, boost::test_tools::per_element());
  std::vector<cf::event> more{make("c")};
  BOOST_REQUIRE(!store->append(more));
  auto r = verify();
  BOOST_TEST(r.ok(), r.reason);
  BOOST_TEST(r.events == 6);
  SQLite::Database db{path};
  BOOST_TEST(db.execAndGet("PRAGMA user_version").getInt() == sqlite_event_store::schema_version);
}

BOOST_AUTO_TEST_CASE(backup_while_a_writer_appends_is_consistent_and_verifies) {
  append_five();
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer{[&] {
    while (!stop) {
      std::vector<cf::event> batch{make(make_uuid_v7()), make(make_uuid_v7())};
      if (!store->append(batch))
        appended += 2;
    }
  }};
  std::vector<int64_t> copied;
  for (int i = 0; i < 5; ++i) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (appended < 20 * (i + 1) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    auto target = dir.file("backup/copy-" + std::to_string(i) + ".db");
    std::filesystem::create_directories(dir.path / "backup");
    auto r = backup_database(path, target);
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : error_context(r.error())));
    BOOST_TEST(r->ok());
    auto again = verify(target);
    BOOST_TEST(again.ok(), again.reason);
    BOOST_TEST(again.events == r->events);
    copied.push_back(again.events);
  }
  stop = true;
  writer.join();
  BOOST_TEST(copied.back() > copied.front());
  for (const auto& entry : std::filesystem::directory_iterator(dir.path / "backup"))
    BOOST_TEST(entry.path().string().find(".tmp-") == std::string::npos);
  // A copy is a working database: the service opens it and keeps appending to the chain.
  auto s = sqlite_event_store::open(dir.file("backup/copy-4.db"));
  BOOST_REQUIRE(s);
  std::vector<cf::event> more{make("z")};
  BOOST_REQUIRE(!(*s)->append(more));
  BOOST_TEST(verify(dir.file("backup/copy-4.db")).ok());
}

BOOST_AUTO_TEST_CASE(a_backup_of_a_broken_log_leaves_the_target_alone) {
  append_five();
  tamper("UPDATE events SET data = '{}' WHERE seq = 2");
  auto target = dir.file("copy.db");
  auto r = backup_database(path, target);
  BOOST_REQUIRE(!r);
  BOOST_TEST(is(r.error(), errc::storage_corrupt));
  BOOST_TEST(error_context(r.error()).find("seq 2") != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(target));
}

BOOST_AUTO_TEST_CASE(the_binary_verifies_and_backs_up) {
  append_five();
  const std::string bin = CF_BINARY;
  auto ok = run(bin + " verify --storage-db " + path);
  BOOST_TEST(ok.status == 0, ok.out);
  BOOST_TEST(ok.out.rfind("ok: 5 events, head hash " + hashes().back(), 0) == 0, ok.out);
  auto target = dir.file("copy.db");
  auto backup = run(bin + " backup --storage-db " + path + " " + target); // the store is still open
  BOOST_TEST(backup.status == 0, backup.out);
  auto copy = run(bin + " verify --storage-db " + target);
  BOOST_TEST(copy.status == 0, copy.out);
  BOOST_TEST(copy.out == ok.out);
  tamper("DELETE FROM events WHERE seq = 2");
  auto bad = run(bin + " verify --storage-db " + path);
  BOOST_TEST(bad.status == 1, bad.out);
  BOOST_TEST(bad.out.rfind("broken at seq 2: ", 0) == 0, bad.out);
  BOOST_TEST(run(bin + " backup --storage-db " + path + " " + target).status == 1);
  BOOST_TEST(run(bin + " verify --storage-db " + target).status == 0); // the old copy is untouched
  BOOST_TEST(run(bin + " verify --storage-db " + dir.file("missing.db")).status == 2);
  BOOST_TEST(run(bin + " verify --state-dir " + dir.file("empty")).status == 2); // no database
  BOOST_TEST(run(bin + " backup --storage-db " + path).status == 2);
}

BOOST_AUTO_TEST_SUITE_END()
