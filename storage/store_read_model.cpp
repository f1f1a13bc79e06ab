// The store's course read model: the rows the fold writes, the cache of recently written ones
// that spares an append its reads, and the rebuild of every row from the log.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "domain/upcast.hpp"
#include "storage/detail/event_rows.hpp"
#include "storage/detail/store_impl.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

constexpr const char* clear_courses_sql = "DELETE FROM courses";
// Rebuild reads the log in pages of this many events, through one prepared statement.
const std::string events_page_sql =
    std::string{"SELECT "} + event_columns + " FROM events WHERE seq > ? ORDER BY seq LIMIT ?";
constexpr int64_t rebuild_page_size = 4096;

} // namespace

course_summary read_course_row(SQLite::Statement& st) {
  course_summary c;
  c.id = st.getColumn(0).getString();
  c.status = st.getColumn(1).getString();
  c.title = st.getColumn(2).getString();
  c.user_id = st.getColumn(3).getString();
  c.language = st.getColumn(4).getString();
  c.dry_run = st.getColumn(5).getInt() != 0;
  c.amount_cents = st.getColumn(6).getInt64();
  c.currency = st.getColumn(7).getString();
  c.version = st.getColumn(8).getInt64();
  c.last_seq = st.getColumn(9).getInt64();
  c.created_us = st.getColumn(10).getInt64();
  c.updated_us = st.getColumn(11).getInt64();
  c.attempt = st.getColumn(12).getInt();
  c.last_error = st.getColumn(13).getString();
  c.content_seq = st.getColumn(14).getInt64();
  c.payment_id = st.getColumn(15).getString();
  c.payment_expires_us = st.getColumn(16).getInt64();
  c.distribution_attempt = st.getColumn(17).getInt();
  c.url = st.getColumn(18).getString();
  return c;
}

void sqlite_event_store::impl::check_other_writers() {
  data_version.tryReset();
  reset_on_exit guard{data_version};
  data_version.executeStep();
  auto v = data_version.getColumn(0).getInt64();
  data_version.tryReset();
  if (looked && v == seen_data_version)
    return;
  course_cache.clear();
  if (!looked) {
    looked = true;
    seen_data_version = v;
    return;
  }
  // Another connection committed: the rows waiting here may miss its events, and the rows it
  // wrote may miss those of ours it never saw. The log decides: fold again from the checkpoint,
  // aside; the waiting rows change only when that fold succeeded. A failed one throws and leaves
  // data_version unseen, so the next look (each write looks first) folds again or throws again:
  // no write on rows folded halfway.
  batch_rows folded;
  int64_t through = unwritten_through;
  if (auto err = fold_after_checkpoint(folded, through))
    throw SQLite::Exception(error_context(err), SQLITE_CORRUPT);
  unwritten.swap(folded);
  unwritten_through = through;
  unwritten_since = std::chrono::steady_clock::now();
  seen_data_version = v;
}

course_summary sqlite_event_store::impl::cached_course(const std::string& id,
                                                       const batch_rows& staged) {
  if (auto i = staged.find(id); i != staged.end())
    return i->second;
  if (auto i = unwritten.find(id); i != unwritten.end())
    return i->second;
  if (auto i = course_cache.find(id); i != course_cache.end())
    return i->second;
  course_summary c;
  load_course(id, c);
  return c;
}

void sqlite_event_store::impl::cache_course(course_summary c) {
  if (course_cache.size() >= course_cache_limit && course_cache.count(c.id) == 0)
    course_cache.clear();
  auto id = c.id;
  course_cache[std::move(id)] = std::move(c);
}

void sqlite_event_store::impl::load_course(const std::string& id, course_summary& c) {
  select_course.tryReset();
  reset_on_exit guard{select_course};
  select_course.bind(1, id);
  if (select_course.executeStep())
    c = read_course_row(select_course);
}

void sqlite_event_store::impl::current_course(const std::string& id, course_summary& c) {
  check_other_writers();
  if (auto i = unwritten.find(id); i != unwritten.end()) {
    c = i->second;
    return;
  }
  load_course(id, c);
}

void sqlite_event_store::impl::write_rows(const batch_rows& rows, const batch_rows& newer,
                                          int64_t seq) {
  // In key order: course ids are UUIDv7, so new rows append to the table's B-tree.
  std::vector<const course_summary*> sorted;
  sorted.reserve(rows.size() + newer.size());
  for (const auto& entry : rows)
    if (newer.count(entry.first) == 0)
      sorted.push_back(&entry.second);
  for (const auto& entry : newer) sorted.push_back(&entry.second);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->id < b->id; });
  for (const auto* c : sorted) store_course(*c);
  store_checkpoint(courses_projection, seq);
}

caf::error sqlite_event_store::impl::note_failure(const SQLite::Exception& ex) {
  auto err = from_exception(ex);
  if (is(err, errc::storage_failed))
    sync_failed = true;
  return err;
}

caf::error sqlite_event_store::impl::refuse_after_failed_sync() const {
  if (sync_failed)
    return make_error(errc::storage_failed, "a sync to disk failed: no more writes");
  if (checkpointer && checkpointer->sync_failed())
    return make_error(errc::storage_failed, "a WAL checkpoint failed to sync the database");
  return {};
}

