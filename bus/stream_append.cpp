// The exactly-once append script and its calls.
#include "bus/stream_append.hpp"

#include "util/errc.hpp"

namespace cf {

namespace {

// KEYS[1] stream, KEYS[2] last-seq key. ARGV[1] maxlen (0: none), ARGV[2] gaps allowed ('1':
// a stream of some event types only), then per entry: seq, field count n, then n field/value
// pairs. Appends the entries past the stored seq, in order, refuses a gap (unless allowed),
// stores the new last seq, answers it. A script runs atomically.
constexpr const char* append_script = R"lua(
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local maxlen = ARGV[1]
local gaps = ARGV[2] == '1'
local i = 3
while i <= #ARGV do
  local seq = tonumber(ARGV[i])
  local n = tonumber(ARGV[i + 1])
  if seq > last then
    if seq ~= last + 1 and not gaps then
      return redis.error_reply('GAP stream has seq ' .. last .. ', batch continues at ' .. seq)
    end
    local args = {KEYS[1]}
    if maxlen ~= '0' then
      args[#args + 1] = 'MAXLEN'
      args[#args + 1] = '~'
      args[#args + 1] = maxlen
    end
    args[#args + 1] = '*'
    for j = i + 2, i + 1 + 2 * n do
      args[#args + 1] = ARGV[j]
    end
    redis.call('XADD', unpack(args))
    last = seq
  end
  i = i + 2 + 2 * n
end
redis.call('SET', KEYS[2], last)
return last
)lua";

} // namespace

caf::expected<std::string> load_append_script(redis_connection& c) {
  auto r = c.command({"SCRIPT", "LOAD", append_script});
  if (!r)
    return r.error();
  return r->str;
}

caf::expected<int64_t> last_appended_seq(redis_connection& c, const stream_target& t) {
  auto r = c.command({"GET", t.seq_key});
  if (!r)
    return r.error();
  if (r->is_nil())
    return int64_t{0};
  try {
    return static_cast<int64_t>(std::stoll(r->str));
  } catch (const std::exception&) {
    return make_error(errc::storage_corrupt, t.seq_key + " holds " + r->str + ", not a number");
  }
}

caf::expected<int64_t> append_after(redis_connection& c, const std::string& script_sha,
                                    const stream_target& t,
                                    const std::vector<stream_entry>& batch) {
  std::vector<std::string> args{"EVALSHA",
                                script_sha,
                                "2",
                                t.stream,
                                t.seq_key,
                                std::to_string(t.maxlen),
                                t.gaps_allowed ? "1" : "0"};
  for (const auto& e : batch) {
    args.push_back(std::to_string(e.seq));
    args.push_back(std::to_string(e.fields.size()));
    for (const auto& [field, value] : e.fields) {
      args.push_back(field);
      args.push_back(value);
    }
  }
  auto r = c.command(args);
  if (!r) {
    if (error_context(r.error()).find("GAP ") != std::string::npos)
      return make_error(errc::conflict, error_context(r.error()));
    return r.error();
  }
  return r->integer;
}

} // namespace cf
