// Internal to storage/: the event table's columns, in the order every reader selects them, and
// how such a row becomes an event. Shared by the store and the audit trail's verifier.
#pragma once

#include <SQLiteCpp/Statement.h>

#include "domain/event.hpp"

namespace cf {

/// The stored columns of an event but its hash, in the order read_event_row expects.
inline constexpr const char* event_columns =
    "seq, id, source, type, subject, subject_version, time_us, schema_version, correlation_id, "
    "causation_id, data, actor";

/// The same without `actor` (added by migration 7), for code that runs on older schemas.
inline constexpr const char* event_columns_v6 =
    "seq, id, source, type, subject, subject_version, time_us, schema_version, correlation_id, "
    "causation_id, data";

/// Sets the chain hash (1) of the event with seq (2).
inline constexpr const char* set_hash_sql = "UPDATE events SET hash = ? WHERE seq = ?";

/// The event at `st`'s current row. REQUIRES: `st` selected event_columns (or event_columns_v6)
/// first, in order; with event_columns_v6 the actor stays empty.
event read_event_row(SQLite::Statement& st);

} // namespace cf
