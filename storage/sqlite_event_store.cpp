// SQLite storage for the event log and the course read model: statements, the hash chain on
// append, and SQLite exceptions as cf::errc values. Migrations are in migrations.cpp.
#include "storage/sqlite_event_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <tuple>
#include <unordered_map>

#include "domain/catalogue.hpp"
#include "domain/upcast.hpp"
#include "storage/audit.hpp"
#include "storage/detail/event_rows.hpp"
#include "storage/detail/event_versions.hpp"
#include "storage/detail/fold_reader.hpp"
#include "storage/detail/wal_checkpointer.hpp"
#include "storage/migrations.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace {

constexpr const char* insert_event_sql =
    "INSERT INTO events(id, source, type, subject, subject_version, time_us, schema_version, "
    "correlation_id, causation_id, data, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* hash_before_sql =
    "SELECT hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1";
constexpr const char* last_hash_sql = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";
constexpr const char* subject_version_sql =
    "SELECT COALESCE(MAX(subject_version), 0) FROM events WHERE subject = ?";
constexpr const char* course_columns =
    "id, status, title, user_id, language, dry_run, amount_cents, currency, version, last_seq, "
    "created_us, updated_us, attempt, last_error, content_seq, payment_id, payment_expires_us, "
    "distribution_attempt, url";
// An update in place: INSERT OR REPLACE would delete the row and insert it anew, rewriting
// every index entry of the course on every event.
constexpr const char* upsert_course_sql =
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
constexpr const char* recall_sql =
    "SELECT fingerprint, response, created_us FROM idempotency WHERE scope = ? AND key = ?";
constexpr const char* remember_sql =
    "INSERT OR REPLACE INTO idempotency(scope, key, fingerprint, response, created_us) "
    "VALUES(?,?,?,?,?)";

constexpr const char* save_checkpoint_sql =
    "INSERT INTO checkpoints(consumer, seq) VALUES(?, ?) "
    "ON CONFLICT(consumer) DO UPDATE SET seq = MAX(seq, excluded.seq)";
constexpr const char* load_checkpoint_sql = "SELECT seq FROM checkpoints WHERE consumer = ?";
constexpr const char* all_checkpoints_sql =
    "SELECT consumer, seq FROM checkpoints ORDER BY consumer";
// The course read model is a projection like any other consumer: its checkpoint commits with
// the events it folded.
constexpr const char* courses_projection = "courses";

constexpr const char* head_sql = "SELECT COALESCE(MAX(seq), 0) FROM events";
constexpr const char* count_sql = "SELECT COUNT(*) FROM events";
constexpr const char* content_sql =
    "SELECT json_extract(data, '$.content') FROM events WHERE seq = ?";
constexpr const char* clear_courses_sql = "DELETE FROM courses";
// Rebuild reads the log in pages of this many events, through one prepared statement.
const std::string events_page_sql =
    std::string{"SELECT "} + event_columns + " FROM events WHERE seq > ? ORDER BY seq LIMIT ?";
constexpr int64_t rebuild_page_size = 4096;

// Resets a cached statement when it goes out of scope. A statement left mid-step keeps its read
// transaction open: the WAL could then never be checkpointed and would grow without end.
struct reset_on_exit {
  SQLite::Statement& st;
  ~reset_on_exit() { st.tryReset(); }
};

caf::error from_exception(const SQLite::Exception& ex) {
  auto code = ex.getErrorCode() & 0xFF;
  if (code == SQLITE_CONSTRAINT)
    return make_error(errc::conflict, ex.what());
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return make_error(errc::storage_corrupt, ex.what());
  return make_error(errc::storage_unavailable, ex.what());
}

caf::error version_conflict(const std::string& subject, int64_t expected, int64_t next) {
  return make_error(errc::conflict, "expected " + subject + " at version "
                                        + std::to_string(expected - 1) + ", the log has version "
                                        + std::to_string(next - 1));
}

caf::error unreadable_data(const caf::error& why) {
  return make_error(errc::invalid_argument, "event data: " + error_context(why));
}

// A write of a request whose checks had passed failed (a duplicate event id, say): the batch
// is rolled back and run again with a savepoint per request.
struct write_failed {};

course_summary read_course(SQLite::Statement& st) {
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

} // namespace

