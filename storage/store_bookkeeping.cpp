// The store's bookkeeping beside the log: the consumers' checkpoints (how far each has handled
// the log) and the idempotency records of requests already answered.
#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/detail/store_impl.hpp"
#include "storage/detail/store_sql.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

constexpr int64_t purge_interval_us = 60 * 1000000;

constexpr const char* all_checkpoints_sql =
    "SELECT consumer, seq FROM checkpoints ORDER BY consumer";

} // namespace

idempotency_record sqlite_event_store::impl::recall(const std::string& scope,
                                                    const std::string& key, int64_t not_before_us) {
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

void sqlite_event_store::impl::remember(const idempotency_record& r) {
  upsert_record.tryReset();
  reset_on_exit guard{upsert_record};
  upsert_record.bind(1, r.scope);
  upsert_record.bind(2, r.key);
  upsert_record.bind(3, r.fingerprint);
  upsert_record.bind(4, r.response);
  auto now = now_us();
  upsert_record.bind(5, r.created_us != 0 ? r.created_us : now);
  upsert_record.exec();
  // Keys and provider event ids past their retention are deleted, not only ignored: without
  // this the table would grow with every request that carried a key.
  auto& last = last_purge_us[r.scope];
  if (r.not_before_us > 0 && now - last >= purge_interval_us) {
    SQLite::Statement purge{db, store_sql::purge_records};
    purge.bind(1, r.scope);
    purge.bind(2, r.not_before_us);
    purge.exec();
    last = now;
  }
}

void sqlite_event_store::impl::store_checkpoint(const std::string& consumer, int64_t seq) {
  save_checkpoint.tryReset();
  reset_on_exit guard{save_checkpoint};
  save_checkpoint.bind(1, consumer);
  save_checkpoint.bind(2, seq);
  save_checkpoint.exec();
}

int64_t sqlite_event_store::impl::stored_checkpoint(const std::string& consumer) {
  load_checkpoint.tryReset();
  reset_on_exit guard{load_checkpoint};
  load_checkpoint.bind(1, consumer);
  return load_checkpoint.executeStep() ? load_checkpoint.getColumn(0).getInt64() : 0;
}

caf::expected<int64_t> sqlite_event_store::save_checkpoint(const checkpoint& cp) {
  if (cp.consumer.empty())
    return make_error(errc::invalid_argument, "a checkpoint needs a consumer name");
  if (auto err = impl_->refuse_after_failed_sync())
    return err;
  try {
    impl_->store_checkpoint(cp.consumer, cp.seq);
    return impl_->stored_checkpoint(cp.consumer);
  } catch (const SQLite::Exception& ex) {
    return impl_->note_failure(ex);
  }
}

caf::expected<int64_t> sqlite_event_store::load_checkpoint(const std::string& consumer) {
  try {
    if (consumer == courses_projection) // as far as the log is folded
      impl_->write_unwritten_before_read();
    return impl_->stored_checkpoint(consumer);
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<std::vector<checkpoint>> sqlite_event_store::checkpoints() {
  try {
    impl_->write_unwritten_before_read(); // the projection's as far as the log is folded
    SQLite::Statement st{impl_->db, all_checkpoints_sql};
    std::vector<checkpoint> out;
    while (st.executeStep())
      out.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64()});
    return out;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
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

} // namespace cf
