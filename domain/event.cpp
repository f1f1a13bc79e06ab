// Event equality, type patterns, RFC 3339 times and the CloudEvents 1.0 JSON mapping.
#include "domain/event.hpp"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/errc.hpp"
#include "util/json_text.hpp"

namespace cf {

bool event::operator==(const event& o) const {
  return seq == o.seq && id == o.id && source == o.source && type == o.type && subject == o.subject
         && subject_version == o.subject_version && time_us == o.time_us
         && schema_version == o.schema_version && correlation_id == o.correlation_id
         && causation_id == o.causation_id && data == o.data && actor == o.actor;
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
  if (!e.actor.empty())
    j["actor"] = e.actor;
  return j;
}

} // namespace

nlohmann::json to_cloudevent(const event& e) {
  auto j = envelope(e);
  j["data"] = e.data.empty() ? nlohmann::json::object() : nlohmann::json::parse(e.data);
  return j;
}

namespace {

// `s` as a JSON string, escaped as nlohmann's dump() escapes it. REQUIRES: valid UTF-8.
void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_member(std::string& out, const char* key, const std::string& value) {
  out += '"';
  out += key;
  out += "\":";
  append_string(out, value);
  out += ',';
}

void append_member(std::string& out, const char* key, int64_t value) {
  out += '"';
  out += key;
  out += "\":";
  out += std::to_string(value);
  out += ',';
}

} // namespace

// The text of envelope(e).dump() with data spliced in, written directly: the bus relay writes
// one per event, and building the nlohmann object first (a std::map) was ~60 % of its CPU.
std::string to_cloudevent_text(const event& e) {
  const std::string data = e.data.empty() ? std::string{"{}"} : e.data;
  for (const auto* text :
       {&e.id, &e.source, &e.type, &e.subject, &e.correlation_id, &e.causation_id, &e.actor})
    if (!is_valid_utf8(*text)) { // dump() throws on it (type_error 316): as before
      auto text_of = envelope(e).dump();
      text_of.pop_back();
      return text_of + ",\"data\":" + data + '}';
    }
  std::string out;
  out.reserve(320 + e.data.size());
  out += '{';
  // nlohmann's object keeps its keys sorted: the same order here.
  if (!e.actor.empty())
    append_member(out, "actor", e.actor);
  if (!e.causation_id.empty())
    append_member(out, "causationid", e.causation_id);
  append_member(out, "correlationid", e.correlation_id);
  out += "\"datacontenttype\":\"application/json\",";
  append_member(out, "id", e.id);
  append_member(out, "schemaversion", int64_t{e.schema_version});
  append_member(out, "seq", e.seq);
  append_member(out, "source", e.source);
  out += "\"specversion\":\"1.0\",";
  append_member(out, "subject", e.subject);
  append_member(out, "subjectversion", e.subject_version);
  append_member(out, "time", format_time(e.time_us));
  append_member(out, "type", e.type);
  out += "\"data\":";
  out += data;
  out += '}';
  return out;
}

caf::expected<event> from_cloudevent(const nlohmann::json& j) {
  auto bad = [](const std::string& what) { return make_error(errc::invalid_argument, what); };
  if (!j.is_object())
    return bad("a CloudEvent must be a JSON object");
  // Not j.value("specversion", ""): it throws when the member is there with another type.
  if (auto v = j.find("specversion"); v == j.end() || *v != "1.0")
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
    // Integers only: nlohmann converts a number such as 1e300 to an integer type by a cast,
    // undefined behaviour for values out of range (UBSan; tests/fuzz/event_decode_fuzz.cpp).
    auto integer = [&j](const char* key, int64_t fallback, int64_t max) -> std::optional<int64_t> {
      auto i = j.find(key);
      if (i == j.end())
        return fallback;
      if (!i->is_number_integer() || (i->is_number_unsigned() && i->get<uint64_t>() > INT64_MAX)
          || i->get<int64_t>() < 0 || i->get<int64_t>() > max)
        return std::nullopt;
      return i->get<int64_t>();
    };
    auto seq = integer("seq", 0, INT64_MAX);
    auto subject_version = integer("subjectversion", 0, INT64_MAX);
    auto schema_version = integer("schemaversion", 1, INT32_MAX);
    if (!seq || !subject_version || !schema_version)
      return bad("seq, subjectversion and schemaversion must be integers >= 0");
    e.seq = *seq;
    e.subject_version = *subject_version;
    e.schema_version = static_cast<int32_t>(*schema_version);
    e.correlation_id = j.value("correlationid", "");
    e.causation_id = j.value("causationid", "");
    e.actor = j.value("actor", "");
  } catch (const nlohmann::json::exception& ex) {
    return bad(std::string{"malformed CloudEvent: "} + ex.what());
  }
  if (e.id.empty() || e.source.empty() || e.type.empty())
    return bad("id, source and type must not be empty");
  return e;
}

} // namespace cf