// How long a write waits for another writer. The actors wait longer for EventLog's answer
// (course_factory_settings::log_timeout), so an append never commits after its caller gave up
// because of a busy database.
constexpr int busy_timeout_ms = 2000;

struct sqlite_event_store::impl {
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
  // Prepared once: sqlite3_exec would parse them for every append of a batch.
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
  int64_t seen_data_version = -1;
  static constexpr size_t course_cache_limit = 16384;
  // The fold's reader of event data, for append and rebuild alike.
  fold_reader reader;
  // Last: stopped before the writer connection closes (and checkpoints one last time).
  std::unique_ptr<wal_checkpointer> checkpointer;

  // Prepares the statements on `migrated`, whose schema is current, and reads the head of the
  // chain.
  explicit impl(SQLite::Database migrated)
      : db(std::move(migrated)),
        insert_event(db, insert_event_sql),
        subject_version(db, subject_version_sql),
        select_course(db, std::string{"SELECT "} + course_columns + " FROM courses WHERE id = ?"),
        upsert_course(db, upsert_course_sql),
        select_head(db, head_sql),
        select_content(db, content_sql),
        select_record(db, recall_sql),
        upsert_record(db, remember_sql),
        set_hash(db, set_hash_sql),
        hash_before(db, hash_before_sql),
        save_checkpoint(db, save_checkpoint_sql),
        load_checkpoint(db, load_checkpoint_sql),
        savepoint(db, "SAVEPOINT one_append"),
        rollback_to_savepoint(db, "ROLLBACK TO one_append"),
        release_savepoint(db, "RELEASE one_append"),
        data_version(db, "PRAGMA data_version") {
    SQLite::Statement st{db, last_hash_sql};
    if (st.executeStep()) {
      last_seq = st.getColumn(0).getInt64();
      last_hash = st.getColumn(1).getString();
    }
  }

  idempotency_record recall(const std::string& scope, const std::string& key,
                            int64_t not_before_us) {
    idempotency_record r;
    r.scope = scope;
    r.key = key;
    select_record.tryReset();
    reset_on_exit guard{select_record};
    select_record.bind(1, scope);
    select_record.bind(2, key);
    if (select_record.executeStep()) {
      r.fingerprint = select_record.getColumn(0).getString();
      r.response = select_record.getColumn(1).getString();
      r.created_us = select_record.getColumn(2).getInt64();
      r.found = r.created_us >= not_before_us;
    }
    return r;
  }

  // Expired records with the same key are replaced: their retention is over.
  void remember(const idempotency_record& r) {
    upsert_record.tryReset();
    reset_on_exit guard{upsert_record};
    upsert_record.bind(1, r.scope);
    upsert_record.bind(2, r.key);
    upsert_record.bind(3, r.fingerprint);
    upsert_record.bind(4, r.response);
    upsert_record.bind(5, r.created_us != 0 ? r.created_us : now_us());
    upsert_record.exec();
  }

  void store_checkpoint(const std::string& consumer, int64_t seq) {
    save_checkpoint.tryReset();
    reset_on_exit guard{save_checkpoint};
    save_checkpoint.bind(1, consumer);
    save_checkpoint.bind(2, seq);
    save_checkpoint.exec();
  }

  int64_t stored_checkpoint(const std::string& consumer) {
    load_checkpoint.tryReset();
    reset_on_exit guard{load_checkpoint};
    load_checkpoint.bind(1, consumer);
    return load_checkpoint.executeStep() ? load_checkpoint.getColumn(0).getInt64() : 0;
  }

  static void run(SQLite::Statement& st) {
    st.tryReset();
    reset_on_exit guard{st};
    st.exec();
  }

  caf::error append_one(const append_request& r, int64_t& last_seq, std::string& last_hash,
                        std::vector<std::pair<int64_t, int64_t>>& assigned);

  // errc::duplicate when the request's idempotency key is live in the log already.
  caf::error key_used_before(const append_request& r) {
    if (!r.remember)
      return {};
    const auto& k = *r.remember;
    if (!recall(k.scope, k.key, k.not_before_us).found)
      return {};
    return make_error(errc::duplicate, k.scope + " key " + k.key + " was used before");
  }

