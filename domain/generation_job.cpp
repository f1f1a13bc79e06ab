// Jobs and results on the generation streams: every field checked, nothing thrown.
#include "domain/generation_job.hpp"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "domain/json_schema.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

caf::error bad(const std::string& why) { return make_error(errc::invalid_argument, why); }

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size())
      return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

/// The fields checked as a whole: names and values valid UTF-8, no name twice.
caf::error check_fields(const stream_fields& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& [k, v] = fields[i];
    if (!valid_utf8(k))
      return bad("a field name is not valid UTF-8");
    if (!valid_utf8(v))
      return bad("field " + k + " is not valid UTF-8");
    for (size_t j = 0; j < i; ++j)
      if (fields[j].first == k)
        return bad("field " + k + " appears twice");
  }
  return caf::none;
}

const std::string* field(const stream_fields& fields, const std::string& name) {
  for (const auto& [k, v] : fields)
    if (k == name)
      return &v;
  return nullptr;
}

/// A required, non-empty field.
caf::expected<std::string> required(const stream_fields& fields, const std::string& name) {
  const auto* v = field(fields, name);
  if (!v)
    return bad("field " + name + " is missing");
  if (v->empty())
    return bad("field " + name + " is empty");
  return *v;
}

/// A decimal integer field within [lo, hi].
caf::expected<int64_t> integer_field(const stream_fields& fields, const std::string& name,
                                     int64_t lo, int64_t hi) {
  auto text = required(fields, name);
  if (!text)
    return text.error();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size())
    return bad("field " + name + " is not an integer");
  if (v < lo || v > hi)
    return bad("field " + name + " is out of range");
  return v;
}

/// A non-empty string member `key` of `obj` (named `where`.`key` in errors).
caf::expected<std::string> text_member(const json& obj, const char* where, const char* key) {
  auto it = obj.find(key);
  std::string name = std::string{where} + key;
  if (it == obj.end() || it->is_null())
    return bad(name + " is missing");
  if (!it->is_string())
    return bad(name + " is not a string");
  if (it->get_ref<const std::string&>().empty())
    return bad(name + " is empty");
  return it->get<std::string>();
}

/// An integer member within [lo, hi]; `fallback` when absent (or an error when it is required).
caf::expected<int32_t> int_member(const json& obj, const char* key, int32_t lo, bool is_required,
                                  int32_t fallback) {
  auto it = obj.find(key);
  std::string name = std::string{"data."} + key;
  if (it == obj.end() || it->is_null()) {
    if (is_required)
      return bad(name + " is missing");
    return fallback;
  }
  if (!it->is_number_integer())
    return bad(name + " is not an integer");
  constexpr int64_t hi = std::numeric_limits<int32_t>::max();
  if ((it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{hi}) || it->get<int64_t>() < lo
      || it->get<int64_t>() > hi)
    return bad(name + " is out of range");
  return static_cast<int32_t>(it->get<int64_t>());
}

} // namespace

