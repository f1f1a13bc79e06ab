// Stripe-style webhook signatures ("t=...,v1=<hex HMAC-SHA256 of "<t>.<body>">"): building the
// header and checking one, on top of util/crypto.
#include "util/signature_header.hpp"

#include <charconv>
#include <vector>

#include "util/crypto.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

std::string trim(const std::string& x) {
  auto first = x.find_first_not_of(" \t");
  if (first == std::string::npos)
    return {};
  auto last = x.find_last_not_of(" \t");
  return x.substr(first, last - first + 1);
}

/// Parses a whole decimal int64 (optional leading '-'); false on anything else or overflow.
bool parse_int64(const std::string& x, int64_t& out) {
  if (x.empty())
    return false;
  auto first = x.data();
  auto last = x.data() + x.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && ptr == last;
}

std::string signed_message(int64_t unix_seconds, const std::string& body) {
  std::string msg = std::to_string(unix_seconds);
  msg += '.';
  msg += body;
  return msg;
}

/// A rejected signature: the reason is the whole context, so callers can name it as it is.
caf::error rejected(const char* reason) { return make_error(errc::invalid_argument, reason); }

} // namespace

std::string sign_payload(const std::string& secret, const std::string& body, int64_t unix_seconds) {
  std::string out = "t=";
  out += std::to_string(unix_seconds);
  out += ",v1=";
  out += hmac_sha256_hex(secret, signed_message(unix_seconds, body));
  return out;
}

caf::error verify_signature(const std::string& secret, const std::string& header,
                            const std::string& body, int64_t now_seconds,
                            int64_t tolerance_seconds) {
  if (trim(header).empty())
    return rejected("missing");
  bool has_t = false;
  int64_t t = 0;
  std::vector<std::string> candidates;
  size_t pos = 0;
  while (pos <= header.size()) {
    auto comma = header.find(',', pos);
    if (comma == std::string::npos)
      comma = header.size();
    auto entry = trim(header.substr(pos, comma - pos));
    pos = comma + 1;
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue; // Not a key=value pair: ignore it, like unknown schemes.
    auto key = trim(entry.substr(0, eq));
    auto value = trim(entry.substr(eq + 1));
    if (key == "t") {
      int64_t parsed = 0;
      if (!parse_int64(value, parsed) || (has_t && parsed != t))
        return rejected("malformed");
      has_t = true;
      t = parsed;
    } else if (key == "v1") {
      for (auto& c : value)
        if (c >= 'A' && c <= 'F')
          c = static_cast<char>(c - 'A' + 'a');
      candidates.push_back(std::move(value));
    }
  }
  if (!has_t || candidates.empty())
    return rejected("malformed");
  auto expected = hmac_sha256_hex(secret, signed_message(t, body));
  if (expected.empty())
    return rejected("mismatch");
  bool matched = false;
  for (const auto& candidate : candidates)
    if (equal_in_constant_time(candidate, expected))
      matched = true; // Keep looping: the time taken does not depend on which entry matched.
  if (!matched)
    return rejected("mismatch");
  // |now - t| without signed overflow: unsigned subtraction of the larger minus the smaller.
  auto diff = t > now_seconds ? static_cast<uint64_t>(t) - static_cast<uint64_t>(now_seconds)
                              : static_cast<uint64_t>(now_seconds) - static_cast<uint64_t>(t);
  if (tolerance_seconds < 0 || diff > static_cast<uint64_t>(tolerance_seconds))
    return rejected("stale");
  return caf::none;
}

} // namespace cf
