// The exactly-once appender: MULTI/EXEC under a WATCH of the seq key.
#include "bus/stream_append.hpp"

#include <algorithm>

#include "util/errc.hpp"

namespace cf {

namespace {

/// A GET reply as a seq: nil is 0.
caf::expected<int64_t> seq_of(const redis_value& v, const std::string& key) {
  if (v.is_nil())
    return int64_t{0};
  if (v.type == redis_value::kind::error)
    return make_error(errc::invalid_argument, "redis GET " + key + ": " + v.str);
  try {
    size_t used = 0;
    auto n = std::stoll(v.str, &used);
    if (used == v.str.size())
      return static_cast<int64_t>(n);
  } catch (const std::exception&) {
  }
  return make_error(errc::storage_corrupt, key + " holds " + v.str + ", not a number");
}

/// How many times an append is tried again after another client moved the seq key.
constexpr int watch_retries = 3;

// The last command of each transaction: stores the new last seq only if the stream's last entry
// is the batch's last one, field for field, that is only if the XADDs before it in the EXEC were
// appended (a transaction does not roll back: a plain SET would store the seq even though the
// XADDs failed, on a key that someone replaced by another type or on a stream whose last id is
// the largest possible; such errors are the stream's, so the XADDs of one EXEC fail together).
// Nothing runs between the XADDs and this check, and no entry the log relays equals another (each
// carries its event's id). KEYS[1] stream, KEYS[2] seq key, ARGV[1] the new last seq, then the last
// entry's fields and values. Sent as text with EVAL: Redis caches it by its SHA1, and nothing needs
// loading again after a restart.
constexpr const char* store_seq_script = R"lua(
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local same = last ~= nil and #last[2] == #ARGV - 1
local i = 2
while same and i <= #ARGV do
  same = last[2][i - 1] == ARGV[i]
  i = i + 1
end
if not same then
  return redis.error_reply('NOTAPPENDED the last entry of ' .. KEYS[1] ..
                           ' is not the batch\'s last: the seq stays')
end
redis.call('SET', KEYS[2], ARGV[1])
return 1
)lua";

} // namespace

caf::expected<int64_t> last_appended_seq(redis_connection& c, const stream_target& t) {
  auto r = c.command({"GET", t.seq_key});
  if (!r)
    return r.error();
  return seq_of(*r, t.seq_key);
}

caf::expected<stream_appender> stream_appender::start(redis_connection& c, stream_target t) {
  stream_appender a{c, std::move(t)};
  a.maxlen_ = std::to_string(a.t_.maxlen);
  std::vector<redis_args> commands;
  a.add_watch(commands);
  auto replies = c.pipeline(commands);
  if (!replies)
    return replies.error();
  if (auto err = a.read_watch(*replies, 0))
    return err;
  return a;
}

void stream_appender::add_watch(std::vector<redis_args>& commands) const {
  commands.push_back({"WATCH", t_.seq_key});
  commands.push_back({"GET", t_.seq_key});
  commands.push_back({"TYPE", t_.stream});
}

caf::error stream_appender::read_watch(const std::vector<redis_value>& replies, size_t first) {
  const auto& watch = replies.at(first);
  if (watch.type == redis_value::kind::error)
    return make_error(errc::invalid_argument, "redis WATCH " + t_.seq_key + ": " + watch.str);
  auto last = seq_of(replies.at(first + 1), t_.seq_key);
  if (!last)
    return last.error();
  last_ = *last;
  // A key of another type fails every XADD (and the guard keeps the seq): refused here already,
  // with an error that says why, before the next MULTI.
  const auto& type = replies.at(first + 2);
  if (type.str != "stream" && type.str != "none")
    return make_error(errc::conflict, t_.stream + " holds a " + type.str + ", not a stream");
  return {};
}

caf::expected<int64_t> stream_appender::append(const std::vector<stream_entry>& batch) {
  for (int attempt = 0; attempt <= watch_retries; ++attempt) {
    auto first = std::find_if(batch.begin(), batch.end(),
                              [&](const stream_entry& e) { return e.seq > last_; });
    if (first == batch.end())
      return last_; // all there already
    if (!t_.gaps_allowed && first->seq != last_ + 1)
      return make_error(errc::conflict, "GAP " + t_.stream + " has seq " + std::to_string(last_)
                                            + ", batch continues at " + std::to_string(first->seq));
    for (auto e = first + 1; e != batch.end(); ++e) // in order, and without gaps if so told
      if (e->seq <= (e - 1)->seq || (!t_.gaps_allowed && e->seq != (e - 1)->seq + 1))
        return make_error(errc::conflict, "GAP in the batch: seq " + std::to_string(e->seq)
                                              + " follows " + std::to_string((e - 1)->seq));
    auto new_last = std::to_string(batch.back().seq);
    std::vector<redis_args> commands;
    commands.reserve(static_cast<size_t>(batch.end() - first) + 6);
    commands.push_back({"MULTI"});
    for (auto e = first; e != batch.end(); ++e) {
      redis_args xadd{"XADD", t_.stream};
      xadd.reserve(7 + 2 * e->fields.size());
      if (t_.maxlen > 0)
        xadd.insert(xadd.end(), {"MAXLEN", "~", maxlen_});
      xadd.push_back("*");
      for (const auto& [field, value] : e->fields) {
        xadd.push_back(field);
        xadd.push_back(value);
      }
      commands.push_back(std::move(xadd));
    }
    redis_args store{"EVAL", store_seq_script, "2", t_.stream, t_.seq_key, new_last};
    for (const auto& [field, value] : batch.back().fields) {
      store.push_back(field);
      store.push_back(value);
    }
    commands.push_back(std::move(store));
    commands.push_back({"EXEC"});
    auto exec_at = commands.size() - 1;
    add_watch(commands);
    auto replies = c_->pipeline(commands);
    if (!replies)
      return replies.error();
    if (auto err = read_watch(*replies, exec_at + 1))
      return err;
    const auto& exec = (*replies)[exec_at];
    if (exec.type == redis_value::kind::error) // EXECABORT: a command was refused as queued
      return make_error(errc::invalid_argument, "redis EXEC on " + t_.stream + ": " + exec.str);
    if (exec.is_nil())
      continue; // another client moved the seq key: nothing appended; again on what it left
    for (const auto& r : exec.elements)
      if (r.type == redis_value::kind::error) // an XADD failed: the guard kept the seq
        return make_error(errc::conflict, "redis " + t_.stream + " inside EXEC: " + r.str);
    return last_;
  }
  return make_error(errc::conflict, "other clients keep moving " + t_.seq_key + " (tried "
                                        + std::to_string(watch_retries + 1) + " times)");
}

} // namespace cf
