// Exponential backoff with equal jitter.
#include "domain/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

std::chrono::milliseconds backoff_delay(const retry_policy& p, int32_t retry, double random01) {
  double base = static_cast<double>(p.initial_delay.count())
                * std::pow(std::max(1.0, p.multiplier), std::max(0, retry - 1));
  double capped = std::min(base, static_cast<double>(p.max_delay.count()));
  double jittered = capped / 2 + std::clamp(random01, 0.0, 1.0) * capped / 2;
  return std::chrono::milliseconds{static_cast<int64_t>(std::llround(jittered))};
}

std::chrono::milliseconds delay_until_retry(const event& failed, std::chrono::milliseconds limit) {
  auto data = nlohmann::json::parse(failed.data, nullptr, false);
  // find(), not value(): value() throws when the member has another type.
  auto will_retry = data.find("will_retry"); // end() for anything but an object
  auto retry_at = data.find("retry_at");
  if (will_retry == data.end() || *will_retry != true || retry_at == data.end()
      || !retry_at->is_string())
    return std::chrono::milliseconds{0};
  auto due = parse_time(retry_at->get<std::string>());
  if (!due)
    return std::chrono::milliseconds{0};
  auto limit_us = limit.count() > INT64_MAX / 1000 ? INT64_MAX : limit.count() * 1000;
  auto left_us = time_left_us(*due, now_us(), limit_us);
  return std::chrono::milliseconds{left_us / 1000 + (left_us % 1000 != 0 ? 1 : 0)};
}

} // namespace cf
