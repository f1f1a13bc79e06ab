// Single-use, short-lived tickets for the event stream (http/stream_tickets.hpp).
#include "http/stream_tickets.hpp"

#include "util/crypto.hpp"

namespace cf {

stream_tickets::stream_tickets(clock_fn now_us, int64_t ttl_us, size_t max_open)
    : now_us_(std::move(now_us)), ttl_us_(ttl_us), max_open_(max_open) {}

void stream_tickets::prune(int64_t now) {
  for (auto i = open_.begin(); i != open_.end();)
    i = i->second.expires_us <= now ? open_.erase(i) : std::next(i);
  while (open_.size() >= max_open_) { // all still valid: the one expiring first goes
    auto oldest = open_.begin();
    for (auto i = open_.begin(); i != open_.end(); ++i)
      if (i->second.expires_us < oldest->second.expires_us)
        oldest = i;
    open_.erase(oldest);
  }
}

std::string stream_tickets::issue(const std::string& token_hash) {
  auto ticket = random_hex(32);
  if (!ticket)
    return {};
  auto now = now_us_();
  std::lock_guard<std::mutex> guard{mu_};
  prune(now);
  open_[sha256_hex(*ticket)] = entry{token_hash, now + ttl_us_};
  return *ticket;
}

std::optional<std::string> stream_tickets::redeem(const std::string& ticket) {
  if (!is_ticket_shaped(ticket))
    return std::nullopt;
  auto key = sha256_hex(ticket);
  auto now = now_us_();
  std::lock_guard<std::mutex> guard{mu_};
  auto i = open_.find(key);
  if (i == open_.end())
    return std::nullopt;
  auto e = std::move(i->second);
  open_.erase(i); // single use, also when it came too late
  if (now >= e.expires_us)
    return std::nullopt;
  return e.token_hash;
}

size_t stream_tickets::size() {
  std::lock_guard<std::mutex> guard{mu_};
  return open_.size();
}

bool is_ticket_shaped(const std::string& text) {
  if (text.size() != 64)
    return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace cf
