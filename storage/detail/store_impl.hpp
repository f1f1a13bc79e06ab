// Internal to storage/: the state behind sqlite_event_store (its connection, the statements it
// prepares once, the head of the hash chain, the cache of course rows) and what its files share.
// The store is split by concern, each file defining its part of impl:
//   sqlite_event_store.cpp  opening and closing; SQLite exceptions as errc values
//   store_append.cpp        the write path: group commit, version checks, the hash chain
//   store_read_model.cpp    the course rows, their cache, rebuild
//   store_bookkeeping.cpp   consumer checkpoints and idempotency records
//   store_queries.cpp       event pages, courses, counts
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <caf/error.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/detail/fold_reader.hpp"
#include "storage/detail/wal_checkpointer.hpp"
#include "storage/sqlite_event_store.hpp"

namespace cf {

/// The course read model's checkpoint: a projection like any other consumer, whose checkpoint
/// commits with the rows it wrote (write-behind: see sqlite_event_store::impl::unwritten).
inline constexpr const char* courses_projection = "courses";

/// Resets a cached statement when it goes out of scope. A statement left mid-step keeps its read
/// transaction open: the WAL could then never be checkpointed and would grow without end.
struct reset_on_exit {
  SQLite::Statement& st;
  ~reset_on_exit() { st.tryReset(); }
};

/// `ex` as an errc (see classify_sqlite_error in sqlite_event_store.hpp).
caf::error from_exception(const SQLite::Exception& ex);

/// The course at `st`'s current row. REQUIRES: `st` selected store_sql::course_columns first.
course_summary read_course_row(SQLite::Statement& st);

struct sqlite_event_store::impl {
  /// (seq, subject version) of each event of one request, applied once its transaction committed.
  using assignment = std::vector<std::pair<int64_t, int64_t>>;
  /// The rows a batch has written so far, by course: committed only with the batch.
  using batch_rows = std::unordered_map<std::string, course_summary>;

  SQLite::Database db;
  SQLite::Statement insert_event;
  SQLite::Statement subject_version;
  SQLite::Statement select_course;
  SQLite::Statement upsert_course;
  SQLite::Statement select_head;
  SQLite::Statement select_content;
  SQLite::Statement select_record;
  SQLite::Statement upsert_record;
  SQLite::Statement set_hash;
  SQLite::Statement hash_before;
  SQLite::Statement save_checkpoint;
  SQLite::Statement load_checkpoint;
  SQLite::Statement savepoint;
  SQLite::Statement rollback_to_savepoint;
  SQLite::Statement release_savepoint;
  SQLite::Statement data_version;
  // The last committed event's seq and hash: the next append chains from them without reading.
  int64_t last_seq = 0;
  std::string last_hash;
  // Read-model rows of recently written courses as committed, so that an append neither reads
  // its course row nor its subject's last version (the row holds it: the fold sets version).
  // Only committed rows: a batch stages its rows (batch_rows) and they move here after its
  // commit. Emptied when another connection commits (PRAGMA data_version moved), after a failed
  // batch (needless, but cheap) and when it grows beyond course_cache_limit.
  std::unordered_map<std::string, course_summary> course_cache;
  int64_t seen_data_version = 0;
  bool looked = false; // seen_data_version holds a first look
  static constexpr size_t course_cache_limit = 16384;
  // Write-behind of the read model: rows folded from committed events but not written yet, by
  // course. They are written together, with the projection's checkpoint (the last seq folded),
  // inside the commit of the batch that brings them to unwritten_limit rows or finds the oldest
  // older than unwritten_max_age, and on their own before any read of the courses table, on
  // write_read_model() and on close. A course row is then written once per many events and its
  // B-tree pages once per many batches, not once per batch. A crash loses only these rows: open
  // folds the events after the checkpoint again (fold_after_checkpoint). A lookup of one course
  // reads them first.
  batch_rows unwritten;
  int64_t unwritten_through = 0; // the last seq folded into them
  std::chrono::steady_clock::time_point unwritten_since;
  static constexpr size_t unwritten_limit = 256;
  static constexpr std::chrono::milliseconds unwritten_max_age{250};
  // Set when a sync failed: nothing more is written; the next open folds the rows again.
  bool sync_failed = false;
  // The fold's reader of event data, for append and rebuild alike.
  fold_reader reader;
  // Last: stopped before the writer connection closes (and checkpoints one last time).
  std::unique_ptr<wal_checkpointer> checkpointer;

  /// Prepares the statements on `migrated`, whose schema is current, and reads the head of the
  /// chain (sqlite_event_store.cpp).
  explicit impl(SQLite::Database migrated);

