// Exactly-once appends to a Redis stream: a key beside the stream keeps the last sequence number
// appended, and each batch is one MULTI/EXEC that appends only the entries past it and stores the
// new one (with a guard: only if the stream's last entry is then the batch's last, so only if
// the XADDs went through), atomically. The connection WATCHes that key, so an EXEC after anyone
// else moved it (another relay on the same stream, an operator) appends nothing and is tried again
// on what that client left. A batch sent twice (after a crash between the append and our own
// checkpoint, or a timeout whose append did happen: the next connection reads the key again)
// appends nothing the second time; a batch that would leave a gap is refused.
//
// Native XADDs in a transaction, not a Lua script: the same atomicity (Redis 7 writes a script's
// effects to the AOF as a MULTI/EXEC too) at about half Redis' CPU per entry (bench/RESULTS.md).
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

/// The last seq appended to `t` (0: none). Errors as redis_connection::command;
/// errc::storage_corrupt when the key holds no number.
caf::expected<int64_t> last_appended_seq(redis_connection& c, const stream_target& t);

/// Appends to one stream target over one connection, exactly once (see the top of this file).
/// Each append is one round trip: MULTI, the XADDs, the guarded store of the new last seq, EXEC,
/// and then WATCH, GET and TYPE for the next append.
class stream_appender {
public:
  /// Starts appending to `t` over `c`, which must outlive the appender and meanwhile run no
  /// MULTI, EXEC, DISCARD, WATCH, UNWATCH or RESET of its own (other commands are fine). Errors: as
  /// redis_connection::command; errc::conflict when the stream key holds another type than a
  /// stream.
  static caf::expected<stream_appender> start(redis_connection& c, stream_target t);

  /// The stream's last seq, as Redis said at the last call (0: none).
  int64_t last() const { return last_; }

  /// Appends the entries of `batch` whose seq is past the stored one, atomically, and answers
  /// the stored seq afterwards. Errors (nothing appended): errc::conflict when the new entries
  /// do not follow the stored seq one by one (a gap, or seqs out of order; with gaps_allowed
  /// they need only ascend), when the stream key holds another type, when an XADD failed in
  /// the transaction, or when other clients keep moving the seq key; otherwise as
  /// redis_connection::command (after which the connection is to be dropped).
  caf::expected<int64_t> append(const std::vector<stream_entry>& batch);

private:
  stream_appender(redis_connection& c, stream_target t) : c_(&c), t_(std::move(t)) {}
  /// Adds WATCH, GET and TYPE to `commands`; read_watch reads their three replies.
  void add_watch(std::vector<redis_args>& commands) const;
  caf::error read_watch(const std::vector<redis_value>& replies, size_t first);

  redis_connection* c_;
  stream_target t_;
  std::string maxlen_; ///< t_.maxlen as text
  int64_t last_ = 0;
};

} // namespace cf
