// The Redis adapter: the only code that speaks to Redis (hiredis 0.14 from Debian). One blocking
// connection with a timeout on every call, binary-safe arguments, and replies copied into plain
// values so that no hiredis type leaves this folder.
#pragma once

#include <caf/expected.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cf {

/// Where Redis listens: from a URL `redis://HOST[:PORT][/DB]` (port 6379 and db 0 by default).
struct redis_address {
  std::string host;
  int port = 6379;
  int db = 0;
};

/// Parses a redis:// URL. Errors: errc::invalid_argument naming what is wrong.
caf::expected<redis_address> parse_redis_url(const std::string& url);

/// One reply of Redis, copied out of hiredis.
struct redis_value {
  enum class kind { nil, integer, string, status, error, array };
  kind type = kind::nil;
  int64_t integer = 0;
  std::string str; ///< string, status and error replies.
  std::vector<redis_value> elements;

  bool is_nil() const { return type == kind::nil; }
};

/// One command's arguments for redis_connection::pipeline: views into strings that the caller
/// keeps alive for the call (binary-safe, nothing copied before hiredis formats them).
using redis_args = std::vector<std::string_view>;

/// A blocking connection. Not safe for concurrent use: one per thread (or detached actor).
class redis_connection {
public:
  /// Connects to `addr` (and SELECTs its db), with `timeout` for the connect and for every later
  /// call. Errors: errc::storage_unavailable with hiredis' reason.
  static caf::expected<std::unique_ptr<redis_connection>> connect(
      const redis_address& addr, std::chrono::milliseconds timeout);

  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  /// Runs one command. A Redis error reply is errc::invalid_argument with its text (the command
  /// or script was wrong); a broken connection or a timeout is errc::storage_unavailable, and
  /// the connection is unusable afterwards (broken() is true).
  caf::expected<redis_value> command(const std::vector<std::string>& args);

  /// Sends `commands` in one write and reads their replies, in order, in one round trip. A
  /// Redis error reply is a value here (kind::error), for the caller to judge (in a MULTI each
  /// queued command answers on its own); a broken connection or a timeout fails the whole call
  /// as in command.
  caf::expected<std::vector<redis_value>> pipeline(const std::vector<redis_args>& commands);

  /// True once a call failed on the connection itself: reconnect.
  bool broken() const { return broken_; }

private:
  struct impl;
  explicit redis_connection(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  bool broken_ = false;
};

} // namespace cf
