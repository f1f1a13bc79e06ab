// Internal to storage/: brings a database's schema up to date (PRAGMA user_version).
#pragma once

#include <SQLiteCpp/Database.h>

namespace cf {

/// Runs every migration `db` has not seen, each in an IMMEDIATE transaction, up to
/// sqlite_event_store::schema_version. Throws std::runtime_error naming both versions when the
/// database is newer than this build, and SQLite::Exception when SQLite fails.
void migrate(SQLite::Database& db);

} // namespace cf
