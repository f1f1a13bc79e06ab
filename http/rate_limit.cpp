// Token buckets, refilled lazily on each request.
#include "http/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cf {

rate_limiter::rate_limiter(double rate, double burst, size_t max_clients)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_clients_(std::max<size_t>(max_clients, 1)) {}

bool rate_limiter::allow(const std::string& client, clock::time_point now,
                         std::chrono::milliseconds& retry_after) {
  if (rate_ <= 0)
    return true;
  std::lock_guard<std::mutex> lock{mx_};
  auto i = buckets_.find(client);
  if (i == buckets_.end()) {
    if (buckets_.size() >= max_clients_)
      evict_idle(now);
    i = buckets_.emplace(client, bucket{burst_, now}).first;
  }
  auto& b = i->second;
  auto elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retry_after =
      std::chrono::milliseconds{static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_ * 1000.0))};
  return false;
}

// Drops every bucket idle long enough to be full again (it would start full anyway); if none
// is, the half that waited longest.
void rate_limiter::evict_idle(clock::time_point now) {
  auto full_after = std::chrono::duration<double>(burst_ / rate_);
  for (auto i = buckets_.begin(); i != buckets_.end();)
    i = now - i->second.last >= full_after ? buckets_.erase(i) : std::next(i);
  if (buckets_.size() < max_clients_)
    return;
  std::vector<clock::time_point> times;
  times.reserve(buckets_.size());
  for (const auto& [_, b] : buckets_) times.push_back(b.last);
  auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), mid, times.end());
  for (auto i = buckets_.begin(); i != buckets_.end();)
    i = i->second.last <= *mid ? buckets_.erase(i) : std::next(i);
}

size_t rate_limiter::clients() const {
  std::lock_guard<std::mutex> lock{mx_};
  return buckets_.size();
}

} // namespace cf