  // The write path (store_append.cpp). Each throws SQLite::Exception when SQLite fails.

  /// Runs every request of `batch` in one transaction; `safe`: each in a savepoint of its own.
  /// Throws write_failed (store_append.cpp) when a write of the fast path failed: rolled back.
  void run_batch(std::vector<append_request>& batch, std::vector<assignment>& assigned, bool safe);
  /// One request of the fast path: every check before the first write, no savepoint needed.
  caf::error append_checked(const append_request& r, int64_t& seq, std::string& hash,
                            assignment& assigned, batch_rows& staged);
  /// One request on the database's own checks (in a savepoint, or alone in its transaction).
  caf::error append_one(const append_request& r, int64_t& seq, std::string& hash,
                        assignment& assigned, batch_rows& staged);
  /// errc::duplicate when the request's idempotency key is live in the log already.
  caf::error key_used_before(const append_request& r);
  int64_t next_subject_version(const std::string& subject);
  /// Inserts `e` chained to (prev_seq, prev_hash); returns its seq and hash.
  /// Sets e.seq.
  std::pair<int64_t, std::string> insert(event& e, int64_t prev_seq, const std::string& prev_hash);
  std::string hash_of_row_before(int64_t seq);
  int64_t insert_row(const event& e, const std::string& hash);
  /// Resets every statement of the write path (after a failed batch).
  void reset_write_statements();
  /// Executes a statement without results (a savepoint's).
  static void run(SQLite::Statement& st);

  // The read model (store_read_model.cpp). Each throws SQLite::Exception when SQLite fails.

  /// When another connection committed since this one last looked: empties the course cache and
  /// folds the unwritten rows again from the log (fold_after_checkpoint). Throws SQLite::Exception
  /// (SQLITE_CORRUPT when that fold fails).
  void check_other_writers();
  /// The read-model row of `id` as this batch left it so far (empty id: no such course).
  course_summary cached_course(const std::string& id, const batch_rows& staged);
  void cache_course(course_summary c);
  /// Loads the read-model row of `id` into `c`; leaves `c` untouched when there is none.
  void load_course(const std::string& id, course_summary& c);
  /// As load_course, but an unwritten row first: the course as the log has it.
  void current_course(const std::string& id, course_summary& c);
  void store_course(const course_summary& c);
  /// Inside the caller's transaction: every row of `rows` and of `newer` (which wins), in id
  /// order, and the projection's checkpoint at `seq`.
  void write_rows(const batch_rows& rows, const batch_rows& newer, int64_t seq);
  /// Folds every event after `at` into the row `row_of` gives for its subject, in seq order;
  /// `at` becomes the last seq folded, `folded` grows by their number. Errors: storage_corrupt
  /// (an event the fold cannot read; its seq is named), upcast's; SQLite's throw.
  caf::error fold_log(int64_t& at, int64_t& folded,
                      const std::function<course_summary&(const std::string& subject)>& row_of);
  /// The unwritten rows in a transaction of their own (none: nothing happens).
  void write_unwritten();
  /// Before a read of the courses table: write_unwritten, but a failed write leaves the rows
  /// waiting and the read goes on (on a table behind by them).
  void write_unwritten_before_read();
  /// Folds the events after the projection's stored checkpoint into `into` (rows it lacks are
  /// read from the table first); `through` becomes the last seq folded, if any (at open, and when
  /// another connection committed). Errors: as rebuild's (an event the fold cannot read);
  /// SQLite's throw.
  caf::error fold_after_checkpoint(batch_rows& into, int64_t& through);
  /// `ex` as an errc; a failed sync also closes this store for writes (sync_failed).
  caf::error note_failure(const SQLite::Exception& ex);
  /// storage_failed once a sync failed (this connection's or the checkpointer's), else none.
  caf::error refuse_after_failed_sync() const;

  // Bookkeeping (store_bookkeeping.cpp). Each throws SQLite::Exception when SQLite fails.

  idempotency_record recall(const std::string& scope, const std::string& key,
                            int64_t not_before_us);
  /// Expired records with the same key are replaced: their retention is over. With
  /// `r.not_before_us`, the scope's records older than that are deleted too (at most once a
  /// minute per scope: the delete walks the scope's records).
  void remember(const idempotency_record& r);
  std::unordered_map<std::string, int64_t> last_purge_us; ///< By scope.
  void store_checkpoint(const std::string& consumer, int64_t seq);
  int64_t stored_checkpoint(const std::string& consumer);
};

} // namespace cf