void sqlite_event_store::impl::write_unwritten() {
  // After a failed sync nothing more is written: the rows wait for the next open's catch-up.
  if (refuse_after_failed_sync())
    return;
  check_other_writers();
  if (unwritten.empty())
    return;
  try {
    SQLite::Transaction tx{db, SQLite::TransactionBehavior::IMMEDIATE};
    check_other_writers(); // none can commit from here on
    write_rows(unwritten, {}, unwritten_through);
    tx.commit();
  } catch (const SQLite::Exception& ex) {
    note_failure(ex);
    throw;
  }
  for (auto& entry : unwritten) cache_course(std::move(entry.second));
  unwritten.clear();
}

void sqlite_event_store::impl::write_unwritten_before_read() {
  try {
    write_unwritten();
  } catch (const SQLite::Exception&) {
    // A full disk, say: the read goes on, on a table behind by the rows still waiting (they are
    // written by a later commit once writes succeed again). A read must not fail for a write.
  }
}

caf::error sqlite_event_store::impl::fold_after_checkpoint(batch_rows& into, int64_t& through) {
  load_checkpoint.tryReset();
  load_checkpoint.bind(1, courses_projection);
  bool has_checkpoint = load_checkpoint.executeStep();
  int64_t at = has_checkpoint ? load_checkpoint.getColumn(0).getInt64() : 0;
  load_checkpoint.tryReset();
  // No checkpoint: a model no projection wrote (or one taken apart by hand): `rebuild` rewrites it.
  if (!has_checkpoint)
    return {};
  int64_t folded = 0;
  if (auto err = fold_log(at, folded, [&](const std::string& subject) -> course_summary& {
        auto row = into.find(subject);
        if (row == into.end()) {
          course_summary c;
          load_course(subject, c);
          row = into.emplace(subject, std::move(c)).first;
        }
        return row->second;
      }))
    return err;
  if (folded > 0)
    through = at;
  return {};
}

caf::error sqlite_event_store::impl::fold_log(
    int64_t& at, int64_t& folded,
    const std::function<course_summary&(const std::string& subject)>& row_of) {
  SQLite::Statement page{db, events_page_sql};
  for (int64_t read = rebuild_page_size; read == rebuild_page_size;) {
    page.reset();
    page.bind(1, at);
    page.bind(2, rebuild_page_size);
    for (read = 0; page.executeStep(); ++read) {
      auto e = read_event_row(page);
      if (auto err = upcast(e)) // the fold reads the current schema only
        return err;
      auto in = reader.read(e);
      if (!in)
        return make_error(errc::storage_corrupt,
                          "event seq " + std::to_string(e.seq)
                              + " cannot be folded: " + error_context(in.error()));
      apply_event(row_of(e.subject), e, *in);
      at = e.seq;
      ++folded;
    }
  }
  return {};
}

void sqlite_event_store::impl::store_course(const course_summary& c) {
  // The row outlives the step: SQLite need not copy its text.
  auto& st = upsert_course;
  st.tryReset();
  reset_on_exit guard{st};
  st.bindNoCopy(1, c.id);
  st.bindNoCopy(2, c.status);
  st.bindNoCopy(3, c.title);
  st.bindNoCopy(4, c.user_id);
  st.bindNoCopy(5, c.language);
  st.bind(6, c.dry_run ? 1 : 0);
  st.bind(7, c.amount_cents);
  st.bindNoCopy(8, c.currency);
  st.bind(9, c.version);
  st.bind(10, c.last_seq);
  st.bind(11, c.created_us);
  st.bind(12, c.updated_us);
  st.bind(13, c.attempt);
  st.bindNoCopy(14, c.last_error);
  st.bind(15, c.content_seq);
  st.bindNoCopy(16, c.payment_id);
  st.bind(17, c.payment_expires_us);
  st.bind(18, c.distribution_attempt);
  st.bindNoCopy(19, c.url);
  st.exec();
}

caf::expected<rebuild_report> sqlite_event_store::rebuild() {
  auto start = std::chrono::steady_clock::now();
  auto& p = *impl_;
  if (auto err = p.refuse_after_failed_sync())
    return err;
  p.course_cache.clear(); // the rows are written anew
  rebuild_report r;
  int64_t at = 0; // the last seq folded
  try {
    SQLite::Transaction tx{p.db, SQLite::TransactionBehavior::IMMEDIATE};
    // Every course stays in memory until the log is read: each row is written once, at the end.
    impl::batch_rows courses;
    if (auto err = p.fold_log(at, r.events, [&](const std::string& subject) -> course_summary& {
          return courses[subject];
        }))
      return err;
    p.db.exec(clear_courses_sql);
    p.write_rows(courses, {}, at); // the model is now folded up to the head
    tx.commit();
    p.unwritten.clear(); // folded from the log like every other row
    r.courses = static_cast<int64_t>(courses.size());
  } catch (const SQLite::Exception& ex) {
    return p.note_failure(ex);
  }
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now()
                                                                    - start);
  return r;
}

} // namespace cf
