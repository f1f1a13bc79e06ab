// Token buckets, refilled lazily on each request.
#include "http/rate_limit.hpp"

#include <httplib.h>

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

route_class classify_route(const std::string& method, const std::string& path) {
  auto starts = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  auto ends = [&](const std::string& suffix) {
    return path.size() >= suffix.size()
           && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (method == "POST") {
    if (path == "/v1/courses")
      return route_class::create;
    if (path == "/v1/payments/webhook")
      return route_class::webhook;
    if (starts("/v1/courses/") && ends("/retry"))
      return route_class::retry;
    return route_class::other;
  }
  if (method == "GET" || method == "HEAD") {
    if (path == "/v1/events/stream")
      return route_class::stream;
    if (path == "/metrics")
      return route_class::metrics;
    if (starts("/v1/"))
      return route_class::read;
  }
  return route_class::other;
}

const char* route_class_name(route_class c) {
  static constexpr const char* names[route_class_count] = {"create",  "retry",   "read", "stream",
                                                           "metrics", "webhook", "other"};
  return names[static_cast<size_t>(c)];
}

std::string client_address(const httplib::Request& req) { return req.remote_addr; }

route_rate_limits::route_rate_limits(const rate_budgets& b, client_key_fn key)
    : key_(std::move(key)) {
  for (size_t i = 0; i < route_class_count; ++i)
    limiters_[i] = std::make_unique<rate_limiter>(b.of[i].rate_per_s, b.of[i].burst);
}

bool route_rate_limits::allow(const httplib::Request& req, rate_limiter::clock::time_point now,
                              std::chrono::milliseconds& retry_after, route_class& cls) {
  cls = classify_route(req.method, req.path);
  return limiters_[static_cast<size_t>(cls)]->allow(key_(req), now, retry_after);
}

size_t rate_limiter::clients() const {
  std::lock_guard<std::mutex> lock{mx_};
  return buckets_.size();
}

} // namespace cf
