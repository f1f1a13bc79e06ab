// Wall-clock time: the system clock in microseconds since the Unix epoch, and its RFC 3339 form.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <string>

namespace cf {

/// Microseconds since the Unix epoch, from the system clock (plus the test offset below).
/// The wall clock may jump (NTP steps, an operator's `date -s`): order by seq, time timers with
/// a monotonic clock (CAF's delayed_send), and compare stored wall times only through time_left_us.
int64_t now_us();

/// How long to wait for a deadline stored as wall time (`deadline_us`, as the log keeps it) when
/// a timer is armed again from it, e.g. after a restart: `deadline_us - now_us` clamped to
/// [0, `limit_us`], where `limit_us` is the configured length of that wait. A clock that jumped
/// forward fires the timer early; one that jumped back never makes it wait longer than the
/// configured length. Never overflows.
int64_t time_left_us(int64_t deadline_us, int64_t now_us, int64_t limit_us);

/// True when `time_us` (a stored wall time, such as a course's last change) lies within the last
/// `window_us` before `now_us`. A time ahead of now (the wall clock was set back since) does
/// not count as recent: its age is unknown, and sweeps that skip recent changes must not skip
/// such a course until the clock has caught up.
bool changed_within(int64_t time_us, int64_t now_us, int64_t window_us);

/// Test hook: makes now_us() run `offset_us` ahead of (negative: behind) the system clock, as if
/// the wall clock had jumped; monotonic clocks and timers are not affected. 0 restores it.
void set_wall_clock_offset_for_testing(int64_t offset_us);

/// Formats microseconds since the epoch as RFC 3339 UTC with six fractional digits.
std::string format_time(int64_t time_us);

/// Parses what format_time writes (also accepts fewer fractional digits and a numeric offset).
/// Errors: errc::invalid_argument.
caf::expected<int64_t> parse_time(const std::string& text);

} // namespace cf
