// Exponential backoff with equal jitter.
#include "actors/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace cf {

std::chrono::milliseconds backoff_delay(const retry_policy& p, int32_t retry, double random01) {
  double base = static_cast<double>(p.initial_delay.count())
                * std::pow(std::max(1.0, p.multiplier), std::max(0, retry - 1));
  double capped = std::min(base, static_cast<double>(p.max_delay.count()));
  double jittered = capped / 2 + std::clamp(random01, 0.0, 1.0) * capped / 2;
  return std::chrono::milliseconds{static_cast<int64_t>(std::llround(jittered))};
}

} // namespace cf
