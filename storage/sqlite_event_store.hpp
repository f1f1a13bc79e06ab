// The event log and the course read model in one SQLite file (WAL). Every SQL string coursefactory
// owns lives in storage/ (the store's implementation is split by concern; storage/detail/
// store_impl.hpp lists its files); this header speaks domain types only.
//
// Not thread-safe: one owner (the EventLog actor) calls it from one thread at a time.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/course_state.hpp"
#include "domain/event.hpp"

namespace cf {

/// How hard a commit tries to survive a power cut.
enum class durability : uint8_t {
  full,   ///< fsync at every commit (PRAGMA synchronous=FULL): nothing committed is ever lost.
  normal, ///< fsync at WAL checkpoints only: a power cut may lose the commits since the WAL's
          ///< last sync (whole commits, the latest ones), never corrupt or reorder the log.
};

/// What sqlite_event_store::rebuild() did.
struct rebuild_report {
  int64_t events = 0;                   ///< Events folded, the whole log.
  int64_t courses = 0;                  ///< Courses written to the read model.
  std::chrono::microseconds elapsed{0}; ///< From the start of the transaction to its commit.
};

/// One append of a batch (see sqlite_event_store::append_batch).
struct append_request {
  std::vector<event> events;
  std::optional<idempotency_record> remember; ///< Stored with the events (see append).
  std::optional<checkpoint> advance;          ///< Moved with the events (see append).
  caf::error result;                          ///< What came of this append.
};

/// A failed SQLite call as an errc, by its result `code` and `extended` result code, with `what`
/// as context: storage_failed (a sync to disk failed: SQLITE_IOERR_FSYNC, SQLITE_IOERR_DIR_FSYNC),
/// storage_full (SQLITE_FULL), conflict (a constraint), storage_corrupt (not a database, or a
/// damaged one), storage_unavailable (anything else: busy, locked, other I/O).
caf::error classify_sqlite_error(int code, int extended, const std::string& what);

class sqlite_event_store {
public:
  /// The schema version this build creates and reads (PRAGMA user_version).
  static constexpr int32_t schema_version = 7;

  /// Opens or creates the database at `path` (":memory:" works too), creating parent folders,
  /// and migrates it to `schema_version`. Before migrating a file database of an older schema it
  /// writes a backup next to it (see migrate() in storage/migrations.hpp). Errors:
  /// storage_unavailable (cannot open or write, or cannot back up before migrating),
  /// storage_corrupt (newer schema than this build knows, naming both versions).
  /// `vfs` names a registered SQLite VFS for every connection of the store (empty: SQLite's
  /// default; the power-cut test passes its own, tests/testkit/power_cut_vfs.hpp).
  [[nodiscard]] static caf::expected<std::unique_ptr<sqlite_event_store>> open(
      const std::string& path, durability d = durability::full, const std::string& vfs = {});

  ~sqlite_event_store();
  sqlite_event_store(const sqlite_event_store&) = delete;
  sqlite_event_store& operator=(const sqlite_event_store&) = delete;

  /// Appends `events` in one transaction and folds them into the course read model. The model's
  /// rows are written behind (write-behind): with its checkpoint (consumer "courses"), in the
  /// commit of a later batch once 256 rows or 250 ms of them wait, or by write_read_model(), a
  /// read of the courses table, or the close. A crash loses only unwritten rows, which the next
  /// open folds again from the events after the checkpoint. course() and summary() see them.
  /// Each stored row also gets its audit-trail hash, chained to the event before
  /// (storage/audit.hpp). Fills in each event's `seq` and `subject_version`; `id` and `time_us`
  /// must be set. An event whose subject_version is set must be its subject's next version
  /// (optimistic concurrency). With `remember`, the record is stored in the same transaction. On
  /// error nothing is written and `events` keep seq 0. Errors: invalid_argument (an event without
  /// id, type or subject), conflict (duplicate event id, or another subject version than expected),
  /// duplicate (a live record with the same scope and key exists), storage_unavailable,
  /// storage_full, storage_failed (a sync failed: the caller must stop writing, see
  /// actors/event_log.hpp).
  /// With `advance`, that consumer's checkpoint moves to advance->seq in the same transaction
  /// (never backwards).
  [[nodiscard]] caf::error append(std::vector<event>& events,
                                  const idempotency_record* remember = nullptr,
                                  const checkpoint* advance = nullptr);

