// UUIDv7 generation: 48-bit ms timestamp, version 7, 12-bit counter, 62 random bits.
#include "util/uuid.hpp"

#include <chrono>
#include <mutex>
#include <random>

namespace cf {

namespace {

// One process-wide clock state: ids are ordered across threads too (course ids are made on any
// of the scheduler's threads, and the course list pages by id).
struct clock_state {
  std::mutex mtx;
  int64_t last_ms = -1;
  uint16_t counter = 0;
};

clock_state shared_clock;
thread_local std::mt19937_64 tls_rng{std::random_device{}()};

std::string format(uint64_t hi, uint64_t lo) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t word) {
    for (int i = 0; i < 16; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
        ++pos;
      out[pos++] = hex[(word >> (60 - 4 * i)) & 0xF];
    }
  };
  put(hi);
  put(lo);
  return out;
}

uint64_t random_low() { return (tls_rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull; }

} // namespace

std::string make_uuid_v7(int64_t unix_ms) {
  uint64_t hi = (static_cast<uint64_t>(unix_ms) << 16) | 0x7000 | (tls_rng() & 0xFFF);
  return format(hi, random_low());
}

std::string make_uuid_v7() {
  using namespace std::chrono;
  auto unix_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  uint64_t hi = 0;
  {
    std::lock_guard<std::mutex> guard{shared_clock.mtx};
    auto& st = shared_clock;
    if (unix_ms > st.last_ms) {
      st.last_ms = unix_ms;
      st.counter = static_cast<uint16_t>(tls_rng() & 0x1FF); // random start, room to count up
    } else if (++st.counter > 0xFFF) {
      ++st.last_ms; // counter exhausted: borrow the next millisecond
      st.counter = 0;
    }
    hi = (static_cast<uint64_t>(st.last_ms) << 16) | 0x7000 | st.counter;
  }
  return format(hi, random_low());
}

bool is_uuid_v7(const std::string& s) {
  if (s.size() != 36)
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return s[14] == '7' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

} // namespace cf
