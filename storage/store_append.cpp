// The store's write path: appends in one transaction per batch (group commit), each request
// checked against its subjects' versions and folded into the course rows, each event chained to
// the one before by its audit-trail hash.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <chrono>
#include <tuple>

#include "storage/audit.hpp"
#include "storage/detail/store_impl.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

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

caf::error check_request(const append_request& r) {
  for (const auto& e : r.events)
    if (e.id.empty() || e.type.empty() || e.subject.empty())
      return make_error(errc::invalid_argument, "event needs id, type and subject");
  if (r.advance && r.advance->consumer.empty())
    return make_error(errc::invalid_argument, "a checkpoint needs a consumer name");
  return {};
}

} // namespace

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

caf::error sqlite_event_store::append_batch(std::vector<append_request>& batch) {
  auto& p = *impl_;
  // (seq, subject version) per event of each request; applied once the transaction committed.
  std::vector<impl::assignment> assigned(batch.size());
  auto fail_all = [&](const caf::error& err) {
    for (auto& r : batch)
      if (!r.result)
        r.result = err;
    return err;
  };
  if (auto err = p.refuse_after_failed_sync()) // nothing more once a sync failed
    return fail_all(err);
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
    p.reset_write_statements();
    return fail_all(p.note_failure(ex));
  }
  for (size_t i = 0; i < batch.size(); ++i)
    for (size_t j = 0; j < assigned[i].size(); ++j) {
      batch[i].events[j].seq = assigned[i][j].first;
      batch[i].events[j].subject_version = assigned[i][j].second;
    }
  return {};
}

void sqlite_event_store::impl::run_batch(std::vector<append_request>& batch,
                                         std::vector<assignment>& assigned, bool safe) {
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
      r.result = append_one(r, seq, hash, assigned[i], staged);
      if (r.result) {
        assigned[i].clear();
        return;
      }
      stored = !r.events.empty();
      continue;
    }
    // Each request in a savepoint of its own: one that fails leaves no trace and no others.
    auto seq_before = seq;
    auto hash_before_request = hash;
    run(savepoint);
    r.result = append_one(r, seq, hash, assigned[i], staged);
    if (r.result) {
      run(rollback_to_savepoint);
      seq = seq_before;
      hash = std::move(hash_before_request);
      assigned[i].clear();
    } else {
      stored = stored || !r.events.empty();
    }
    run(release_savepoint);
  }
  // The read model's rows wait (impl::unwritten) unless enough of them do, or for long enough.
  auto now = std::chrono::steady_clock::now();
  bool write = stored
               && (unwritten.size() + staged.size() >= unwritten_limit
                   || (!unwritten.empty() && now - unwritten_since >= unwritten_max_age));
  if (write)
    write_rows(unwritten, staged, seq);
  tx.commit();
  last_seq = seq;
  last_hash = std::move(hash);
  if (write) {
    for (auto& entry : unwritten) cache_course(std::move(entry.second));
    for (auto& entry : staged) cache_course(std::move(entry.second));
    unwritten.clear();
    return;
  }
  if (!staged.empty() && unwritten.empty())
    unwritten_since = now;
  for (auto& entry : staged) unwritten[entry.first] = std::move(entry.second);
  if (stored)
    unwritten_through = seq;
}

