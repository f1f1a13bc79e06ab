// Error codes shared by actors, storage and the HTTP front. They cross actor boundaries inside
// caf::error values; http/problem.cpp is the one place that maps them to HTTP status codes.
#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <cstdint>
#include <string>

namespace cf {

/// What went wrong, chosen by what the caller should do about it. 0 means "no error" to CAF.
enum class errc : uint8_t {
  invalid_argument = 1, ///< Fix the input: validation failed; nothing was written.
  not_found,            ///< The named course or event does not exist.
  conflict,             ///< The state does not allow this now (e.g. version mismatch).
  storage_unavailable,  ///< SQLite failed (busy, I/O, full disk): retrying may help.
  storage_corrupt,      ///< The database holds something this build cannot read.
  generator_transient,  ///< The generator crashed or timed out: retrying may help.
  generator_permanent,  ///< The generator's output or input is invalid: retrying will not help.
  channel_transient,    ///< A distribution channel failed in a way worth retrying (5xx, I/O).
  channel_permanent,    ///< A distribution channel refused for good (4xx, invalid content).
  duplicate,            ///< An idempotency key or webhook event id was used before.
  internal,             ///< A broken invariant: a bug.
  overloaded,           ///< Too much work in flight: try again shortly (HTTP 429).
  storage_full,         ///< The disk is full: nothing was written; retry once space returns (503).
  storage_failed,       ///< A sync to disk failed: what the log holds on disk is unknown, so this
                        ///< process takes no more writes and stops; a restart recovers (503).
};

/// Stable lower-case name of `x`, used in logs and problem bodies.
std::string to_string(errc x);

/// Builds a caf::error of category "cf" carrying `context` as its message.
inline caf::error make_error(errc x, std::string context = {}) {
  return {static_cast<uint8_t>(x), caf::atom("cf"), caf::make_message(std::move(context))};
}

/// True when `err` is a cf error with code `x`.
inline bool is(const caf::error& err, errc x) {
  // An empty caf::error has no data in CAF 0.17: category() would dereference it.
  return err && err.category() == caf::atom("cf") && err.code() == static_cast<uint8_t>(x);
}

/// The context string a cf error carries, or an empty string.
std::string error_context(const caf::error& err);

} // namespace cf