  // The rows a batch has written so far, by course: committed only with the batch.
  using batch_rows = std::unordered_map<std::string, course_summary>;

  caf::error append_checked(const append_request& r, int64_t& last_seq, std::string& last_hash,
                            std::vector<std::pair<int64_t, int64_t>>& assigned, batch_rows& staged);

  // Runs every request of `batch` in one transaction; `safe`: each in a savepoint of its own.
  void run_batch(std::vector<append_request>& batch,
                 std::vector<std::vector<std::pair<int64_t, int64_t>>>& assigned, bool safe);

  // Empties the course cache when another connection committed since this one last looked.
  void check_other_writers() {
    data_version.tryReset();
    reset_on_exit guard{data_version};
    data_version.executeStep();
    auto v = data_version.getColumn(0).getInt64();
    if (v != seen_data_version)
      course_cache.clear();
    seen_data_version = v;
  }

  // The read-model row of `id` as this batch left it so far (empty id: no such course).
  course_summary cached_course(const std::string& id, const batch_rows& staged) {
    if (auto i = staged.find(id); i != staged.end())
      return i->second;
    if (auto i = course_cache.find(id); i != course_cache.end())
      return i->second;
    course_summary c;
    load_course(id, c);
    return c;
  }

  void cache_course(const course_summary& c) {
    if (course_cache.size() >= course_cache_limit && course_cache.count(c.id) == 0)
      course_cache.clear();
    course_cache[c.id] = c;
  }

  // Loads the read-model row of `id` into `c`; leaves `c` untouched when there is none.
  void load_course(const std::string& id, course_summary& c) {
    select_course.tryReset();
    reset_on_exit guard{select_course};
    select_course.bind(1, id);
    if (select_course.executeStep())
      c = read_course(select_course);
  }