// Applies one request inside the batch's transaction, chaining from (seq, hash), which it
// advances. Fills `assigned` with (seq, subject version) per event. A failure of this request
// alone (duplicate key, unexpected version, data the fold cannot read) is returned; a failure of
// the database throws.
// The fast path of a batch: every check of the request (key, subject versions, data) runs before
// its first write, on the cached course rows, so a request that fails has nothing to undo and
// needs no savepoint. A write that fails anyway throws write_failed.
caf::error sqlite_event_store::impl::append_checked(const append_request& r, int64_t& seq,
                                                    std::string& hash, assignment& assigned,
                                                    batch_rows& staged) {
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
    if (e.subject_version != 1 || staged.count(e.subject) > 0 || unwritten.count(e.subject) > 0
        || course_cache.count(e.subject) > 0)
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
      std::tie(seq, hash) = insert(copy, seq, hash);
      copy.seq = seq;
      apply_event(row_of(copy).folded, copy, data[i]);
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

caf::error sqlite_event_store::impl::append_one(const append_request& r, int64_t& seq,
                                                std::string& hash, assignment& assigned,
                                                batch_rows& staged) {
  try {
    if (auto err = key_used_before(r))
      return err;
    if (r.remember)
      remember(*r.remember);
    batch_rows mine; // the request's rows: staged only if it succeeds
    for (const auto& e : r.events) {
      auto copy = e;
      copy.subject_version = next_subject_version(e.subject);
      if (e.subject_version != 0 && e.subject_version != copy.subject_version)
        return version_conflict(e.subject, e.subject_version, copy.subject_version);
      std::tie(seq, hash) = insert(copy, seq, hash);
      copy.seq = seq;
      auto row = mine.find(copy.subject);
      if (row == mine.end())
        row = mine.emplace(copy.subject, cached_course(copy.subject, staged)).first;
      auto in = reader.read(copy);
      if (!in)
        return unreadable_data(in.error());
      apply_event(row->second, copy, *in);
      assigned.emplace_back(copy.seq, copy.subject_version);
    }
    if (r.advance)
      store_checkpoint(r.advance->consumer, r.advance->seq);
    for (auto& x : mine) staged[x.first] = std::move(x.second);
    return {};
  } catch (const SQLite::Exception& ex) {
    if ((ex.getErrorCode() & 0xFF) != SQLITE_CONSTRAINT)
      throw;
    return make_error(errc::conflict, ex.what());
  }
}

caf::error sqlite_event_store::impl::key_used_before(const append_request& r) {
  if (!r.remember)
    return {};
  const auto& k = *r.remember;
  if (!recall(k.scope, k.key, k.not_before_us).found)
    return {};
  return make_error(errc::duplicate, k.scope + " key " + k.key + " was used before");
}

int64_t sqlite_event_store::impl::next_subject_version(const std::string& subject) {
  subject_version.tryReset();
  reset_on_exit guard{subject_version};
  subject_version.bind(1, subject);
  subject_version.executeStep();
  return subject_version.getColumn(0).getInt64() + 1;
}

// The seq is the next one unless the cache is stale (another writer) or sqlite_sequence ran
// ahead (a deleted tail): then the hash is chained to the row really before it.
std::pair<int64_t, std::string> sqlite_event_store::impl::insert(event& e, int64_t prev_seq,
                                                                 const std::string& prev_hash) {
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

std::string sqlite_event_store::impl::hash_of_row_before(int64_t seq) {
  hash_before.tryReset();
  reset_on_exit guard{hash_before};
  hash_before.bind(1, seq);
  return hash_before.executeStep() ? hash_before.getColumn(0).getString() : std::string{};
}

int64_t sqlite_event_store::impl::insert_row(const event& e, const std::string& hash) {
  // `e` and `hash` outlive the step: SQLite need not copy their text.
  auto& st = insert_event;
  st.tryReset();
  reset_on_exit guard{st};
  st.bindNoCopy(1, e.id);
  st.bindNoCopy(2, e.source);
  st.bindNoCopy(3, e.type);
  st.bindNoCopy(4, e.subject);
  st.bind(5, e.subject_version);
  st.bind(6, e.time_us);
  st.bind(7, e.schema_version);
  st.bindNoCopy(8, e.correlation_id);
  st.bindNoCopy(9, e.causation_id);
  st.bindNoCopy(10, e.data);
  st.bindNoCopy(11, hash);
  st.bindNoCopy(12, e.actor);
  st.exec();
  return db.getLastInsertRowid();
}

void sqlite_event_store::impl::reset_write_statements() {
  for (auto* st : {&insert_event, &subject_version, &select_course, &upsert_course, &select_record,
                   &upsert_record, &set_hash, &hash_before, &save_checkpoint, &data_version})
    st->tryReset();
}

void sqlite_event_store::impl::run(SQLite::Statement& st) {
  st.tryReset();
  reset_on_exit guard{st};
  st.exec();
}

} // namespace cf
