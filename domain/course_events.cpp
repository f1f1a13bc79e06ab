// The builders and readers of the catalogue's events. Data is built as nlohmann::json objects,
// whose keys serialize in sorted order: that order is part of the stored format.
#include "domain/course_events.hpp"

#include <nlohmann/json.hpp>

#include "util/errc.hpp"
#include "util/json_text.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

event build(const char* type, const char* source, const event_origin& o, const json& data) {
  event e;
  e.id = make_uuid_v7();
  e.source = source;
  e.type = type;
  e.subject = o.course_id;
  e.subject_version = o.expected_version;
  e.schema_version = find_event_type(type)->schema_version;
  e.correlation_id = o.correlation_id;
  e.causation_id = o.causation_id;
  e.actor = o.actor;
  e.data = data.dump();
  return e;
}

caf::error corrupt(const event& e, const std::string& detail) {
  return make_error(errc::storage_corrupt, "event " + std::to_string(e.seq) + ": " + detail);
}

// The data of `e` when it is an event of `type` and the catalogue accepts its data. After that
// check every required field is there with its JSON type, so reading one cannot throw; only the
// elements of arrays remain to be checked.
caf::expected<json> data_of(const event& e, const char* type) {
  if (e.type != type)
    return make_error(errc::invalid_argument,
                      "event " + std::to_string(e.seq) + " is " + e.type + ", not " + type);
  auto data = parse_json_exact(e.data);
  if (auto problem = check_event_data(type, data); !problem.empty())
    return corrupt(e, problem);
  return data;
}

// retry_at of a failure event: absent, or an RFC 3339 time.
caf::expected<std::optional<int64_t>> retry_at_of(const event& e, const json& d) {
  auto i = d.find("retry_at");
  if (i == d.end())
    return std::optional<int64_t>{};
  auto t = parse_time(i->get<std::string>());
  if (!t)
    return corrupt(e, e.type + ": retry_at is not an RFC 3339 time");
  return std::optional<int64_t>{*t};
}

// An element of distribution.completed's channels: {channel, ok, url, detail}.
bool is_channel_report(const json& c) {
  auto has = [&c](const char* key, bool (json::*is_type)() const noexcept) {
    auto i = c.find(key); // end() for anything but an object
    return i != c.end() && ((*i).*is_type)();
  };
  return has("channel", &json::is_string) && has("ok", &json::is_boolean)
         && has("url", &json::is_string) && has("detail", &json::is_string);
}

} // namespace

event_origin follows(const event& cause) {
  return {cause.subject, cause.subject_version + 1, cause.correlation_id, cause.id, cause.actor};
}

// --- course.generation.* -------------------------------------------------------------------

event make_event(const event_origin& o, const generation_started_data& d) {
  json data{{"course_id", o.course_id},
            {"title", d.request.title},
            {"user_id", d.request.user_id},
            {"parameters", to_json(d.request)},
            {"attempt", d.attempt}};
  return build(event_types::generation_started, event_sources::course_factory, o, data);
}

caf::expected<generation_started_data> read_generation_started(const event& e) {
  auto d = data_of(e, event_types::generation_started);
  if (!d)
    return d.error();
  generation_started_data out;
  std::vector<field_error> errs;
  out.request = parse_course_request(d->at("parameters"), errs);
  if (!errs.empty())
    return corrupt(e, e.type + ": parameters." + errs.front().field + " " + errs.front().message);
  out.attempt = d->at("attempt").get<int32_t>();
  return out;
}

event make_event(const event_origin& o, const generation_completed_data& d) {
  json data{{"course_id", o.course_id},
            {"url", "/v1/courses/" + o.course_id},
            {"duration_ms", d.duration_ms},
            {"module_count", d.module_count},
            {"lesson_count", d.lesson_count},
            {"quiz_question_count", d.quiz_question_count},
            {"attempt", d.attempt},
            {"generator", d.generator},
            {"content", nullptr}};
  auto e = build(event_types::generation_completed, event_sources::course_factory, o, data);
  // Splice the content text in: parsing and re-serializing it would cost more than everything
  // else here. Keys are in sorted order: only "attempt", an integer, precedes "content".
  e.data.replace(e.data.find("\"content\":null") + 10, 4, d.content);
  return e;
}

