// Wall-clock time: the system clock in microseconds since the Unix epoch, and its RFC 3339 form.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <string>

namespace cf {

/// Microseconds since the Unix epoch, from the system clock.
int64_t now_us();

/// Formats microseconds since the epoch as RFC 3339 UTC with six fractional digits.
std::string format_time(int64_t time_us);

/// Parses what format_time writes (also accepts fewer fractional digits and a numeric offset).
/// Errors: errc::invalid_argument.
caf::expected<int64_t> parse_time(const std::string& text);

} // namespace cf