  void store_course(const course_summary& c) {
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

  int64_t next_subject_version(const std::string& subject) {
    subject_version.tryReset();
    reset_on_exit guard{subject_version};
    subject_version.bind(1, subject);
    subject_version.executeStep();
    return subject_version.getColumn(0).getInt64() + 1;
  }

  // Inserts `e` chained to (prev_seq, prev_hash), the event before it, and returns its seq and
  // hash. The seq is the next one unless the cache is stale (another writer) or
  // sqlite_sequence ran ahead (a deleted tail): then the hash is chained to the row really
  // before it.
  std::pair<int64_t, std::string> insert(event e, int64_t prev_seq, const std::string& prev_hash) {
    e.seq = prev_seq + 1;
    auto hash = chain_hash(prev_hash, e);
    auto seq = insert_row(e, hash);
    if (seq != e.seq) {
      e.seq = seq;
      hash = chain_hash(hash_of_row_before(seq), e);
      set_hash.tryReset();
      reset_on_exit guard{set_hash};
      set_hash.bind(1, hash);
      set_hash.bind(2, seq);
      set_hash.exec();
    }
    return {seq, hash};
  }

  std::string hash_of_row_before(int64_t seq) {
    hash_before.tryReset();
    reset_on_exit guard{hash_before};
    hash_before.bind(1, seq);
    return hash_before.executeStep() ? hash_before.getColumn(0).getString() : std::string{};
  }

  int64_t insert_row(const event& e, const std::string& hash) {
    auto& st = insert_event;
    st.tryReset();
    reset_on_exit guard{st};
    st.bind(1, e.id);
    st.bind(2, e.source);
    st.bind(3, e.type);
    st.bind(4, e.subject);
    st.bind(5, e.subject_version);
    st.bind(6, e.time_us);
    st.bind(7, e.schema_version);
    st.bind(8, e.correlation_id);
    st.bind(9, e.causation_id);
    st.bind(10, e.data);
    st.bind(11, hash);
    st.exec();
    return db.getLastInsertRowid();
  }
};

sqlite_event_store::sqlite_event_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sqlite_event_store::~sqlite_event_store() = default;

caf::expected<std::unique_ptr<sqlite_event_store>> sqlite_event_store::open(const std::string& path,
                                                                            durability d) {
  try {
    if (path != ":memory:") {
      auto parent = std::filesystem::path{path}.parent_path();
      if (!parent.empty())
        std::filesystem::create_directories(parent);
    }
    SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, busy_timeout_ms};
    db.exec("PRAGMA journal_mode = WAL");
    // The statements are prepared only once the schema is current.
    if (auto err = migrate(db))
      return err;
    if (auto err = check_event_versions(db)) // never start on events this build cannot read
      return err;
    auto p = std::make_unique<impl>(std::move(db));
    p->db.exec(d == durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    if (path != ":memory:") {
      p->checkpointer = std::make_unique<wal_checkpointer>(path, d == durability::full);
      p->checkpointer->attach(p->db.getHandle());
    }
    return std::unique_ptr<sqlite_event_store>{new sqlite_event_store(std::move(p))};
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  } catch (const std::system_error& ex) { // creating folders, starting the checkpointer's thread
    return make_error(errc::storage_unavailable, ex.what());
  }
}

caf::error sqlite_event_store::append(std::vector<event>& events,
                                      const idempotency_record* remember,
                                      const checkpoint* advance) {
  std::vector<append_request> one(1);
  one[0].events = std::move(events);
  if (remember != nullptr)
    one[0].remember = *remember;
  if (advance != nullptr)
    one[0].advance = *advance;
  auto err = append_batch(one);
  events = std::move(one[0].events);
  return err ? err : one[0].result;
}

namespace {

caf::error check_request(const append_request& r) {
  for (const auto& e : r.events)
    if (e.id.empty() || e.type.empty() || e.subject.empty())
      return make_error(errc::invalid_argument, "event needs id, type and subject");
  if (r.advance && r.advance->consumer.empty())
    return make_error(errc::invalid_argument, "a checkpoint needs a consumer name");
  return {};
}

} // namespace

// Applies one request inside the batch's transaction, chaining from (last_seq, last_hash), which
// it advances. Fills `assigned` with (seq, subject version) per event. A failure of this request
// alone (duplicate key, unexpected version, a constraint, data the fold cannot read) is returned; a
// failure of the database throws. The fast path of a batch: every check of the request (key,
// subject versions, JSON) runs before its first write, on the cached course rows, so a request that
// fails has nothing to undo and needs no savepoint. A write that fails anyway throws write_failed.
caf::error sqlite_event_store::impl::append_checked(
    const append_request& r, int64_t& last_seq, std::string& last_hash,
    std::vector<std::pair<int64_t, int64_t>>& assigned, batch_rows& staged) {
  if (auto err = key_used_before(r))
    return err;
  // The request's courses (in order of appearance): each row as committed, and as folded.
  struct row {
    std::string subject;
    course_summary committed;
    course_summary folded;
  };
  std::vector<row> rows;
  auto row_of = [&](const event& e) -> row& {
    for (auto& x : rows)
      if (x.subject == e.subject)
        return x;
    rows.push_back({e.subject, {}, {}});
    // An event that says it is its subject's first needs no read: had the subject events, the
    // log's UNIQUE(subject, subject_version) refuses the insert (and the safe path decides).
    if (e.subject_version != 1 || staged.count(e.subject) > 0 || course_cache.count(e.subject) > 0)
      rows.back().committed = cached_course(e.subject, staged);
    rows.back().folded = rows.back().committed;
    return rows.back();
  };
  std::vector<fold_input> data;
  data.reserve(r.events.size());
  std::vector<int64_t> versions;
  for (const auto& e : r.events) {
    auto& c = row_of(e).folded;
    auto next = c.version + 1;
    if (e.subject_version != 0 && e.subject_version != next)
      return version_conflict(e.subject, e.subject_version, next);
    c.version = next;
    versions.push_back(next);
    auto in = reader.read(e);
    if (!in)
      return unreadable_data(in.error());
    data.push_back(std::move(*in));
  }
  for (auto& x : rows) x.folded = x.committed; // the fold starts from the committed rows
  try {
    if (r.remember)
      remember(*r.remember);
    for (size_t i = 0; i < r.events.size(); ++i) {
      auto copy = r.events[i];
      copy.subject_version = versions[i];
      std::tie(last_seq, last_hash) = insert(copy, last_seq, last_hash);
      copy.seq = last_seq;
      auto& c = row_of(copy).folded;
      apply_event(c, copy, data[i]);
      store_course(c);
      assigned.emplace_back(copy.seq, copy.subject_version);
    }
    if (r.advance)
      store_checkpoint(r.advance->consumer, r.advance->seq);
  } catch (const SQLite::Exception& ex) {
    if ((ex.getErrorCode() & 0xFF) != SQLITE_CONSTRAINT)
      throw;
    throw write_failed{};
  }
  for (const auto& x : rows) staged[x.subject] = x.folded;
  return {};
}

caf::error sqlite_event_store::impl::append_one(
    const append_request& r, int64_t& last_seq, std::string& last_hash,
    std::vector<std::pair<int64_t, int64_t>>& assigned) {
  try {
    if (auto err = key_used_before(r))
      return err;
    if (r.remember)
      remember(*r.remember);
    for (const auto& e : r.events) {
      auto copy = e;
      copy.subject_version = next_subject_version(e.subject);
      if (e.subject_version != 0 && e.subject_version != copy.subject_version)
        return version_conflict(e.subject, e.subject_version, copy.subject_version);
      std::tie(last_seq, last_hash) = insert(copy, last_seq, last_hash);
      copy.seq = last_seq;
      course_summary c;
      load_course(copy.subject, c);
      auto in = reader.read(copy);
      if (!in)
        return unreadable_data(in.error());
      apply_event(c, copy, *in);
      store_course(c);
      assigned.emplace_back(copy.seq, copy.subject_version);
    }
    if (r.advance)
      store_checkpoint(r.advance->consumer, r.advance->seq);
    return {};
  } catch (const SQLite::Exception& ex) {
    if ((ex.getErrorCode() & 0xFF) != SQLITE_CONSTRAINT)
      throw;
    return make_error(errc::conflict, ex.what());
  }
}

void sqlite_event_store::impl::run_batch(
    std::vector<append_request>& batch,
    std::vector<std::vector<std::pair<int64_t, int64_t>>>& assigned, bool safe) {
  SQLite::Transaction tx{db, SQLite::TransactionBehavior::IMMEDIATE};
  check_other_writers();
  // The chain advances in these locals; the members follow only after the commit.
  auto seq = last_seq;
  auto hash = last_hash;
  bool stored = false;
  batch_rows staged;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& r = batch[i];
    r.result = check_request(r);
    if (r.result)
      continue;
    if (!safe) {
      r.result = append_checked(r, seq, hash, assigned[i], staged); // failed: wrote nothing
      stored = stored || (!r.result && !r.events.empty());
      continue;
    }
    if (batch.size() == 1) {
      // Alone in its transaction: a failure rolls the transaction back.
      r.result = append_one(r, seq, hash, assigned[i]);
      if (r.result) {
        assigned[i].clear();
        return;
      }
      stored = !r.events.empty();
      continue;
    }
    // Each request in a savepoint of its own: one that fails leaves no trace and no others.
    auto seq_before = seq;
    auto hash_before = hash;
    run(savepoint);
    r.result = append_one(r, seq, hash, assigned[i]);
    if (r.result) {
      run(rollback_to_savepoint);
      seq = seq_before;
      hash = std::move(hash_before);
      assigned[i].clear();
    } else {
      stored = stored || !r.events.empty();
    }
    run(release_savepoint);
  }
  if (stored)
    store_checkpoint(courses_projection, seq);
  tx.commit();
  last_seq = seq;
  last_hash = std::move(hash);
  for (const auto& entry : staged) cache_course(entry.second);
}

