// The tamper-evident audit trail: the hash chain over the event log, its verification, and
// consistent online backups. sqlite_event_store writes the chain; this file checks and copies it.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <cstdint>
#include <string>

#include "domain/event.hpp"

namespace cf {

/// The canonical text of a stored event: every column except `hash`, in the order seq, id, source,
/// type, subject, subject_version, time_us, schema_version, correlation_id, causation_id, data,
/// then actor only when it is not empty (so events stored before schema 7 keep their text),
/// each written as a netstring "<byte length>:<text>," (integers as decimal text). Byte-exact and
/// unambiguous, whatever bytes the strings hold.
std::string canonical_event_text(const event& e);

/// The chain hash of `e`: lower-case hex SHA-256 of `prev_hash + "\n" + canonical_event_text(e)`,
/// where `prev_hash` is the hash of the event before (empty before the first).
std::string chain_hash(const std::string& prev_hash, const event& e);

/// What verify_log found.
struct verify_report {
  int64_t events = 0;     ///< Rows checked (all of them when the log is whole).
  std::string head_hash;  ///< Hash of the last row checked ("" for an empty log).
  int64_t broken_seq = 0; ///< The first broken sequence number; 0 when the log is whole.
  std::string reason;     ///< Why it is broken (empty when whole).

  bool ok() const { return broken_seq == 0; }
};

/// Opens the database at `path` read-only and checks, in one read snapshot, that the log is
/// whole: seq runs 1, 2, 3... without gaps, every row's hash chains from the one before, and
/// SQLite's AUTOINCREMENT counter (sqlite_sequence) is not ahead of the last row.
///
/// Limits: a forward chain alone cannot show that rows were cut off the end; sqlite_sequence
/// covers that, unless whoever deleted the tail also lowered sqlite_sequence. Rows that were
/// rewritten together with every later hash (by someone who knows the scheme) verify as well:
/// keep the head hash reported here somewhere else (a backup, a ticket) to compare with later.
/// A broken chain is a report, not an error. Errors: storage_unavailable (cannot open or read),
/// storage_corrupt (not a coursefactory database, or a schema without hashes or newer than this
/// build's).
[[nodiscard]] caf::expected<verify_report> verify_log(const std::string& path);

/// Writes a consistent copy of the database at `path` to `target` while other connections may
/// be writing (SQLite's online backup API, one read snapshot), into a temporary file next to
/// `target` that is verified, synced and then renamed into place. `target` is left untouched
/// when anything fails. Returns the copy's verify report. Errors: storage_unavailable (cannot
/// read or write), storage_corrupt (the copy does not verify; the report's reason is in the
/// message).
[[nodiscard]] caf::expected<verify_report> backup_database(const std::string& path,
                                                           const std::string& target);

/// Writes a consistent copy of the database at `path` to `target` as backup_database does, but
/// checks the copy with SQLite's integrity check (PRAGMA quick_check) instead of the audit trail:
/// it copies any schema version, also those before the hash chain, and a chain as it is (the
/// backup before a migration). Errors: storage_unavailable (cannot read or write),
/// storage_corrupt (the copy fails the integrity check).
[[nodiscard]] caf::error copy_database(const std::string& path, const std::string& target);

} // namespace cf
