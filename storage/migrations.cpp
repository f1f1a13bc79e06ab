// The schema's history: numbered migrations, each in its own transaction, the C++ parts SQL
// cannot do (the hash backfill of migration 3), and the backup before migrating.
#include "storage/migrations.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "storage/audit.hpp"
#include "storage/detail/event_rows.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

// Migration N brings the schema from version N-1 to N. Append only: never edit a shipped one.
const char* const migrations[] = {
    // 1: the log and the course read model.
    R"sql(
    CREATE TABLE events(
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL,
      type TEXT NOT NULL,
      subject TEXT NOT NULL,
      subject_version INTEGER NOT NULL,
      time_us INTEGER NOT NULL,
      schema_version INTEGER NOT NULL,
      correlation_id TEXT NOT NULL,
      causation_id TEXT NOT NULL,
      data TEXT NOT NULL,
      UNIQUE(subject, subject_version));
    CREATE INDEX events_by_type ON events(type, seq);
    CREATE TABLE courses(
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      title TEXT NOT NULL,
      user_id TEXT NOT NULL,
      language TEXT NOT NULL,
      dry_run INTEGER NOT NULL,
      amount_cents INTEGER NOT NULL,
      currency TEXT NOT NULL,
      version INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      created_us INTEGER NOT NULL,
      updated_us INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      last_error TEXT NOT NULL,
      content_seq INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX courses_by_status ON courses(status, id);
  )sql",
    // 2: payment and distribution state in the read model; remembered requests.
    R"sql(
    ALTER TABLE courses ADD COLUMN payment_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE courses ADD COLUMN payment_expires_us INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE courses ADD COLUMN distribution_attempt INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE courses ADD COLUMN url TEXT NOT NULL DEFAULT '';
    CREATE TABLE idempotency(
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      response TEXT NOT NULL,
      created_us INTEGER NOT NULL,
      PRIMARY KEY(scope, key)) WITHOUT ROWID;
  )sql",
    // 3: the audit trail's hash chain; backfill_hashes fills it in for existing rows.
    R"sql(
    ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
  )sql",
    // 4: durable subscriber checkpoints. Each consumer and the course projection start at the
    // head instead of replaying the whole log: the read model of earlier builds is current, and
    // an effect they left undone is found by the periodic sweeps (every 30 s), as before.
    R"sql(
    CREATE TABLE checkpoints(consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO checkpoints(consumer, seq)
      SELECT name.column1, (SELECT COALESCE(MAX(seq), 0) FROM events)
      FROM (VALUES ('courses'), ('course_factory'), ('payment'), ('distribution')) AS name;
  )sql",
    // 5: the event types and schema versions in the log, found by index seeks at start-up
    // (storage/detail/event_versions.hpp) instead of a scan.
    R"sql(
    CREATE INDEX events_by_schema ON events(type, schema_version);
  )sql",
    // 6: the courses waiting for a payment request, for the Payment actor's periodic sweep
    // (course_query::payable): finished dry runs stay "generated" for good, and the sweep went
    // through all of them every 30 s. Same terms as store_sql::payable_courses
    // (storage/detail/store_sql.hpp).
    R"sql(
    CREATE INDEX courses_to_pay ON courses(id)
      WHERE status = 'generated' AND dry_run = 0 AND amount_cents > 0;
  )sql",
    // 7: API tokens (storage/token_store.hpp), stored as hashes only; each event names the token
    // whose request caused it (empty for events stored before, and for those no request caused).
    R"sql(
    CREATE TABLE tokens(
      name TEXT PRIMARY KEY,
      hash TEXT NOT NULL UNIQUE,
      scopes TEXT NOT NULL,
      created_us INTEGER NOT NULL,
      expires_us INTEGER NOT NULL,
      revoked_us INTEGER NOT NULL) WITHOUT ROWID;
    ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
  )sql",
};
constexpr int32_t migration_count = sizeof(migrations) / sizeof(migrations[0]);
static_assert(migration_count == sqlite_event_store::schema_version);

