// The store's opening and closing: the connection, its pragmas and migrations, the start-up
// check of the log, the WAL checkpointer; and SQLite's exceptions as cf::errc values. What the
// store does once open is split by concern (storage/detail/store_impl.hpp lists the files).
#include "storage/sqlite_event_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "storage/detail/event_rows.hpp"
#include "storage/detail/event_versions.hpp"
#include "storage/detail/store_impl.hpp"
#include "storage/detail/store_sql.hpp"
#include "storage/migrations.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

// How long a write waits for another writer. The actors wait longer for EventLog's answer
// (course_factory_settings::log_timeout), so an append never commits after its caller gave up
// because of a busy database.
constexpr int busy_timeout_ms = 2000;

} // namespace

caf::error from_exception(const SQLite::Exception& ex) {
  // SQLite knows which call failed by its extended code, available whether or not the
  // connection asked for extended codes (open() does).
  return classify_sqlite_error(ex.getErrorCode(), ex.getExtendedErrorCode(), ex.what());
}

caf::error classify_sqlite_error(int code, int extended, const std::string& what) {
  if (extended == SQLITE_IOERR_FSYNC || extended == SQLITE_IOERR_DIR_FSYNC)
    return make_error(errc::storage_failed, "a sync to disk failed: " + what);
  code &= 0xFF;
  if (code == SQLITE_FULL)
    return make_error(errc::storage_full, what);
  if (code == SQLITE_CONSTRAINT)
    return make_error(errc::conflict, what);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return make_error(errc::storage_corrupt, what);
  return make_error(errc::storage_unavailable, what);
}

sqlite_event_store::impl::impl(SQLite::Database migrated)
    : db(std::move(migrated)),
      insert_event(db, store_sql::insert_event),
      subject_version(db, store_sql::subject_version),
      select_course(
          db, std::string{"SELECT "} + store_sql::course_columns + " FROM courses WHERE id = ?"),
      upsert_course(db, store_sql::upsert_course),
      select_head(db, store_sql::head),
      select_content(db, store_sql::content),
      select_record(db, store_sql::recall),
      upsert_record(db, store_sql::remember),
      set_hash(db, set_hash_sql),
      hash_before(db, store_sql::hash_before),
      save_checkpoint(db, store_sql::save_checkpoint),
      load_checkpoint(db, store_sql::load_checkpoint),
      savepoint(db, store_sql::savepoint),
      rollback_to_savepoint(db, store_sql::rollback_to_savepoint),
      release_savepoint(db, store_sql::release_savepoint),
      data_version(db, store_sql::data_version) {
  SQLite::Statement st{db, store_sql::last_hash};
  if (st.executeStep()) {
    last_seq = st.getColumn(0).getInt64();
    last_hash = st.getColumn(1).getString();
  }
}

sqlite_event_store::sqlite_event_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sqlite_event_store::~sqlite_event_store() {
  // The rows still waiting (none after a failed sync: the next open folds them again instead).
  try {
    impl_->write_unwritten();
  } catch (const SQLite::Exception&) { // left to the next open's catch-up
  }
}

caf::expected<std::unique_ptr<sqlite_event_store>> sqlite_event_store::open(
    const std::string& path, durability d, const std::string& vfs) {
  try {
    // The statements are prepared only once the schema is current.
    std::unique_ptr<SQLite::Database> db;
    if (auto err = open_migrated(path, busy_timeout_ms, db, vfs, true)) // the EventLog's alone
      return err;
    if (auto err = check_event_versions(*db)) // never start on events this build cannot read
      return err;
    // Extended result codes: a failed sync (SQLITE_IOERR_FSYNC) is told apart from other I/O.
    sqlite3_extended_result_codes(db->getHandle(), 1);
    auto p = std::make_unique<impl>(std::move(*db));
    p->db.exec(d == durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    p->check_other_writers();                                                    // the first look
    if (auto err = p->fold_after_checkpoint(p->unwritten, p->unwritten_through)) // a crash's
      return err;
    p->write_unwritten_before_read(); // if the disk refuses, they wait in memory
    if (path != ":memory:") {
      p->checkpointer = std::make_unique<wal_checkpointer>(path, d == durability::full, vfs);
      p->checkpointer->attach(p->db.getHandle());
    }
    return std::unique_ptr<sqlite_event_store>{new sqlite_event_store(std::move(p))};
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  } catch (const std::system_error& ex) { // creating folders, starting the checkpointer's thread
    return make_error(errc::storage_unavailable, ex.what());
  }
}

caf::error sqlite_event_store::write_read_model() {
  if (auto err = impl_->refuse_after_failed_sync())
    return err;
  try {
    impl_->write_unwritten();
    return {};
  } catch (const SQLite::Exception& ex) {
    return impl_->note_failure(ex);
  }
}

size_t sqlite_event_store::unwritten_courses() const { return impl_->unwritten.size(); }

int64_t sqlite_event_store::background_checkpoints() const {
  return impl_->checkpointer ? impl_->checkpointer->completed() : 0;
}

} // namespace cf