caf::error sqlite_event_store::append_batch(std::vector<append_request>& batch) {
  auto& p = *impl_;
  // (seq, subject version) per event of each request; applied once the transaction committed.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> assigned(batch.size());
  try {
    try {
      p.run_batch(batch, assigned, false);
    } catch (const write_failed&) {
      // Rolled back. The same batch again, on the database's own checks, a savepoint each.
      p.course_cache.clear();
      for (auto& a : assigned) a.clear();
      p.run_batch(batch, assigned, true);
    }
  } catch (const SQLite::Exception& ex) {
    p.course_cache.clear();
    for (auto* st :
         {&p.insert_event, &p.subject_version, &p.select_course, &p.upsert_course, &p.select_record,
          &p.upsert_record, &p.set_hash, &p.hash_before, &p.save_checkpoint, &p.data_version})
      st->tryReset();
    auto err = from_exception(ex);
    for (auto& r : batch)
      if (!r.result)
        r.result = err;
    return err;
  }
  for (size_t i = 0; i < batch.size(); ++i)
    for (size_t j = 0; j < assigned[i].size(); ++j) {
      batch[i].events[j].seq = assigned[i][j].first;
      batch[i].events[j].subject_version = assigned[i][j].second;
    }
  return {};
}

caf::expected<int64_t> sqlite_event_store::save_checkpoint(const checkpoint& cp) {
  if (cp.consumer.empty())
    return make_error(errc::invalid_argument, "a checkpoint needs a consumer name");
  try {
    impl_->store_checkpoint(cp.consumer, cp.seq);
    return impl_->stored_checkpoint(cp.consumer);
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<int64_t> sqlite_event_store::load_checkpoint(const std::string& consumer) {
  try {
    return impl_->stored_checkpoint(consumer);
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<std::vector<checkpoint>> sqlite_event_store::checkpoints() {
  try {
    SQLite::Statement st{impl_->db, all_checkpoints_sql};
    std::vector<checkpoint> out;
    while (st.executeStep())
      out.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64()});
    return out;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
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

caf::expected<idempotency_record> sqlite_event_store::recall(const std::string& scope,
                                                             const std::string& key,
                                                             int64_t not_before_us) {
  try {
    return impl_->recall(scope, key, not_before_us);
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

namespace {

// The WHERE clause of a query's filter (seq, type exact or prefix, subject) and its binding.
std::string filter_sql(const event_query& q) {
  std::string sql = " WHERE seq > ?";
  if (q.type.size() >= 2 && q.type.compare(q.type.size() - 2, 2, ".*") == 0)
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
  if (q.type.size() >= 2 && q.type.compare(q.type.size() - 2, 2, ".*") == 0) {
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

} // namespace

caf::expected<int64_t> sqlite_event_store::count_events(const event_query& q) {
  if (!is_valid_type_pattern(q.type))
    return make_error(errc::invalid_argument,
                      "type must be a dotted name, optionally ending in .*");
  try {
    SQLite::Statement st{impl_->db, "SELECT COUNT(*) FROM events" + filter_sql(q)};
    bind_filter(st, q);
    st.executeStep();
    return st.getColumn(0).getInt64();
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<std::vector<std::pair<std::string, int64_t>>> sqlite_event_store::course_counts() {
  try {
    SQLite::Statement st{impl_->db, "SELECT status, COUNT(*) FROM courses GROUP BY status"};
    std::vector<std::pair<std::string, int64_t>> out;
    while (st.executeStep())
      out.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getInt64());
    return out;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<event_page> sqlite_event_store::query(const event_query& q) {
  if (!is_valid_type_pattern(q.type))
    return make_error(errc::invalid_argument,
                      "type must be a dotted name, optionally ending in .*");
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

caf::expected<course_view> sqlite_event_store::course(const std::string& id) {
  auto& p = *impl_;
  try {
    course_view v;
    p.load_course(id, v.summary);
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

int64_t sqlite_event_store::background_checkpoints() const {
  return impl_->checkpointer ? impl_->checkpointer->completed() : 0;
}

caf::expected<course_summary> sqlite_event_store::summary(const std::string& id) {
  try {
    course_summary c;
    impl_->load_course(id, c);
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
  std::string sql = std::string{"SELECT "} + course_columns + " FROM "
                    + (q.payable ? std::string{payable_courses} + " AND" : "courses WHERE")
                    + " id > ?";
  if (!q.payable && !q.status.empty())
    sql += " AND status = ?";
  sql += " ORDER BY id LIMIT ?";
  try {
    SQLite::Statement st{impl_->db, sql};
    int i = 1;
    st.bind(i++, q.after);
    if (!q.payable && !q.status.empty())
      st.bind(i++, q.status);
    st.bind(i++, q.limit + 1);
    course_page page;
    while (st.executeStep()) page.items.push_back(read_course(st));
    if (page.items.size() > static_cast<size_t>(q.limit)) {
      page.items.pop_back();
      page.next_after = page.items.back().id;
    }
    return page;
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
  return e;
}

} // namespace cf
