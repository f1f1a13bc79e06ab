// The store's reads for callers: pages of events (upcast to their current schema), courses one
// at a time or a page at a time, and the counts behind health checks and metrics.
#include <SQLiteCpp/SQLiteCpp.h>

#include "domain/catalogue.hpp"
#include "domain/upcast.hpp"
#include "storage/detail/event_rows.hpp"
#include "storage/detail/store_impl.hpp"
#include "storage/detail/store_sql.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

constexpr const char* count_sql = "SELECT COUNT(*) FROM events";
constexpr const char* count_by_status_sql = "SELECT status, COUNT(*) FROM courses GROUP BY status";

bool is_prefix_pattern(const std::string& type) {
  return type.size() >= 2 && type.compare(type.size() - 2, 2, ".*") == 0;
}

// The WHERE clause of a query's filter (seq, type exact or prefix, subject) and its binding.
std::string filter_sql(const event_query& q) {
  std::string sql = " WHERE seq > ?";
  if (is_prefix_pattern(q.type))
    sql += " AND type >= ? AND type < ?";
  else if (!q.type.empty())
    sql += " AND type = ?";
  if (!q.subject.empty())
    sql += " AND subject = ?";
  return sql;
}

// Binds what filter_sql(q) asks for; returns the next parameter index.
int bind_filter(SQLite::Statement& st, const event_query& q) {
  int i = 1;
  st.bind(i++, q.after_seq);
  if (is_prefix_pattern(q.type)) {
    auto lower = q.type.substr(0, q.type.size() - 1); // keeps the dot: "course.generation."
    auto upper = lower;
    upper.back() = '.' + 1; // "course.generation/": the first string past every match
    st.bind(i++, lower);
    st.bind(i++, upper);
  } else if (!q.type.empty()) {
    st.bind(i++, q.type);
  }
  if (!q.subject.empty())
    st.bind(i++, q.subject);
  return i;
}

caf::error invalid_type_pattern() {
  return make_error(errc::invalid_argument, "type must be a dotted name, optionally ending in .*");
}

} // namespace

event read_event_row(SQLite::Statement& st) {
  event e;
  e.seq = st.getColumn(0).getInt64();
  e.id = st.getColumn(1).getString();
  e.source = st.getColumn(2).getString();
  e.type = st.getColumn(3).getString();
  e.subject = st.getColumn(4).getString();
  e.subject_version = st.getColumn(5).getInt64();
  e.time_us = st.getColumn(6).getInt64();
  e.schema_version = st.getColumn(7).getInt();
  e.correlation_id = st.getColumn(8).getString();
  e.causation_id = st.getColumn(9).getString();
  e.data = st.getColumn(10).getString();
  if (st.getColumnCount() > 11 && std::string{st.getColumnName(11)} == "actor")
    e.actor = st.getColumn(11).getString();
  return e;
}

caf::expected<event_page> sqlite_event_store::query(const event_query& q) {
  if (!is_valid_type_pattern(q.type))
    return invalid_type_pattern();
  if (q.limit < 1 || q.limit > 1000)
    return make_error(errc::invalid_argument, "limit must be 1 to 1000");
  auto sql = std::string{"SELECT "} + event_columns + " FROM events" + filter_sql(q)
             + " ORDER BY seq LIMIT ?";
  try {
    SQLite::Statement st{impl_->db, sql};
    int i = bind_filter(st, q);
    st.bind(i++, q.limit + 1); // one more tells whether another page exists
    event_page page;
    while (st.executeStep()) {
      page.events.push_back(read_event_row(st));
      if (auto err = upcast(page.events.back())) // older schema versions: to the current one
        return err;
    }
    if (page.events.size() > static_cast<size_t>(q.limit)) {
      page.events.pop_back();
      page.next_after = page.events.back().seq;
    }
    return page;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<int64_t> sqlite_event_store::count_events(const event_query& q) {
  if (!is_valid_type_pattern(q.type))
    return invalid_type_pattern();
  try {
    SQLite::Statement st{impl_->db, count_sql + filter_sql(q)};
    bind_filter(st, q);
    st.executeStep();
    return st.getColumn(0).getInt64();
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<course_view> sqlite_event_store::course(const std::string& id) {
  auto& p = *impl_;
  try {
    course_view v;
    p.current_course(id, v.summary);
    if (v.summary.id.empty())
      return make_error(errc::not_found, "no course " + id);
    if (v.summary.content_seq > 0) {
      p.select_content.tryReset();
      reset_on_exit guard{p.select_content};
      p.select_content.bind(1, v.summary.content_seq);
      if (p.select_content.executeStep())
        v.content = p.select_content.getColumn(0).getString();
    }
    return v;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<course_summary> sqlite_event_store::summary(const std::string& id) {
  try {
    course_summary c;
    impl_->current_course(id, c);
    if (c.id.empty())
      return make_error(errc::not_found, "no course " + id);
    return c;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<course_page> sqlite_event_store::courses(const course_query& q) {
  if (q.limit < 1 || q.limit > 500)
    return make_error(errc::invalid_argument, "limit must be 1 to 500");
  std::string sql =
      std::string{"SELECT "} + store_sql::course_columns + " FROM "
      + (q.payable ? std::string{store_sql::payable_courses} + " AND" : "courses WHERE")
      + " id > ?";
  if (!q.payable && !q.status.empty())
    sql += " AND status = ?";
  if (!q.search.empty()) // LIKE with every wildcard in the text escaped: a plain substring
    sql += " AND (title LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')";
  sql += " ORDER BY id LIMIT ?";
  try {
    impl_->write_unwritten_before_read(); // the table as the log has it
    SQLite::Statement st{impl_->db, sql};
    int i = 1;
    st.bind(i++, q.after);
    if (!q.payable && !q.status.empty())
      st.bind(i++, q.status);
    if (!q.search.empty()) {
      std::string text;
      for (char c : q.search) {
        if (c == '%' || c == '_' || c == '\\')
          text += '\\';
        text += c;
      }
      st.bind(i++, "%" + text + "%");
      st.bind(i++, text + "%");
    }
    st.bind(i++, q.limit + 1);
    course_page page;
    while (st.executeStep()) page.items.push_back(read_course_row(st));
    if (page.items.size() > static_cast<size_t>(q.limit)) {
      page.items.pop_back();
      page.next_after = page.items.back().id;
    }
    return page;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<std::vector<std::pair<std::string, int64_t>>> sqlite_event_store::course_counts() {
  try {
    impl_->write_unwritten_before_read(); // the table as the log has it
    SQLite::Statement st{impl_->db, count_by_status_sql};
    std::vector<std::pair<std::string, int64_t>> out;
    while (st.executeStep())
      out.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getInt64());
    return out;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<int64_t> sqlite_event_store::head() {
  try {
    impl_->select_head.tryReset();
    reset_on_exit guard{impl_->select_head};
    impl_->select_head.executeStep();
    return impl_->select_head.getColumn(0).getInt64();
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<int64_t> sqlite_event_store::count() {
  try {
    return impl_->db.execAndGet(count_sql).getInt64();
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

} // namespace cf