caf::expected<generation_job> parse_generation_job(const stream_fields& fields) {
  if (auto err = check_fields(fields))
    return err;
  auto id = required(fields, "id");
  if (!id)
    return id.error();
  auto type = required(fields, "type");
  if (!type)
    return type.error();
  if (*type != "course.generation.started")
    return bad("type " + *type + " is not course.generation.started");
  auto data = required(fields, "data");
  if (!data)
    return data.error();
  auto doc = json::parse(*data, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return bad("the data field is not a JSON object");
  auto ce_id = text_member(doc, "", "id");
  if (!ce_id)
    return ce_id.error();
  if (*ce_id != *id)
    return bad("the CloudEvent's id is not the id field");
  auto ce_type = text_member(doc, "", "type");
  if (!ce_type)
    return ce_type.error();
  if (*ce_type != *type)
    return bad("the CloudEvent's type is not the type field");
  auto d = doc.find("data");
  if (d == doc.end() || !d->is_object())
    return bad("data is missing or not an object");
  generation_job job;
  job.job_id = *id;
  auto course = text_member(*d, "data.", "course_id");
  if (!course)
    return course.error();
  job.course_id = *course;
  if (const auto* subject = field(fields, "subject"); subject && *subject != job.course_id)
    return bad("field subject is not data.course_id");
  auto attempt = int_member(*d, "attempt", 1, true, 1);
  if (!attempt)
    return attempt.error();
  job.attempt = *attempt;
  auto retries = int_member(*d, "retry_count", 0, false, 0);
  if (!retries)
    return retries.error();
  job.retry_count = *retries;
  auto params = d->find("parameters");
  if (params == d->end() || !params->is_object())
    return bad("data.parameters is missing or not an object");
  std::vector<field_error> errs;
  job.request = parse_course_request(*params, errs);
  if (!errs.empty())
    return bad("data.parameters." + errs.front().field + " " + errs.front().message);
  return job;
}

stream_fields to_fields(const generation_result& r) {
  stream_fields f{{"job_id", r.job_id},
                  {"course_id", r.course_id},
                  {"attempt", std::to_string(r.attempt)},
                  {"retry_count", std::to_string(r.retry_count)},
                  {"worker", r.worker},
                  {"outcome", r.ok ? "completed" : "failed"}};
  if (r.ok) {
    f.emplace_back("content", r.content_json);
  } else {
    f.emplace_back("error", r.error);
    f.emplace_back("error_kind", r.permanent ? "permanent" : "transient");
  }
  f.emplace_back("duration_ms", std::to_string(r.duration_ms));
  return f;
}

const json& generation_result_schema() {
  static const json schema = [] {
    auto text = [](const char* description) {
      return json{{"type", "string"}, {"minLength", 1}, {"description", description}};
    };
    return json{
        {"type", "object"},
        {"description", "What a worker made of a job: stream fields, every value a string."},
        {"properties",
         {{"job_id", text("The job's id (the started event's id).")},
          {"course_id", text("The course.")},
          {"attempt", text("Decimal integer >= 1: data.attempt of the job.")},
          {"retry_count", text("Decimal integer >= 0: data.retry_count of the job.")},
          {"worker", text("The worker's name (host:pid[/thread]).")},
          {"outcome", {{"enum", {"completed", "failed"}}}},
          {"content", text("completed: the course content (a JSON object).")},
          {"error", {{"type", "string"}, {"description", "failed: what went wrong."}}},
          {"error_kind", {{"enum", {"transient", "permanent"}}}},
          {"duration_ms", text("Decimal integer >= 0: how long the generator ran.")}}},
        {"required",
         {"job_id", "course_id", "attempt", "retry_count", "worker", "outcome", "duration_ms"}},
        {"allOf",
         {{{"if", {{"properties", {{"outcome", {{"const", "completed"}}}}}}},
           {"then", {{"required", {"content"}}}}},
          {{"if", {{"properties", {{"outcome", {{"const", "failed"}}}}}}},
           {"then", {{"required", {"error", "error_kind"}}}}}}}};
  }();
  return schema;
}

caf::expected<generation_result> parse_generation_result(const stream_fields& fields) {
  if (auto err = check_fields(fields))
    return err;
  json as_object = json::object();
  for (const auto& [k, v] : fields) as_object[k] = v;
  if (auto err = check_json_schema(generation_result_schema(), as_object); !err.empty()) {
    auto colon = err.find(": ");
    return bad("field " + (colon == std::string::npos ? err : err.replace(colon, 2, " ")));
  }
  generation_result r;
  for (auto [name, out] : {std::pair{"job_id", &r.job_id}, std::pair{"course_id", &r.course_id},
                           std::pair{"worker", &r.worker}}) {
    auto v = required(fields, name);
    if (!v)
      return v.error();
    *out = std::move(*v);
  }
  constexpr int64_t int32_max = std::numeric_limits<int32_t>::max();
  auto attempt = integer_field(fields, "attempt", 1, int32_max);
  if (!attempt)
    return attempt.error();
  r.attempt = static_cast<int32_t>(*attempt);
  auto retries = integer_field(fields, "retry_count", 0, int32_max);
  if (!retries)
    return retries.error();
  r.retry_count = static_cast<int32_t>(*retries);
  auto duration = integer_field(fields, "duration_ms", 0, std::numeric_limits<int64_t>::max());
  if (!duration)
    return duration.error();
  r.duration_ms = *duration;
  auto outcome = required(fields, "outcome");
  if (!outcome)
    return outcome.error();
  if (*outcome == "completed") {
    r.ok = true;
    auto content = required(fields, "content");
    if (!content)
      return content.error();
    auto doc = json::parse(*content, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return bad("field content is not a JSON object");
    r.content_json = std::move(*content);
  } else if (*outcome == "failed") {
    auto error = required(fields, "error");
    if (!error)
      return error.error();
    r.error = std::move(*error);
    auto kind = required(fields, "error_kind");
    if (!kind)
      return kind.error();
    if (*kind != "transient" && *kind != "permanent")
      return bad("field error_kind is neither transient nor permanent");
    r.permanent = *kind == "permanent";
  } else {
    return bad("field outcome is neither completed nor failed");
  }
  return r;
}

} // namespace cf
