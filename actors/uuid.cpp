// UUIDv7 generation: 48-bit ms timestamp, version 7, 12-bit per-thread counter, 62 random bits.
#include "actors/uuid.hpp"

#include <chrono>
#include <random>

namespace cf {

namespace {

struct generator_state {
  std::mt19937_64 rng{std::random_device{}()};
  int64_t last_ms = -1;
  uint16_t counter = 0;
};

thread_local generator_state tls;

std::string format(uint64_t hi, uint64_t lo) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t word, int nibbles_from, int nibbles_to) {
    for (int i = nibbles_from; i < nibbles_to; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
        ++pos;
      out[pos++] = hex[(word >> (60 - 4 * i)) & 0xF];
    }
  };
  put(hi, 0, 16);
  put(lo, 0, 16);
  return out;
}

} // namespace

std::string make_uuid_v7(int64_t unix_ms) {
  uint64_t hi = (static_cast<uint64_t>(unix_ms) << 16) | 0x7000 | (tls.rng() & 0xFFF);
  uint64_t lo = (tls.rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  return format(hi, lo);
}

std::string make_uuid_v7() {
  using namespace std::chrono;
  auto unix_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  auto& st = tls;
  if (unix_ms > st.last_ms) {
    st.last_ms = unix_ms;
    st.counter = static_cast<uint16_t>(st.rng() & 0x1FF); // random start, room to count up
  } else if (++st.counter > 0xFFF) {
    ++st.last_ms; // counter exhausted: borrow the next millisecond
    st.counter = 0;
  }
  uint64_t hi = (static_cast<uint64_t>(st.last_ms) << 16) | 0x7000 | st.counter;
  uint64_t lo = (st.rng() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  return format(hi, lo);
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

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace cf