  /// Group commit: the requests of `batch` in ONE transaction, each as append() would do it but
  /// in a savepoint of its own, so one that fails (result set: invalid_argument, conflict,
  /// duplicate) leaves the others. Successful requests get seq and subject versions filled in
  /// once the transaction committed. Returns an error (also set as every request's result, and
  /// nothing is written) when the transaction itself failed: storage_unavailable.
  [[nodiscard]] caf::error append_batch(std::vector<append_request>& batch);

  /// Moves `cp.consumer`'s checkpoint to `cp.seq`, or keeps it where it is when it is further
  /// on already. Answers the stored seq. Errors: invalid_argument (no consumer name),
  /// storage_unavailable.
  [[nodiscard]] caf::expected<int64_t> save_checkpoint(const checkpoint& cp);

  /// The stored checkpoint of `consumer` (0 when it has none: it starts from the beginning).
  /// Errors: storage_unavailable.
  [[nodiscard]] caf::expected<int64_t> load_checkpoint(const std::string& consumer);

  /// Every stored checkpoint, by consumer name (the course projection's is "courses").
  [[nodiscard]] caf::expected<std::vector<checkpoint>> checkpoints();

  /// The live record for (scope, key): `found` is false when there is none or it was created
  /// before `not_before_us`. Errors: storage_unavailable.
  [[nodiscard]] caf::expected<idempotency_record> recall(const std::string& scope,
                                                         const std::string& key,
                                                         int64_t not_before_us);

  /// Events matching `q`, in sequence order. Errors: invalid_argument, storage_unavailable.
  [[nodiscard]] caf::expected<event_page> query(const event_query& q);

  /// One course with its content. Errors: not_found, storage_unavailable.
  [[nodiscard]] caf::expected<course_view> course(const std::string& id);

  /// One course's read-model row, without reading its content. Errors: not_found,
  /// storage_unavailable.
  [[nodiscard]] caf::expected<course_summary> summary(const std::string& id);

  /// A page of courses in id order. Errors: invalid_argument, storage_unavailable.
  [[nodiscard]] caf::expected<course_page> courses(const course_query& q);

  /// Rebuilds the course read model from the log: in one IMMEDIATE transaction, empties it and
  /// folds every event again, in sequence order, with the fold append() uses (apply_event), reading
  /// the events as query() does, and sets its checkpoint ("courses") to the last event folded.
  /// Other connections' appends wait for the commit (their busy timeout; a rebuild longer than that
  /// makes them fail with storage_unavailable, nothing lost). Holds one course_summary per course
  /// in memory while it runs. Errors: storage_unavailable, storage_corrupt (an event whose data the
  /// fold cannot read; its seq is named). On error the read model is left as it was.
  [[nodiscard]] caf::expected<rebuild_report> rebuild();

  /// The highest committed sequence number (0 for an empty log).
  [[nodiscard]] caf::expected<int64_t> head();

  /// Number of stored events matching `q`'s type and subject with seq > q.after_seq (its limit
  /// is ignored). Errors: invalid_argument, storage_unavailable.
  [[nodiscard]] caf::expected<int64_t> count_events(const event_query& q);

  /// How many courses are in each status (statuses without courses left out).
  [[nodiscard]] caf::expected<std::vector<std::pair<std::string, int64_t>>> course_counts();

  /// Number of stored events (for tests and health checks).
  [[nodiscard]] caf::expected<int64_t> count();

  /// Writes the read model's waiting rows and its checkpoint in a transaction of their own
  /// (none waiting: nothing). Errors: storage_unavailable, storage_full, storage_failed.
  [[nodiscard]] caf::error write_read_model();

  /// Courses whose read-model row waits to be written (see append()).
  [[nodiscard]] size_t unwritten_courses() const;

  /// WAL checkpoints completed off the writer's thread so far
  /// (storage/detail/wal_checkpointer.hpp).
  [[nodiscard]] int64_t background_checkpoints() const;

private:
  struct impl;
  explicit sqlite_event_store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace cf