caf::expected<generation_completed_data> read_generation_completed(const event& e) {
  auto d = data_of(e, event_types::generation_completed);
  if (!d)
    return d.error();
  generation_completed_data out;
  out.duration_ms = d->at("duration_ms").get<int64_t>();
  out.module_count = d->at("module_count").get<int32_t>();
  out.lesson_count = d->at("lesson_count").get<int32_t>();
  out.quiz_question_count = d->at("quiz_question_count").get<int32_t>();
  out.attempt = d->at("attempt").get<int32_t>();
  out.generator = d->at("generator").get<std::string>();
  out.content = d->at("content").dump();
  return out;
}

event make_event(const event_origin& o, const generation_failed_data& d) {
  json data{{"course_id", o.course_id},
            {"error", d.error},
            {"error_type", d.permanent ? "permanent" : "transient"},
            {"retry_count", d.retry_count},
            {"will_retry", d.will_retry},
            {"attempt", d.attempt}};
  if (d.retry_at_us)
    data["retry_at"] = format_time(*d.retry_at_us);
  return build(event_types::generation_failed, event_sources::course_factory, o, data);
}

caf::expected<generation_failed_data> read_generation_failed(const event& e) {
  auto d = data_of(e, event_types::generation_failed);
  if (!d)
    return d.error();
  generation_failed_data out;
  out.error = d->at("error").get<std::string>();
  auto type = d->at("error_type").get<std::string>();
  if (type != "permanent" && type != "transient")
    return corrupt(e, e.type + ": error_type is \"" + type + "\"");
  out.permanent = type == "permanent";
  out.retry_count = d->at("retry_count").get<int32_t>();
  out.will_retry = d->at("will_retry").get<bool>();
  auto retry_at = retry_at_of(e, *d);
  if (!retry_at)
    return retry_at.error();
  out.retry_at_us = *retry_at;
  out.attempt = d->at("attempt").get<int32_t>();
  return out;
}

// --- course.payment.* ----------------------------------------------------------------------

event make_event(const event_origin& o, const payment_required_data& d) {
  json data{{"course_id", o.course_id},
            {"payment_id", d.payment_id},
            {"amount_cents", d.amount_cents},
            {"currency", d.currency},
            {"expires_at", format_time(d.expires_us)}};
  return build(event_types::payment_required, event_sources::payment, o, data);
}

caf::expected<payment_required_data> read_payment_required(const event& e) {
  auto d = data_of(e, event_types::payment_required);
  if (!d)
    return d.error();
  payment_required_data out;
  out.payment_id = d->at("payment_id").get<std::string>();
  out.amount_cents = d->at("amount_cents").get<int64_t>();
  out.currency = d->at("currency").get<std::string>();
  auto expires = parse_time(d->at("expires_at").get<std::string>());
  if (!expires)
    return corrupt(e, e.type + ": expires_at is not an RFC 3339 time");
  out.expires_us = *expires;
  return out;
}

event make_event(const event_origin& o, const payment_completed_data& d) {
  json data{{"course_id", o.course_id},
            {"payment_id", d.payment_id},
            {"transaction_id", d.transaction_id},
            {"amount_cents", d.amount_cents},
            {"currency", d.currency}};
  return build(event_types::payment_completed, event_sources::payment, o, data);
}

caf::expected<payment_completed_data> read_payment_completed(const event& e) {
  auto d = data_of(e, event_types::payment_completed);
  if (!d)
    return d.error();
  payment_completed_data out;
  out.payment_id = d->at("payment_id").get<std::string>();
  out.transaction_id = d->at("transaction_id").get<std::string>();
  out.amount_cents = d->at("amount_cents").get<int64_t>();
  out.currency = d->at("currency").get<std::string>();
  return out;
}

