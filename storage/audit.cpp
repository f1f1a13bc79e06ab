// The audit trail's hash chain, its verification and online backups. SQL here only reads the
// log (and copies whole databases); store_append.cpp writes the chain.
#include "storage/audit.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <unordered_map>

#include "storage/detail/event_rows.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/crypto.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

// The first schema version whose events carry a hash (migration 3).
constexpr int32_t first_hashed_schema = 3;
constexpr int busy_timeout_ms = 2000;

constexpr const char* user_version_sql = "PRAGMA user_version";
// The first schema version whose events have an actor (migration 7). verify reads older files
// too (a backup taken before migrating).
constexpr int32_t first_actor_schema = 7;
std::string walk_sql(int32_t version) {
  return std::string{"SELECT "} + (version >= first_actor_schema ? event_columns : event_columns_v6)
         + ", hash FROM events ORDER BY seq";
}
constexpr const char* counter_sql = "SELECT seq FROM sqlite_sequence WHERE name = 'events'";

caf::error from_exception(const SQLite::Exception& ex) {
  auto code = ex.getErrorCode() & 0xFF;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return make_error(errc::storage_corrupt, ex.what());
  return make_error(errc::storage_unavailable, ex.what());
}

void append_field(std::string& out, const std::string& text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
  out += ',';
}

verify_report broken(verify_report r, int64_t seq, std::string why) {
  r.broken_seq = seq;
  r.reason = std::move(why);
  return r;
}

// Walks the log of an open database inside one read transaction.
caf::expected<verify_report> walk(SQLite::Database& db) {
  auto version = db.execAndGet(user_version_sql).getInt();
  if (version < first_hashed_schema)
    return make_error(errc::storage_corrupt, "schema version " + std::to_string(version)
                                                 + " has no audit trail (hashes start at version "
                                                 + std::to_string(first_hashed_schema)
                                                 + "): start the service on it once to migrate");
  if (version > sqlite_event_store::schema_version)
    return make_error(errc::storage_corrupt,
                      "schema version " + std::to_string(version) + " is newer than this build's "
                          + std::to_string(sqlite_event_store::schema_version));
  verify_report r;
  std::unordered_map<std::string, int64_t> subject_versions;
  SQLite::Statement st{db, walk_sql(version)};
  int hash_column = st.getColumnCount() - 1;
  int64_t expected = 1;
  while (st.executeStep()) {
    auto e = read_event_row(st);
    auto stored = st.getColumn(hash_column).getString();
    if (e.seq > expected)
      return broken(r, expected,
                    "seq " + std::to_string(expected)
                        + " is missing (a deleted or renumbered row); the next row is seq "
                        + std::to_string(e.seq));
    if (e.seq < expected) // only a seq below 1 can get here: ORDER BY seq sorts the rest
      return broken(r, e.seq,
                    "rows out of order: seq " + std::to_string(e.seq) + " where seq "
                        + std::to_string(expected) + " should be");
    auto& last_version = subject_versions[e.subject];
    if (chain_hash(r.head_hash, e) != stored) {
      if (e.subject_version != last_version + 1)
        return broken(r, e.seq,
                      "rows out of order: " + e.subject + " version "
                          + std::to_string(e.subject_version) + " follows version "
                          + std::to_string(last_version) + ", and the hash does not match");
      return broken(r, e.seq, "hash mismatch: the row was changed, or moved here from another seq");
    }
    last_version = e.subject_version;
    r.head_hash = std::move(stored);
    r.events += 1;
    expected += 1;
  }
  // The chain cannot show a cut-off tail; SQLite's AUTOINCREMENT counter remembers the
  // highest seq it ever gave out.
  int64_t counter = 0;
  SQLite::Statement c{db, counter_sql};
  if (c.executeStep())
    counter = c.getColumn(0).getInt64();
  int64_t last = expected - 1;
  if (counter > last)
    return broken(r, last + 1,
                  "seq " + std::to_string(last + 1) + " to " + std::to_string(counter)
                      + " are missing at the end (sqlite_sequence has given out seq "
                      + std::to_string(counter) + ")");
  if (counter < last)
    return broken(r, counter + 1,
                  "sqlite_sequence (" + std::to_string(counter) + ") is behind the last seq "
                      + std::to_string(last));
  return r;
}

void sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Copies `path` into a temporary file next to `target`, runs `check` on it, and renames it into
// place only when the check passes; otherwise removes it. Answers what `check` answered.
caf::expected<verify_report> copy_checked(
    const std::string& path, const std::string& target,
    const std::function<caf::expected<verify_report>(const std::string&)>& check) {
  namespace fs = std::filesystem;
  auto tmp = target + ".tmp-" + std::to_string(::getpid());
  std::error_code ignored;
  auto remove_tmp = [&] {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(tmp + suffix, ignored);
  };
  remove_tmp();
  try {
    {
      SQLite::Database src{path, SQLite::OPEN_READONLY, busy_timeout_ms};
      SQLite::Database dst{tmp, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
      // All pages in one step: one read snapshot of the source, so the copy is consistent
      // while the service keeps committing (WAL readers do not block the writer).
      SQLite::Backup backup{dst, src};
      if (backup.executeStep(-1) != SQLITE_DONE) {
        remove_tmp();
        return make_error(errc::storage_unavailable, "the database was busy; try again");
      }
      // A self-contained file: no -wal beside it. The service switches it to WAL when it opens it.
      dst.exec("PRAGMA journal_mode = DELETE");
    }
    auto report = check(tmp);
    if (!report) {
      remove_tmp();
      return report.error();
    }
    sync_path(tmp);
    fs::rename(tmp, target);
    auto dir = fs::path{target}.parent_path();
    sync_path(dir.empty() ? "." : dir.string());
    return report;
  } catch (const SQLite::Exception& ex) {
    remove_tmp();
    return from_exception(ex);
  } catch (const fs::filesystem_error& ex) {
    remove_tmp();
    return make_error(errc::storage_unavailable, ex.what());
  }
}

} // namespace

std::string canonical_event_text(const event& e) {
  std::string out;
  out.reserve(e.data.size() + e.id.size() + e.source.size() + e.type.size() + e.subject.size()
              + e.correlation_id.size() + e.causation_id.size() + 128);
  append_field(out, std::to_string(e.seq));
  append_field(out, e.id);
  append_field(out, e.source);
  append_field(out, e.type);
  append_field(out, e.subject);
  append_field(out, std::to_string(e.subject_version));
  append_field(out, std::to_string(e.time_us));
  append_field(out, std::to_string(e.schema_version));
  append_field(out, e.correlation_id);
  append_field(out, e.causation_id);
  append_field(out, e.data);
  if (!e.actor.empty()) // since schema 7; empty for every older event, whose text stays the same
    append_field(out, e.actor);
  return out;
}

std::string chain_hash(const std::string& prev_hash, const event& e) {
  return sha256_hex(prev_hash + "\n" + canonical_event_text(e));
}

caf::expected<verify_report> verify_log(const std::string& path) {
  try {
    SQLite::Database db{path, SQLite::OPEN_READONLY, busy_timeout_ms};
    // One snapshot for the walk and the counter, while the service may keep appending.
    SQLite::Transaction tx{db};
    return walk(db);
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<verify_report> backup_database(const std::string& path, const std::string& target) {
  return copy_checked(path, target, [](const std::string& copy) -> caf::expected<verify_report> {
    auto report = verify_log(copy);
    if (report && !report->ok())
      return make_error(errc::storage_corrupt, "the copy does not verify: broken at seq "
                                                   + std::to_string(report->broken_seq) + ": "
                                                   + report->reason);
    return report;
  });
}

caf::error copy_database(const std::string& path, const std::string& target) {
  auto copied =
      copy_checked(path, target, [](const std::string& copy) -> caf::expected<verify_report> {
        SQLite::Database db{copy, SQLite::OPEN_READONLY};
        auto result = db.execAndGet("PRAGMA quick_check").getString();
        if (result != "ok")
          return make_error(errc::storage_corrupt,
                            "the copy fails SQLite's integrity check: " + result);
        return verify_report{};
      });
  return copied ? caf::error{} : copied.error();
}

} // namespace cf
