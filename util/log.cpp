// Structured logs: formatting a record as a JSON line and writing it to stderr in one piece.
#include "util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "util/time.hpp"

namespace cf {

namespace {

std::atomic<int> min_level{static_cast<int>(log_level::info)};

// Serializes one JSON value; invalid UTF-8 (in an error text, a path) must not throw here.
void append_json(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_leading_key(std::string_view key) {
  return key == "ts" || key == "level" || key == "component" || key == "msg";
}

// Writes all of `line` to fd 2, resuming after partial writes and signals.
void write_stderr(const std::string& line) {
  static std::mutex mutex; // partial writes to a pipe could otherwise interleave
  std::lock_guard<std::mutex> guard{mutex};
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    auto n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return; // stderr is gone: nowhere left to say so
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

} // namespace

const char* to_string(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "error";
}

std::optional<log_level> parse_log_level(std::string_view name) {
  for (auto level : {log_level::debug, log_level::info, log_level::warn, log_level::error})
    if (name == to_string(level))
      return level;
  return std::nullopt;
}

void set_log_level(log_level level) {
  min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool log_enabled(log_level level) {
  return static_cast<int>(level) >= min_level.load(std::memory_order_relaxed);
}

std::string format_log_record(int64_t time_us, log_level level, std::string_view component,
                              std::string_view message, std::initializer_list<log_field> fields) {
  std::string out = "{\"ts\":\"" + format_time(time_us) + "\",\"level\":\"" + to_string(level)
                    + "\",\"component\":";
  append_json(out, std::string{component});
  out += ",\"msg\":";
  append_json(out, std::string{message});
  for (const auto& [key, value] : fields) {
    if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())
        || is_leading_key(key))
      continue;
    out += ',';
    append_json(out, std::string{key});
    out += ':';
    append_json(out, value);
  }
  out += "}\n";
  return out;
}

void log_event(log_level level, std::string_view component, std::string_view message,
               std::initializer_list<log_field> fields) {
  if (!log_enabled(level))
    return;
  try {
    write_stderr(format_log_record(now_us(), level, component, message, fields));
  } catch (...) {
    // out of memory while formatting: a diagnostic must not take the service down
  }
}

} // namespace cf
