// The way back before a migration: opening a database of an older schema first writes a backup of
// it next to the file (old version, whole log), a new or current database gets none, and a schema
// newer than this build's is refused with both versions named.
#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "storage/audit.hpp"
#include "storage/migrations.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

// "events.db.v<old>.<YYYYMMDD>T<HHMMSS>Z.bak" (std::regex would do, but GCC 12 under ASan warns
// about its internals and -Werror stops the build).
bool is_backup_name(const std::string& name, int old) {
  auto prefix = "events.db.v" + std::to_string(old) + ".";
  auto stamp = name.substr(std::min(name.size(), prefix.size()));
  if (name.compare(0, prefix.size(), prefix) != 0 || stamp.size() != 20 || stamp[8] != 'T'
      || stamp.compare(15, 5, "Z.bak") != 0)
    return false;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(stamp[i])))
      return false;
  return true;
}

// The schema version whose events carry a hash (the audit trail).
constexpr int32_t first_hashed_schema = 3;

// The schema an old build created: tests/fixtures/schema-v<version>.sql, frozen from that
// build's migrations (not made by this build's migrate(), so an edited old migration shows).
void load_old_schema(SQLite::Database& db, int32_t version) {
  auto file =
      std::string{CF_SOURCE_DIR} + "/tests/fixtures/schema-v" + std::to_string(version) + ".sql";
  std::ifstream in{file};
  BOOST_REQUIRE_MESSAGE(in, file << " is missing");
  std::stringstream sql;
  sql << in.rdbuf();
  db.exec(sql.str());
  BOOST_REQUIRE_EQUAL(db.execAndGet("PRAGMA user_version").getInt(), version);
}

// Builds a database at schema `version` holding `n` events of course "c-1", written with that
// schema's SQL (events only, as a read model the old build kept is not needed here). Returns
// their ids in order.
std::vector<std::string> make_old_database(const std::string& path, int32_t version, int n) {
  SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  load_old_schema(db, version);
  nlohmann::json data{{"course_id", "c-1"},
                      {"title", "Altes Schema"},
                      {"user_id", "u-1"},
                      {"attempt", 1},
                      {"parameters", {{"language", "de"}}}};
  std::string sql =
      "INSERT INTO events(seq, id, source, type, subject, subject_version, time_us, schema_version,"
      " correlation_id, causation_id, data) VALUES(?,?,?,?,?,?,?,?,?,?,?)";
  SQLite::Statement insert{db, sql};
  std::optional<SQLite::Statement> set_hash; // the chain came with first_hashed_schema
  if (version >= first_hashed_schema)
    set_hash.emplace(db, "UPDATE events SET hash = ? WHERE seq = ?");
  std::vector<std::string> ids;
  std::string prev;
  for (int i = 1; i <= n; ++i) {
    auto e = testkit::stored_event("course.generation.started", "c-1", data);
    e.seq = i;
    e.subject_version = i;
    e.schema_version = 1;
    insert.reset();
    SQLite::bind(insert, e.seq, e.id, e.source, e.type, e.subject, e.subject_version, e.time_us,
                 e.schema_version, e.correlation_id, e.causation_id, e.data);
    insert.exec();
    prev = chain_hash(prev, e);
    if (set_hash) {
      set_hash->reset();
      SQLite::bind(*set_hash, prev, e.seq);
      set_hash->exec();
    }
    ids.push_back(e.id);
  }
  return ids;
}

