// The store's course read model: the rows the fold writes, the cache of recently written ones
// that spares an append its reads, and the rebuild of every row from the log.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>

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
  if (v != seen_data_version)
    course_cache.clear();
  seen_data_version = v;
}

course_summary sqlite_event_store::impl::cached_course(const std::string& id,
                                                       const batch_rows& staged) {
  if (auto i = staged.find(id); i != staged.end())
    return i->second;
  if (auto i = course_cache.find(id); i != course_cache.end())
    return i->second;
  course_summary c;
  load_course(id, c);
  return c;
}

void sqlite_event_store::impl::cache_course(const course_summary& c) {
  if (course_cache.size() >= course_cache_limit && course_cache.count(c.id) == 0)
    course_cache.clear();
  course_cache[c.id] = c;
}

void sqlite_event_store::impl::load_course(const std::string& id, course_summary& c) {
  select_course.tryReset();
  reset_on_exit guard{select_course};
  select_course.bind(1, id);
  if (select_course.executeStep())
    c = read_course_row(select_course);
}

void sqlite_event_store::impl::store_course(const course_summary& c) {
  auto& st = upsert_course;
  st.tryReset();
  reset_on_exit guard{st};
  st.bind(1, c.id);
  st.bind(2, c.status);
  st.bind(3, c.title);
  st.bind(4, c.user_id);
  st.bind(5, c.language);
  st.bind(6, c.dry_run ? 1 : 0);
  st.bind(7, c.amount_cents);
  st.bind(8, c.currency);
  st.bind(9, c.version);
  st.bind(10, c.last_seq);
  st.bind(11, c.created_us);
  st.bind(12, c.updated_us);
  st.bind(13, c.attempt);
  st.bind(14, c.last_error);
  st.bind(15, c.content_seq);
  st.bind(16, c.payment_id);
  st.bind(17, c.payment_expires_us);
  st.bind(18, c.distribution_attempt);
  st.bind(19, c.url);
  st.exec();
}

caf::expected<rebuild_report> sqlite_event_store::rebuild() {
  auto start = std::chrono::steady_clock::now();
  auto& p = *impl_;
  p.course_cache.clear(); // the rows are written anew
  rebuild_report r;
  int64_t at = 0; // the seq being folded, for the error message
  try {
    SQLite::Transaction tx{p.db, SQLite::TransactionBehavior::IMMEDIATE};
    // Every course stays in memory until the log is read: each row is written once, at the end.
    std::unordered_map<std::string, course_summary> courses;
    SQLite::Statement page{p.db, events_page_sql};
    for (int64_t read = rebuild_page_size; read == rebuild_page_size;) {
      page.reset();
      page.bind(1, at);
      page.bind(2, rebuild_page_size);
      for (read = 0; page.executeStep(); ++read) {
        auto e = read_event_row(page);
        at = e.seq;
        if (auto err = upcast(e)) // the fold reads the current schema only
          return err;
        auto in = p.reader.read(e);
        if (!in)
          return make_error(errc::storage_corrupt,
                            "event seq " + std::to_string(at)
                                + " cannot be folded: " + error_context(in.error()));
        apply_event(courses[e.subject], e, *in);
      }
      r.events += read;
    }
    p.db.exec(clear_courses_sql);
    // In key order: each insert appends to the table's B-tree.
    std::vector<const course_summary*> sorted;
    sorted.reserve(courses.size());
    for (const auto& entry : courses) sorted.push_back(&entry.second);
    std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->id < b->id; });
    for (const auto* c : sorted) p.store_course(*c);
    p.store_checkpoint(courses_projection, at); // the model is now folded up to the head
    tx.commit();
    r.courses = static_cast<int64_t>(sorted.size());
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now()
                                                                    - start);
  return r;
}

} // namespace cf
