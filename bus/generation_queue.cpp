// The worker's Redis commands on the generation streams, and the reading of their replies.
#include "bus/generation_queue.hpp"

#include "util/errc.hpp"

namespace cf {

namespace {

caf::error odd_reply(const char* command) {
  return make_error(errc::internal, std::string{"redis "} + command + ": unexpected reply shape");
}

bool is_text(const redis_value& v) {
  return v.type == redis_value::kind::string || v.type == redis_value::kind::status;
}

/// [[id, [field, value, ...]], ...] into delivered jobs; a deleted entry (nil fields) comes
/// back with no fields.
caf::expected<std::vector<delivered_job>> entries_of(const redis_value& v, const char* command) {
  std::vector<delivered_job> out;
  if (v.is_nil())
    return out;
  if (v.type != redis_value::kind::array)
    return odd_reply(command);
  for (const auto& e : v.elements) {
    if (e.type != redis_value::kind::array || e.elements.size() != 2 || !is_text(e.elements[0]))
      return odd_reply(command);
    delivered_job j;
    j.entry_id = e.elements[0].str;
    const auto& kv = e.elements[1];
    if (kv.type == redis_value::kind::array) {
      if (kv.elements.size() % 2 != 0)
        return odd_reply(command);
      for (size_t i = 0; i + 1 < kv.elements.size(); i += 2)
        j.fields.emplace_back(kv.elements[i].str, kv.elements[i + 1].str);
    } else if (!kv.is_nil()) {
      return odd_reply(command);
    }
    out.push_back(std::move(j));
  }
  return out;
}

/// XADD `stream` * with `fields`; answers the entry id.
caf::expected<std::string> append(redis_connection& c, const std::string& stream,
                                  const stream_fields& fields) {
  std::vector<std::string> args{"XADD", stream, "*"};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  auto r = c.command(args);
  if (!r)
    return r.error();
  if (!is_text(*r))
    return odd_reply("XADD");
  return r->str;
}

/// The delivery count of one pending entry (XPENDING key group id id 1), 0 when it is no
/// longer pending.
caf::expected<int64_t> deliveries_of(redis_connection& c, const generation_streams& s,
                                     const std::string& id) {
  auto r = c.command({"XPENDING", s.jobs, s.group, id, id, "1"});
  if (!r)
    return r.error();
  if (r->type != redis_value::kind::array)
    return odd_reply("XPENDING");
  if (r->elements.empty())
    return int64_t{0};
  const auto& row = r->elements[0];
  if (row.type != redis_value::kind::array || row.elements.size() != 4
      || row.elements[3].type != redis_value::kind::integer)
    return odd_reply("XPENDING");
  return row.elements[3].integer;
}

} // namespace

namespace {

// The key beside the jobs stream: its last ":jobs" replaced by ":<name>", or "<jobs>:<name>".
std::string beside(const std::string& jobs, const std::string& name) {
  const std::string suffix = ":jobs";
  auto at = jobs.rfind(suffix);
  if (at == std::string::npos)
    return jobs + ":" + name;
  return jobs.substr(0, at) + ":" + name + jobs.substr(at + suffix.size());
}

} // namespace

std::string generation_streams::workers() const { return beside(jobs, "workers"); }

std::string generation_streams::reclaims() const { return beside(jobs, "reclaims"); }

caf::error ensure_group(redis_connection& c, const generation_streams& s) {
  auto r = c.command({"XGROUP", "CREATE", s.jobs, s.group, "0", "MKSTREAM"});
  if (!r
      && !(is(r.error(), errc::invalid_argument)
           && error_context(r.error()).find("BUSYGROUP") != std::string::npos))
    return r.error();
  return caf::none;
}

caf::expected<std::vector<delivered_job>> read_new_jobs(redis_connection& c,
                                                        const generation_streams& s, int count,
                                                        std::chrono::milliseconds block) {
  auto r = c.command({"XREADGROUP", "GROUP", s.group, s.worker, "COUNT", std::to_string(count),
                      "BLOCK", std::to_string(block.count()), "STREAMS", s.jobs, ">"});
  if (!r)
    return r.error();
  if (r->is_nil())
    return std::vector<delivered_job>{};
  // [[stream, entries]]
  if (r->type != redis_value::kind::array || r->elements.size() != 1
      || r->elements[0].type != redis_value::kind::array || r->elements[0].elements.size() != 2)
    return odd_reply("XREADGROUP");
  return entries_of(r->elements[0].elements[1], "XREADGROUP");
}

caf::expected<reclaimed_jobs> reclaim_jobs(redis_connection& c, const generation_streams& s,
                                           std::chrono::milliseconds min_idle,
                                           const std::string& cursor, int count) {
  auto r = c.command({"XAUTOCLAIM", s.jobs, s.group, s.worker, std::to_string(min_idle.count()),
                      cursor, "COUNT", std::to_string(count)});
  if (!r)
    return r.error();
  // [next-cursor, entries, deleted ids]
  if (r->type != redis_value::kind::array || r->elements.size() < 2 || !is_text(r->elements[0]))
    return odd_reply("XAUTOCLAIM");
  reclaimed_jobs out;
  out.next_cursor = r->elements[0].str;
  auto jobs = entries_of(r->elements[1], "XAUTOCLAIM");
  if (!jobs)
    return jobs.error();
  for (auto& j : *jobs) {
    auto n = deliveries_of(c, s, j.entry_id);
    if (!n)
      return n.error();
    if (*n == 0) // acknowledged meanwhile by the worker that held it
      continue;
    j.deliveries = *n;
    out.jobs.push_back(std::move(j));
  }
  return out;
}

caf::error touch_job(redis_connection& c, const generation_streams& s,
                     const std::string& entry_id) {
  auto r = c.command({"XCLAIM", s.jobs, s.group, s.worker, "0", entry_id, "JUSTID"});
  return r ? caf::none : r.error();
}

caf::error ack_job(redis_connection& c, const generation_streams& s, const std::string& entry_id) {
  auto r = c.command({"XACK", s.jobs, s.group, entry_id});
  return r ? caf::none : r.error();
}

caf::expected<std::string> add_result(redis_connection& c, const generation_streams& s,
                                      const generation_result& r) {
  return append(c, s.results, to_fields(r));
}

caf::error dead_letter(redis_connection& c, const generation_streams& s, const delivered_job& j,
                       const std::string& reason) {
  stream_fields f{{"reason", reason}, {"original_id", j.entry_id}};
  f.insert(f.end(), j.fields.begin(), j.fields.end());
  if (auto id = append(c, s.dead_letters(), f); !id)
    return id.error();
  return ack_job(c, s, j.entry_id);
}

caf::error heartbeat(redis_connection& c, const generation_streams& s, int64_t unix_ms) {
  auto r = c.command({"HSET", s.workers(), s.worker, std::to_string(unix_ms)});
  return r ? caf::none : r.error();
}

caf::error count_reclaims(redis_connection& c, const generation_streams& s, int64_t n) {
  auto r = c.command({"INCRBY", s.reclaims(), std::to_string(n)});
  return r ? caf::none : r.error();
}

} // namespace cf
