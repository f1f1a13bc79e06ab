// UUIDv7 (RFC 9562): time-ordered ids for events and courses, so that SQLite's unique indexes
// grow at their right edge instead of dirtying random pages.
#pragma once

#include <cstdint>
#include <string>

namespace cf {

/// A new UUIDv7 in canonical lower-case form. Ids are strictly increasing process-wide,
/// even within one millisecond (a 12-bit counter fills rand_a; on overflow the timestamp is
/// advanced by one ms). Thread-safe.
std::string make_uuid_v7();

/// A UUIDv7 for a given Unix time in milliseconds, with a random rand_a (no ordering promise
/// within one millisecond; for tests and imports).
std::string make_uuid_v7(int64_t unix_ms);

/// True for a canonical lower-case UUID of version 7.
bool is_uuid_v7(const std::string& s);

} // namespace cf
