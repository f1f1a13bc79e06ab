// Helpers shared by the libFuzzer targets (tests/fuzz/*_fuzz.cpp): the input as text, cut into
// lines, and checks that stop the run with a message, so a broken property is a crash that
// libFuzzer reports and saves like any other.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// The input cut at each '\n' (the last piece runs to the end, newlines inside it included,
/// once `max_pieces` pieces are taken).
inline std::vector<std::string> lines(const std::string& text, size_t max_pieces) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (out.size() + 1 < max_pieces) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos)
      break;
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  out.push_back(text.substr(pos));
  return out;
}

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz property broken: %s %s\n", what, detail.c_str());
  std::abort();
}

inline void expect(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok)
    fail(what, detail);
}

/// What everything that stores or sends a value does: serialize it. nlohmann::json throws on
/// invalid UTF-8 here, which inside an actor or a route is a crash or a 500.
inline std::string must_dump(const nlohmann::json& j, const char* what) {
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& ex) {
    fail(what, ex.what());
  }
}

/// The input as JSON, or a discarded value when it is not JSON (no exception).
inline nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, false);
}

} // namespace cf::fuzz
