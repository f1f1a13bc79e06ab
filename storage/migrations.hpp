// Internal to storage/: brings a database's schema up to date (PRAGMA user_version), backing an
// existing database up first.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <stdexcept>

namespace cf {

/// Thrown by migrate() when the backup before a migration cannot be written; nothing was migrated.
struct backup_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs every migration `db` has not seen, each in an IMMEDIATE transaction, up to
/// sqlite_event_store::schema_version. Before the first of them, when `db` is a file that already
/// has a schema (user_version > 0), writes a consistent copy of it next to the file, named
/// "<file>.v<old version>.<UTC time, YYYYMMDDTHHMMSSZ>.bak", and prints one line to stderr naming
/// it; a new or in-memory database, or one already current, gets none. Throws backup_failed when
/// that copy fails, std::runtime_error naming both versions when the database is newer than this
/// build, and SQLite::Exception when SQLite fails.
void migrate(SQLite::Database& db);

/// The same, stopping at schema version `target` (for tests that need an old database).
/// REQUIRES: 0 <= target <= sqlite_event_store::schema_version.
void migrate(SQLite::Database& db, int32_t target);

} // namespace cf
