// Exactly-once appends to a Redis stream: a Lua script that appends only entries past the last
// sequence number it keeps in a key beside the stream, and stores the new one, atomically. A
// batch sent twice (after a crash between the append and our own checkpoint, or a timeout whose
// append did happen) appends nothing the second time; a batch that would leave a gap is refused.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bus/redis_connection.hpp"

namespace cf {

/// One stream entry: the log's sequence number it carries and its fields in order.
struct stream_entry {
  int64_t seq = 0;
  std::vector<std::pair<std::string, std::string>> fields;
};

/// Where and how entries are appended.
struct stream_target {
  std::string stream;  ///< The stream key, e.g. "coursefactory:events".
  std::string seq_key; ///< The key holding the last appended seq, e.g. "coursefactory:events:seq".
  int64_t maxlen = 0;  ///< Approximate trim (MAXLEN ~); 0: never trimmed.
  /// A stream of some event types only (e.g. the generation jobs): its seqs have gaps, so only
  /// "past the stored seq" is checked, not "right after it".
  bool gaps_allowed = false;
};

/// Loads the append script into Redis' script cache; returns its SHA1 for append_after. Needed
/// again after Redis restarts (its script cache is empty then).
caf::expected<std::string> load_append_script(redis_connection& c);

/// The last seq appended to `t` (0: none). Errors as redis_connection::command.
caf::expected<int64_t> last_appended_seq(redis_connection& c, const stream_target& t);

/// Appends the entries of `batch` (in ascending seq order) whose seq is past the stored one,
/// atomically, and answers the stored seq afterwards. Errors: errc::conflict when the first new
/// entry is not the stored seq + 1 (a gap), otherwise as redis_connection::command.
caf::expected<int64_t> append_after(redis_connection& c, const std::string& script_sha,
                                    const stream_target& t, const std::vector<stream_entry>& batch);

} // namespace cf