event make_event(const event_origin& o, const payment_failed_data& d) {
  json data{{"course_id", o.course_id}, {"payment_id", d.payment_id}, {"reason", d.reason}};
  return build(event_types::payment_failed, event_sources::payment, o, data);
}

caf::expected<payment_failed_data> read_payment_failed(const event& e) {
  auto d = data_of(e, event_types::payment_failed);
  if (!d)
    return d.error();
  payment_failed_data out;
  out.payment_id = d->at("payment_id").get<std::string>();
  out.reason = d->at("reason").get<std::string>();
  return out;
}

// --- course.distribution.* -----------------------------------------------------------------

event make_event(const event_origin& o, const distribution_requested_data& d) {
  json data{{"course_id", o.course_id},
            {"channels", d.channels},
            {"attempt", d.attempt},
            {"retry_count", d.retry_count}};
  return build(event_types::distribution_requested, event_sources::course_factory, o, data);
}

caf::expected<distribution_requested_data> read_distribution_requested(const event& e) {
  auto d = data_of(e, event_types::distribution_requested);
  if (!d)
    return d.error();
  distribution_requested_data out;
  for (const auto& channel : d->at("channels")) {
    if (!channel.is_string())
      return corrupt(e, e.type + ": channels must hold strings");
    out.channels.push_back(channel.get<std::string>());
  }
  out.attempt = d->at("attempt").get<int32_t>();
  out.retry_count = d->at("retry_count").get<int32_t>();
  return out;
}

event make_event(const event_origin& o, const distribution_completed_data& d) {
  json channels = json::array();
  std::string url;
  for (const auto& c : d.channels) {
    channels.push_back(
        {{"channel", c.channel}, {"ok", c.ok}, {"url", c.url}, {"detail", c.detail}});
    if (url.empty())
      url = c.url;
  }
  json data{{"course_id", o.course_id},
            {"url", url.empty() ? "/v1/courses/" + o.course_id : url},
            {"channels", channels},
            {"duration_ms", d.duration_ms}};
  return build(event_types::distribution_completed, event_sources::distribution, o, data);
}

caf::expected<distribution_completed_data> read_distribution_completed(const event& e) {
  auto d = data_of(e, event_types::distribution_completed);
  if (!d)
    return d.error();
  distribution_completed_data out;
  for (const auto& c : d->at("channels")) {
    if (!is_channel_report(c))
      return corrupt(e, e.type + ": channels must hold {channel, ok, url, detail} objects");
    out.channels.push_back({c.at("channel").get<std::string>(), c.at("ok").get<bool>(),
                            c.at("url").get<std::string>(), c.at("detail").get<std::string>()});
  }
  out.duration_ms = d->at("duration_ms").get<int64_t>();
  return out;
}

event make_event(const event_origin& o, const distribution_failed_data& d) {
  json data{{"course_id", o.course_id},     {"channel", d.channel},       {"error", d.error},
            {"retry_count", d.retry_count}, {"will_retry", d.will_retry}, {"attempt", d.attempt}};
  if (d.retry_at_us)
    data["retry_at"] = format_time(*d.retry_at_us);
  return build(event_types::distribution_failed, event_sources::distribution, o, data);
}

caf::expected<distribution_failed_data> read_distribution_failed(const event& e) {
  auto d = data_of(e, event_types::distribution_failed);
  if (!d)
    return d.error();
  distribution_failed_data out;
  out.channel = d->at("channel").get<std::string>();
  out.error = d->at("error").get<std::string>();
  out.retry_count = d->at("retry_count").get<int32_t>();
  out.will_retry = d->at("will_retry").get<bool>();
  auto retry_at = retry_at_of(e, *d);
  if (!retry_at)
    return retry_at.error();
  out.retry_at_us = *retry_at;
  out.attempt = d->at("attempt").get<int32_t>();
  return out;
}

} // namespace cf
