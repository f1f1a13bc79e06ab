// Wall-clock time as the log stores it (microseconds since the Unix epoch) and as the API writes
// it (RFC 3339, UTC, six fractional digits).
#include "util/time.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "util/errc.hpp"

namespace cf {

namespace {

std::atomic<int64_t> wall_clock_offset_us{0};

} // namespace

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()
         + wall_clock_offset_us.load(std::memory_order_relaxed);
}

int64_t time_left_us(int64_t deadline_us, int64_t now_us, int64_t limit_us) {
  if (limit_us <= 0 || deadline_us <= now_us)
    return 0;
  int64_t left = 0;
  if (__builtin_sub_overflow(deadline_us, now_us, &left) || left > limit_us)
    return limit_us;
  return left;
}

bool changed_within(int64_t time_us, int64_t now_us, int64_t window_us) {
  int64_t age = 0;
  return window_us > 0 && time_us <= now_us && !__builtin_sub_overflow(now_us, time_us, &age)
         && age < window_us;
}

void set_wall_clock_offset_for_testing(int64_t offset_us) {
  wall_clock_offset_us.store(offset_us, std::memory_order_relaxed);
}

std::string format_time(int64_t time_us) {
  int64_t secs = time_us / 1000000;
  int64_t frac = time_us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int year = tm.tm_year + 1900;
  char buf[80];
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", year, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
    return buf;
  }
  // The same text without snprintf (a CloudEvent per relayed event formats one).
  char out[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](int at, int64_t value, int width) {
    for (int i = at + width - 1; i >= at; --i, value /= 10)
      out[i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  put(5, tm.tm_mon + 1, 2);
  put(8, tm.tm_mday, 2);
  put(11, tm.tm_hour, 2);
  put(14, tm.tm_min, 2);
  put(17, tm.tm_sec, 2);
  put(20, frac, 6);
  return out;
}

caf::expected<int64_t> parse_time(const std::string& s) {
  auto bad = [&] { return make_error(errc::invalid_argument, "not an RFC 3339 time: " + s); };
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed)
          != 6
      || consumed != 19)
    return bad();
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t us = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int digits = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits)
      if (digits < 6)
        us = us * 10 + (s[i] - '0');
    if (digits == 0)
      return bad();
    for (; digits < 6; ++digits) us *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2)
      return bad();
    offset = (s[i] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size())
    return bad();
  return (static_cast<int64_t>(timegm(&tm)) - offset) * 1000000 + us;
}

} // namespace cf
