// Internal to storage/: the start-up check that this build can read every event in the log.
#pragma once

#include <SQLiteCpp/Database.h>

#include <caf/error.hpp>

namespace cf {

/// Empty when every event type in `db`'s log is in the catalogue and every schema version stored
/// for it can be upcast to the current one (domain/upcast.hpp). Otherwise errc::storage_corrupt
/// naming the type, the version and the first seq holding it. Costs a few index seeks per
/// distinct type (index events_by_schema, migration 5), never a scan of the log.
/// REQUIRES: `db` is migrated. Throws SQLite::Exception when SQLite fails.
[[nodiscard]] caf::error check_event_versions(SQLite::Database& db);

} // namespace cf
