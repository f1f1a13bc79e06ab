// Structured logs: one JSON object per line on stderr, for the service's runtime diagnostics.
// Not an actor: any thread (actor handlers, HTTP workers, main) calls log_event directly.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cf {

/// How much the service says; each level includes those after it.
enum class log_level { debug, info, warn, error };

/// "debug", "info", "warn" or "error".
const char* to_string(log_level level);

/// The level named `name` (as to_string spells it), or nothing.
std::optional<log_level> parse_log_level(std::string_view name);

/// Sets the lowest level written (info until called). Safe for concurrent use.
void set_log_level(log_level level);

/// True when records of `level` are written. Cheap (one relaxed atomic load): guard any record
/// whose fields cost something to build with it.
bool log_enabled(log_level level);

/// One field of a record: its key and its value.
using log_field = std::pair<std::string_view, nlohmann::json>;

/// The record as one line (newline included): {"ts","level","component","msg", then `fields` in
/// order}. Fields whose value is null or an empty string are left out (e.g. no correlation id),
/// as are fields that would repeat one of the four leading keys. Text that is not valid UTF-8 is
/// written with U+FFFD in its place.
std::string format_log_record(int64_t time_us, log_level level, std::string_view component,
                              std::string_view message, std::initializer_list<log_field> fields);

/// Writes the record (see format_log_record; ts is now) to stderr when `level` is enabled. Each
/// record is one write(2) of a whole line under a lock, so lines from concurrent threads never
/// interleave. Safe for concurrent use; never throws.
void log_event(log_level level, std::string_view component, std::string_view message,
               std::initializer_list<log_field> fields = {});

} // namespace cf