// Migration 3's part in C++ (SQL cannot hash): chains the rows already stored, in seq order.
// It can only vouch for them from now on: whatever happened to them before is taken as it is.
void backfill_hashes(SQLite::Database& db) {
  SQLite::Statement select{db, std::string{"SELECT "} + event_columns_v6
                                   + " FROM events WHERE seq > ? ORDER BY seq LIMIT 500"};
  SQLite::Statement update{db, set_hash_sql};
  std::string prev;
  for (int64_t after = 0;;) {
    // In batches, so no update runs while a scan of the same table is open.
    std::vector<event> batch;
    select.reset();
    select.bind(1, after);
    while (select.executeStep()) batch.push_back(read_event_row(select));
    if (batch.empty())
      return;
    for (const auto& e : batch) {
      prev = chain_hash(prev, e);
      update.reset();
      update.bind(1, prev);
      update.bind(2, e.seq);
      update.exec();
    }
    after = batch.back().seq;
  }
}

// "<file>.v<version>.<UTC time>.bak", unused so far ("-2", "-3"... within the same second).
std::string backup_name(const std::string& file, int32_t version) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  auto base = file + ".v" + std::to_string(version) + "." + stamp;
  auto name = base + ".bak";
  for (int n = 2; std::filesystem::exists(name); ++n)
    name = base + "-" + std::to_string(n) + ".bak";
  return name;
}

// Copies the database file behind `db` before it leaves schema version `from`: the way back
// to the previous binary (README, "Rolling back").
caf::error back_up_before_migrating(SQLite::Database& db, int32_t from, int32_t to) {
  const char* file = sqlite3_db_filename(db.getHandle(), "main");
  if (file == nullptr || *file == '\0') // in-memory or temporary: nothing to keep
    return {};
  auto target = backup_name(file, from);
  if (auto err = copy_database(file, target))
    return make_error(errc::storage_unavailable,
                      "cannot back up " + std::string{file} + " before migrating it from schema "
                          + "version " + std::to_string(from) + ": " + error_context(err)
                          + "; nothing was migrated");
  std::cerr << "coursefactory: backed up " << file << " (schema version " << from << ") to "
            << target << " before migrating it to version " << to << std::endl;
  return {};
}

} // namespace

caf::error migrate(SQLite::Database& db) { return migrate(db, sqlite_event_store::schema_version); }

caf::error open_migrated(const std::string& path, int busy_timeout_ms,
                         std::unique_ptr<SQLite::Database>& out, const std::string& vfs,
                         bool one_thread) {
  if (path != ":memory:") {
    auto parent = std::filesystem::path{path}.parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent);
  }
  auto flags =
      SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | (one_thread ? SQLITE_OPEN_NOMUTEX : 0);
  auto db = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms, vfs);
  db->exec("PRAGMA journal_mode = WAL");
  if (auto err = migrate(*db))
    return err;
  out = std::move(db);
  return {};
}

caf::error migrate(SQLite::Database& db, int32_t target) {
  if (target < 0 || target > migration_count)
    return make_error(errc::invalid_argument, "no schema version " + std::to_string(target));
  int32_t current = db.execAndGet("PRAGMA user_version").getInt();
  if (current > sqlite_event_store::schema_version)
    return make_error(errc::storage_corrupt,
                      "database schema version " + std::to_string(current)
                          + " is newer than this build's "
                          + std::to_string(sqlite_event_store::schema_version));
  if (current > 0 && current < target)
    if (auto err = back_up_before_migrating(db, current, target))
      return err;
  for (int32_t v = current; v < target; ++v) {
    SQLite::Transaction tx{db, SQLite::TransactionBehavior::IMMEDIATE};
    db.exec(migrations[v]);
    if (v + 1 == 3)
      backfill_hashes(db);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
  return {};
}

} // namespace cf
