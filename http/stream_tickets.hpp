// Stream tickets: EventSource cannot send an Authorization header, so a client that holds a
// token asks POST /v1/stream-tickets for a ticket and opens GET /v1/events/stream?ticket=...
// A ticket is random, names the token it was issued for, lives a short while and opens one
// stream only. The ticket itself is never stored or logged: only its SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cf {

/// The tickets of one server. Safe for concurrent use.
class stream_tickets {
public:
  using clock_fn = std::function<int64_t()>; ///< Microseconds; util/time.hpp now_us() in service.

  /// Tickets live `ttl_us`; at most `max_open` are unredeemed at once (the oldest is dropped).
  stream_tickets(clock_fn now_us, int64_t ttl_us = 30'000'000, size_t max_open = 1024);

  /// A new ticket (64 lower-case hex characters) for the token whose hash is `token_hash`.
  /// Empty when no random bytes could be read.
  std::string issue(const std::string& token_hash);

  /// The hash of the token `ticket` was issued for, if it is known and not expired; the ticket
  /// is used up either way. Anything but 64 hex characters is unknown without a lookup.
  std::optional<std::string> redeem(const std::string& ticket);

  /// Seconds a ticket lives, for the answer to the client.
  int64_t ttl_seconds() const { return ttl_us_ / 1'000'000; }

  /// Unredeemed tickets held right now (expired ones included until the next issue()).
  size_t size();

private:
  struct entry {
    std::string token_hash;
    int64_t expires_us = 0;
  };
  void prune(int64_t now); // REQUIRES: mu_ held.

  clock_fn now_us_;
  int64_t ttl_us_;
  size_t max_open_;
  std::mutex mu_;
  std::unordered_map<std::string, entry> open_; // by SHA-256 of the ticket
};

/// True for exactly 64 characters of [0-9a-f]: the form issue() hands out.
bool is_ticket_shaped(const std::string& text);

} // namespace cf
