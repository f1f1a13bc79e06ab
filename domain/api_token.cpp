// Scope names and token hashing.
#include "domain/api_token.hpp"

#include <cctype>
#include <utility>

#include "util/crypto.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

const std::pair<const char*, uint32_t> scope_names[] = {
    {"courses:write", scopes::courses_write},
    {"courses:read", scopes::courses_read},
    {"events:read", scopes::events_read},
    {"metrics:read", scopes::metrics_read},
};

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

} // namespace

caf::expected<uint32_t> parse_scopes(const std::string& list) {
  uint32_t bits = 0;
  size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    auto name = trimmed(list.substr(start, end - start));
    start = end + 1;
    if (name.empty())
      continue;
    uint32_t found = name == "admin" ? scopes::admin : 0;
    for (const auto& [text, bit] : scope_names)
      if (name == text)
        found = bit;
    if (found == 0)
      return make_error(errc::invalid_argument,
                        "unknown scope " + name
                            + " (known: courses:write, courses:read, events:read, metrics:read, "
                              "admin)");
    bits |= found;
  }
  if (bits == 0)
    return make_error(errc::invalid_argument, "no scope given");
  return bits;
}

std::string scopes_text(uint32_t bits) {
  if ((bits & scopes::admin) == scopes::admin)
    return "admin";
  std::string out;
  for (const auto& [text, bit] : scope_names)
    if (bits & bit)
      out += (out.empty() ? "" : ",") + std::string{text};
  return out;
}

bool is_valid_token_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-')
      return false;
  return true;
}

std::string token_hash(const std::string& token) { return sha256_hex(token); }

} // namespace cf
