// UTF-8 validation (RFC 3629; table 3-7 of the Unicode standard: the well-formed byte sequences)
// and JSON parsing that does not stop at a NUL byte.
#include "util/json_text.hpp"

#include <nlohmann/json.hpp>

namespace cf {

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < n && byte(k) >= lo && byte(k) <= hi;
  };
  while (i < n) {
    auto c = byte(i);
    if (c < 0x80) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(i + 1))
        return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      // E0: no overlongs (A0..BF); ED: no surrogates (80..9F).
      unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
      unsigned char hi = c == 0xED ? 0x9F : 0xBF;
      if (!cont(i + 1, lo, hi) || !cont(i + 2))
        return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      // F0: no overlongs (90..BF); F4: nothing above U+10FFFF (80..8F).
      unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
      unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3))
        return false;
      i += 4;
    } else {
      return false; // 80..C1 (a stray continuation or an overlong lead), F5..FF
    }
  }
  return true;
}

nlohmann::json parse_json_exact(std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, false);
}

} // namespace cf
