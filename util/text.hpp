// Small text helpers shared by the parsers of config files, secrets and headers.
#pragma once

#include <string>

namespace cf {

/// `s` without leading and trailing spaces, tabs and carriage returns.
inline std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

} // namespace cf
