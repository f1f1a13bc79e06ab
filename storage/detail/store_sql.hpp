// Internal to storage/: the SQL of the statements sqlite_event_store prepares once, in one table
// (statement members of sqlite_event_store::impl, storage/detail/store_impl.hpp). Statements run
// once per call (listings, counts, rebuild's scan) are at the top of the file that runs them.
#pragma once

namespace cf::store_sql {

// The write path (store_append.cpp).
inline constexpr const char* insert_event =
    "INSERT INTO events(id, source, type, subject, subject_version, time_us, schema_version, "
    "correlation_id, causation_id, data, hash, actor) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* hash_before =
    "SELECT hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1";
// Read once, at opening: the head of the chain.
inline constexpr const char* last_hash = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";
inline constexpr const char* subject_version =
    "SELECT COALESCE(MAX(subject_version), 0) FROM events WHERE subject = ?";
// Prepared once: sqlite3_exec would parse them for every append of a batch.
inline constexpr const char* savepoint = "SAVEPOINT one_append";
inline constexpr const char* rollback_to_savepoint = "ROLLBACK TO one_append";
inline constexpr const char* release_savepoint = "RELEASE one_append";
// Moves when another connection commits (the course cache is then stale).
inline constexpr const char* data_version = "PRAGMA data_version";

// The course read model (store_read_model.cpp, store_queries.cpp). The columns in the order
// read_course_row expects; impl selects a row by id with them.
inline constexpr const char* course_columns =
    "id, status, title, user_id, language, dry_run, amount_cents, currency, version, last_seq, "
    "created_us, updated_us, attempt, last_error, content_seq, payment_id, payment_expires_us, "
    "distribution_attempt, url";
// An update in place: INSERT OR REPLACE would delete the row and insert it anew, rewriting
// every index entry of the course on every event.
inline constexpr const char* upsert_course =
    "INSERT INTO courses(id, status, title, user_id, language, dry_run, amount_cents, "
    "currency, version, last_seq, created_us, updated_us, attempt, last_error, content_seq, "
    "payment_id, payment_expires_us, distribution_attempt, url) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
    "status = excluded.status, title = excluded.title, user_id = excluded.user_id, "
    "language = excluded.language, dry_run = excluded.dry_run, "
    "amount_cents = excluded.amount_cents, currency = excluded.currency, "
    "version = excluded.version, last_seq = excluded.last_seq, created_us = excluded.created_us, "
    "updated_us = excluded.updated_us, attempt = excluded.attempt, "
    "last_error = excluded.last_error, content_seq = excluded.content_seq, "
    "payment_id = excluded.payment_id, payment_expires_us = excluded.payment_expires_us, "
    "distribution_attempt = excluded.distribution_attempt, url = excluded.url";
/// The rows of course_query::payable: the partial index of migration 6, by name (the planner
/// would rather walk the primary key in id order), with the index's own terms.
inline constexpr const char* payable_courses =
    "courses INDEXED BY courses_to_pay "
    "WHERE status = 'generated' AND dry_run = 0 AND amount_cents > 0";

// Bookkeeping (store_bookkeeping.cpp).
inline constexpr const char* recall =
    "SELECT fingerprint, response, created_us FROM idempotency WHERE scope = ? AND key = ?";
inline constexpr const char* remember =
    "INSERT OR REPLACE INTO idempotency(scope, key, fingerprint, response, created_us) "
    "VALUES(?,?,?,?,?)";
inline constexpr const char* purge_records =
    "DELETE FROM idempotency WHERE scope = ? AND created_us < ?";
inline constexpr const char* save_checkpoint =
    "INSERT INTO checkpoints(consumer, seq) VALUES(?, ?) "
    "ON CONFLICT(consumer) DO UPDATE SET seq = MAX(seq, excluded.seq)";
inline constexpr const char* load_checkpoint = "SELECT seq FROM checkpoints WHERE consumer = ?";

// Queries (store_queries.cpp).
inline constexpr const char* head = "SELECT COALESCE(MAX(seq), 0) FROM events";
inline constexpr const char* content =
    "SELECT json_extract(data, '$.content') FROM events WHERE seq = ?";

} // namespace cf::store_sql