// Every table and index with its SQL, by name (sqlite_sequence aside: it has no SQL of ours).
std::vector<std::string> schema_of(const std::string& path) {
  SQLite::Database db{path};
  SQLite::Statement st{db,
                       "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM "
                       "sqlite_master WHERE name != 'sqlite_sequence' ORDER BY name"};
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

int32_t user_version(const std::string& path) {
  SQLite::Database db{path};
  return db.execAndGet("PRAGMA user_version").getInt();
}

std::vector<std::string> event_ids(const std::string& path) {
  SQLite::Database db{path};
  SQLite::Statement st{db, "SELECT id FROM events ORDER BY seq"};
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

// The files in `dir` whose names end in ".bak".
std::vector<std::string> backups(const testkit::temp_dir& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    if (entry.path().extension() == ".bak")
      out.push_back(entry.path().string());
  return out;
}

// Opens `path` with the store, returning what it printed to stderr.
std::string open_capturing_stderr(const std::string& path) {
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  auto store = sqlite_event_store::open(path);
  std::cerr.rdbuf(old);
  BOOST_REQUIRE_MESSAGE(store, (store ? "" : error_context(store.error())));
  return captured.str();
}

verify_report verify(const std::string& path) {
  auto r = verify_log(path);
  BOOST_REQUIRE_MESSAGE(r, (r ? "" : error_context(r.error())));
  return *r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(migration)

BOOST_AUTO_TEST_CASE(every_older_schema_is_backed_up_before_it_is_migrated) {
  for (int32_t old = 1; old < sqlite_event_store::schema_version; ++old) {
    BOOST_TEST_CONTEXT("from schema version " << old) {
      testkit::temp_dir dir;
      auto path = dir.file("events.db");
      auto ids = make_old_database(path, old, 3);
      auto printed = open_capturing_stderr(path);
      auto found = backups(dir);
      BOOST_REQUIRE_EQUAL(found.size(), 1u);
      const auto& bak = found[0];
      auto name = std::filesystem::path{bak}.filename().string();
      BOOST_TEST(is_backup_name(name, old), name);
      BOOST_TEST(printed.find(bak) != std::string::npos, printed);
      BOOST_TEST(printed.find('\n') == printed.size() - 1, printed); // one line
      // The backup is the old database as it was; the file itself is migrated.
      BOOST_TEST(user_version(bak) == old);
      BOOST_TEST(event_ids(bak) == ids, boost::test_tools::per_element());
      BOOST_TEST(user_version(path) == sqlite_event_store::schema_version);
      // Migrated from the old build's schema, the file has this build's: what a new database
      // gets, table by table and index by index.
      auto fresh = dir.file("fresh.db");
      BOOST_REQUIRE(sqlite_event_store::open(fresh));
      BOOST_TEST(schema_of(path) == schema_of(fresh), boost::test_tools::per_element());
      BOOST_TEST(verify(path).ok());
      if (old >= first_hashed_schema) {
        auto r = verify(bak);
        BOOST_TEST(r.ok(), r.reason);
        BOOST_TEST(r.events == 3);
      } else { // no chain to verify yet: the backup must still be a database this build opens
        auto restored = dir.file("restored.db");
        std::filesystem::copy_file(bak, restored);
        BOOST_REQUIRE(sqlite_event_store::open(restored));
        auto r = verify(restored);
        BOOST_TEST(r.ok(), r.reason);
        BOOST_TEST(r.events == 3);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_read_model_of_a_migrated_database_can_be_rebuilt) {
  testkit::temp_dir dir;
  auto path = dir.file("events.db");
  make_old_database(path, 1, 2); // events whose read model the old build never wrote
  auto store = sqlite_event_store::open(path);
  BOOST_REQUIRE(store);
  BOOST_TEST(is((*store)->course("c-1").error(), errc::not_found));
  auto r = (*store)->rebuild();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->courses == 1);
  auto c = (*store)->course("c-1");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->summary.title == "Altes Schema");
  BOOST_TEST(c->summary.version == 2);
}

BOOST_AUTO_TEST_CASE(a_new_or_current_database_is_not_backed_up) {
  testkit::temp_dir dir;
  auto path = dir.file("events.db");
  BOOST_TEST(open_capturing_stderr(path).empty());
  BOOST_TEST(open_capturing_stderr(path).empty());
  BOOST_TEST(open_capturing_stderr(":memory:").empty());
  BOOST_TEST(backups(dir).empty());
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_naming_both_versions_without_a_backup) {
  testkit::temp_dir dir;
  auto path = dir.file("events.db");
  BOOST_REQUIRE(sqlite_event_store::open(path));
  auto newer = sqlite_event_store::schema_version + 1;
  {
    SQLite::Database db{path, SQLite::OPEN_READWRITE};
    db.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  auto s = sqlite_event_store::open(path);
  BOOST_REQUIRE(!s);
  BOOST_TEST(is(s.error(), errc::storage_corrupt));
  auto why = error_context(s.error());
  BOOST_TEST(why.find("version " + std::to_string(newer)) != std::string::npos, why);
  BOOST_TEST(why.find(std::to_string(sqlite_event_store::schema_version)) != std::string::npos,
             why);
  BOOST_TEST(backups(dir).empty());
  BOOST_TEST(user_version(path) == newer);
}

BOOST_AUTO_TEST_SUITE_END()
