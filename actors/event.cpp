// Event equality, type patterns, RFC 3339 times and the CloudEvents 1.0 JSON mapping.
#include "actors/event.hpp"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "actors/errc.hpp"

namespace cf {

bool event::operator==(const event& o) const {
  return seq == o.seq && id == o.id && source == o.source && type == o.type && subject == o.subject
         && subject_version == o.subject_version && time_us == o.time_us
         && schema_version == o.schema_version && correlation_id == o.correlation_id
         && causation_id == o.causation_id && data == o.data;
}

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_dotted_name(const std::string& s) {
  if (s.empty() || s.front() == '.' || s.back() == '.')
    return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.' && prev == '.')
      return false;
    if (c != '.' && !is_name_char(c))
      return false;
    prev = c;
  }
  return true;
}

} // namespace

bool is_valid_type_pattern(const std::string& p) {
  if (p.empty())
    return true;
  if (p.size() >= 2 && p.compare(p.size() - 2, 2, ".*") == 0)
    return is_dotted_name(p.substr(0, p.size() - 2));
  return is_dotted_name(p);
}

bool type_matches(const std::string& p, const std::string& type) {
  if (p.empty())
    return true;
  if (p.size() >= 2 && p.compare(p.size() - 2, 2, ".*") == 0)
    return type.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0 && type.size() >= p.size();
  return p == type;
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
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
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

namespace {

// Every attribute but data.
nlohmann::json envelope(const event& e) {
  nlohmann::json j{
      {"specversion", "1.0"},
      {"id", e.id},
      {"source", e.source},
      {"type", e.type},
      {"subject", e.subject},
      {"time", format_time(e.time_us)},
      {"datacontenttype", "application/json"},
      {"seq", e.seq},
      {"subjectversion", e.subject_version},
      {"schemaversion", e.schema_version},
      {"correlationid", e.correlation_id},
  };
  if (!e.causation_id.empty())
    j["causationid"] = e.causation_id;
  return j;
}

} // namespace

nlohmann::json to_cloudevent(const event& e) {
  auto j = envelope(e);
  j["data"] = e.data.empty() ? nlohmann::json::object() : nlohmann::json::parse(e.data);
  return j;
}

std::string to_cloudevent_text(const event& e) {
  auto text = envelope(e).dump();
  text.pop_back();
  text += ",\"data\":";
  text += e.data.empty() ? std::string{"{}"} : e.data;
  text += '}';
  return text;
}

caf::expected<event> from_cloudevent(const nlohmann::json& j) {
  auto bad = [](const std::string& what) { return make_error(errc::invalid_argument, what); };
  if (!j.is_object())
    return bad("a CloudEvent must be a JSON object");
  if (j.value("specversion", "") != "1.0")
    return bad("specversion must be \"1.0\"");
  if (j.contains("datacontenttype") && j["datacontenttype"] != "application/json")
    return bad("datacontenttype must be application/json");
  event e;
  try {
    e.id = j.at("id").get<std::string>();
    e.source = j.at("source").get<std::string>();
    e.type = j.at("type").get<std::string>();
    e.subject = j.value("subject", "");
    auto t = parse_time(j.at("time").get<std::string>());
    if (!t)
      return t.error();
    e.time_us = *t;
    e.data = j.contains("data") ? j["data"].dump() : std::string{"{}"};
    e.seq = j.value("seq", int64_t{0});
    e.subject_version = j.value("subjectversion", int64_t{0});
    e.schema_version = j.value("schemaversion", int32_t{1});
    e.correlation_id = j.value("correlationid", "");
    e.causation_id = j.value("causationid", "");
  } catch (const nlohmann::json::exception& ex) {
    return bad(std::string{"malformed CloudEvent: "} + ex.what());
  }
  if (e.id.empty() || e.source.empty() || e.type.empty())
    return bad("id, source and type must not be empty");
  return e;
}

} // namespace cf
