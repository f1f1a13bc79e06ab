// Internal to storage/: brings a database's schema up to date (PRAGMA user_version), backing an
// existing database up first.
#pragma once

#include <SQLiteCpp/Database.h>

#include <caf/error.hpp>
#include <cstdint>
#include <memory>
#include <string>

namespace cf {

/// Runs every migration `db` has not seen, each in an IMMEDIATE transaction, up to
/// sqlite_event_store::schema_version. Before the first of them, when `db` is a file that already
/// has a schema (user_version > 0), writes a consistent copy of it next to the file, named
/// "<file>.v<old version>.<UTC time, YYYYMMDDTHHMMSSZ>.bak", and prints one line to stderr naming
/// it; a new or in-memory database, or one already current, gets none. Errors (nothing was
/// migrated): storage_unavailable (that copy failed), storage_corrupt (the database is newer than
/// this build; both versions named). Throws SQLite::Exception when SQLite fails.
[[nodiscard]] caf::error migrate(SQLite::Database& db);

/// Opens the database at `path` (creating it and its folder; ":memory:" too) in WAL mode with a
/// busy timeout of `busy_timeout_ms`, through the SQLite VFS named `vfs` (empty: the default),
/// and migrates it (above) into `out`. Errors: those of migrate(). Throws SQLite::Exception, or
/// std::system_error when the folder cannot be made.
/// `one_thread`: only one thread at a time ever uses the connection, so SQLite takes no mutex per
/// call (SQLITE_OPEN_NOMUTEX: its bindings and steps lock one each otherwise).
[[nodiscard]] caf::error open_migrated(const std::string& path, int busy_timeout_ms,
                                       std::unique_ptr<SQLite::Database>& out,
                                       const std::string& vfs = {}, bool one_thread = false);

/// The same, stopping at schema version `target` (for tests that need an old database).
/// Errors: also invalid_argument (`target` is not 0 to sqlite_event_store::schema_version).
[[nodiscard]] caf::error migrate(SQLite::Database& db, int32_t target);

} // namespace cf
