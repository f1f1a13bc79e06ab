// Stripe-style webhook signatures ("t=...,v1=<hex HMAC-SHA256 of "<t>.<body>">") on top of
// OpenSSL libcrypto's one-shot HMAC and digest APIs.
#include "util/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <vector>

namespace cf {

namespace {

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0F];
  }
  return out;
}

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

} // namespace

std::string hmac_sha256_hex(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  auto res =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len);
  if (res == nullptr)
    return {};
  return to_hex(out, out_len);
}

std::string sha256_hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &out_len, EVP_sha256(), nullptr) != 1)
    return {};
  return to_hex(out, out_len);
}

std::string sign_payload(const std::string& secret, const std::string& body, int64_t unix_seconds) {
  std::string out = "t=";
  out += std::to_string(unix_seconds);
  out += ",v1=";
  out += hmac_sha256_hex(secret, signed_message(unix_seconds, body));
  return out;
}

signature_check verify_signature(const std::string& secret, const std::string& header,
                                 const std::string& body, int64_t now_seconds,
                                 int64_t tolerance_seconds) {
  if (trim(header).empty())
    return signature_check::missing;
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
        return signature_check::malformed;
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
    return signature_check::malformed;
  auto expected = hmac_sha256_hex(secret, signed_message(t, body));
  if (expected.empty())
    return signature_check::mismatch;
  bool matched = false;
  for (const auto& candidate : candidates)
    if (candidate.size() == expected.size()
        && CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0)
      matched = true; // Keep looping: the time taken does not depend on which entry matched.
  if (!matched)
    return signature_check::mismatch;
  // |now - t| without signed overflow: unsigned subtraction of the larger minus the smaller.
  auto diff = t > now_seconds ? static_cast<uint64_t>(t) - static_cast<uint64_t>(now_seconds)
                              : static_cast<uint64_t>(now_seconds) - static_cast<uint64_t>(t);
  if (tolerance_seconds < 0 || diff > static_cast<uint64_t>(tolerance_seconds))
    return signature_check::stale;
  return signature_check::ok;
}

const char* to_string(signature_check x) {
  switch (x) {
    case signature_check::ok:
      return "ok";
    case signature_check::missing:
      return "missing";
    case signature_check::malformed:
      return "malformed";
    case signature_check::stale:
      return "stale";
    case signature_check::mismatch:
      return "mismatch";
  }
  return "unknown";
}

} // namespace cf
