// The catalogue's entries and the Markdown document generated from them.
#include "domain/catalogue.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "domain/json_schema.hpp"

namespace cf {

namespace {

std::vector<event_type_info> make_catalogue() {
  using namespace event_types;
  const field_info course_id{"course_id", "string", true, "The course (UUIDv7); also the subject."};
  const version_info v1{1, "Initial version."};
  const field_info retry_at{"retry_at", "string", false,
                            "RFC 3339 time the next attempt is due; present when will_retry is "
                            "true. A restart keeps this time.",
                            2};
  const version_info v2_retry_at{2,
                                 "Added retry_at. Read from version 1: retry_at is the failure's "
                                 "time when will_retry is true (those builds retried at once "
                                 "after a restart), absent otherwise."};
  return {
      {generation_started,
       1,
       "A course request was accepted (POST /v1/courses), before any generation work starts; "
       "again with a higher attempt when a failed generation is retried.",
       {course_id,
        {"title", "string", true, "The requested topic."},
        {"user_id", "string", true, "Who ordered the course."},
        {"parameters", "object", true,
         "The whole request: title, description, language, audiences, lesson_count, user_id, "
         "price {amount_cents, currency}, dry_run."},
        {"attempt", "integer", true, "1 for the first generation, 2 for the first retry, ..."}},
       {v1},
       true},
      {generation_completed,
       1,
       "The generator produced valid content for the course.",
       {course_id,
        {"url", "string", true, "Path of the course resource (/v1/courses/{id})."},
        {"duration_ms", "integer", true, "Wall time the generator took."},
        {"module_count", "integer", true, "Modules in the outline."},
        {"lesson_count", "integer", true, "Full lessons written."},
        {"quiz_question_count", "integer", true, "Questions in the quiz."},
        {"attempt", "integer", true, "The attempt that succeeded (see started)."},
        {"generator", "string", true, "Which generator produced it (\"builtin\", ...)."},
        {"content", "object", true,
         "The generated course: language, modules[{title, summary, lessons[{title, objectives, "
         "duration_minutes, text}]}], quiz[{question, options[4], answer, explanation}], "
         "landing_page{headline, value_proposition, for_whom, not_for_whom}."}},
       {v1},
       true},
      {generation_failed,
       2,
       "A generation attempt failed. will_retry tells whether another attempt follows.",
       {course_id,
        {"error", "string", true, "What went wrong, for humans."},
        {"error_type", "string", true,
         "\"transient\" (crash, timeout: worth retrying) or \"permanent\" (invalid input or "
         "output)."},
        {"retry_count", "integer", true, "Retries made before this failure (0 on the first)."},
        {"will_retry", "boolean", true, "True when another attempt is scheduled."},
        retry_at,
        {"attempt", "integer", true, "The attempt that failed."}},
       {v1, v2_retry_at},
       true},
      {payment_required,
       1,
       "A generated, priced course that is not a dry run waits for payment.",
       {course_id,
        {"payment_id", "string", true, "Our id for this payment."},
        {"amount_cents", "integer", true, "Price in minor units."},
        {"currency", "string", true, "ISO-4217 code."},
        {"expires_at", "string", true, "RFC 3339 time after which the payment fails as expired."}},
       {v1},
       true},
      {payment_completed,
       1,
       "The payment provider confirmed the payment (a verified webhook).",
       {course_id,
        {"payment_id", "string", true, "Our id for this payment."},
        {"transaction_id", "string", true, "The provider's id (Stripe payment_intent)."},
        {"amount_cents", "integer", true, "Amount paid in minor units."},
        {"currency", "string", true, "ISO-4217 code."}},
       {v1},
       true},
      {payment_failed,
       1,
       "The payment failed, expired, or did not match the required amount.",
       {course_id,
        {"payment_id", "string", true, "Our id for this payment."},
        {"reason", "string", true,
         "e.g. \"expired\", \"amount_mismatch\", the provider's reason."}},
       {v1},
       true},
      {distribution_requested,
       2,
       "A course was enabled (paid, or free) and is to be published; again, with the same "
       "attempt and a higher retry_count, when a retry needs channel bus: each of these events is "
       "an order that an outside distribution module answers (see README, channel bus).",
       {course_id,
        {"channels", "array", true,
         "Channel names to publish to (\"site\", \"webhook\", \"bus\")."},
        {"attempt", "integer", true, "1, then one more for each retry a user starts."},
        {"retry_count", "integer", true,
         "0 for the attempt's first order; n when the n-th automatic retry orders the channels "
         "still pending again.",
         2}},
       {v1, {2, "Added retry_count (orders repeated for channel bus). Read from version 1: 0."}},
       true},
      {distribution_completed,
       1,
       "Every requested channel published the course.",
       {course_id,
        {"url", "string", true, "Public URL of the published course."},
        {"channels", "array", true, "Per channel: {channel, ok, url, detail}."},
        {"duration_ms", "integer", true, "Wall time of the distribution."}},
       {v1},
       true},
      {distribution_failed,
       2,
       "Publishing to a channel failed (one event per failed channel). will_retry tells whether "
       "another attempt of that channel follows.",
       {course_id,
        {"channel", "string", true, "The channel that failed."},
        {"error", "string", true, "What went wrong."},
        {"retry_count", "integer", true, "Retries made before this failure."},
        {"will_retry", "boolean", true, "True when another attempt is scheduled."},
        retry_at,
        {"attempt", "integer", true, "The distribution attempt (see requested)."}},
       {v1, v2_retry_at},
       true},
  };
}

} // namespace

const std::vector<event_type_info>& catalogue() {
  static const std::vector<event_type_info> instance = make_catalogue();
  return instance;
}

const event_type_info* find_event_type(const std::string& type) {
  for (const auto& info : catalogue())
    if (type == info.type)
      return &info;
  return nullptr;
}

std::string check_event_data(const std::string& type, const nlohmann::json& data) {
  const auto* info = find_event_type(type);
  if (info == nullptr)
    return "unknown event type " + type;
  if (!data.is_object())
    return type + ": data must be an object";
  for (const auto& f : info->fields) {
    auto i = data.find(f.name);
    if (i == data.end()) {
      if (f.required)
        return type + ": missing field " + f.name;
    } else if (!json_has_type(*i, f.type)) {
      return type + ": field " + f.name + " must be " + f.type;
    }
  }
  for (const auto& [key, value] : data.items()) {
    bool known = false;
    for (const auto& f : info->fields) known = known || key == f.name;
    if (!known)
      return type + ": field " + key + " is not in the catalogue";
  }
  return {};
}

std::string catalogue_markdown() {
  std::ostringstream out;
  out << "# Event catalogue\n\n"
         "Generated from `domain/catalogue.cpp` by `coursefactory catalogue`; "
         "`tests/unit/domain/catalogue_test.cpp` fails when this file falls out of step.\n\n"
         "Every event is stored once in the log and served as a CloudEvents 1.0 JSON object "
         "(structured mode) with these extension attributes: `seq` (global commit order), "
         "`subjectversion` (1, 2, 3... per course), `schemaversion` (version of `data`), "
         "`correlationid` (everything one request caused) and `causationid` (the event or "
         "request that caused this one). `subject` is the course id.\n\n";
  out << "| type | schema version | emitted |\n|---|---|---|\n";
  for (const auto& info : catalogue())
    out << "| `" << info.type << "` | " << info.schema_version << " | "
        << (info.emitted_yet ? "yes" : "not yet (planned)") << " |\n";
  for (const auto& info : catalogue()) {
    out << "\n## `" << info.type << "` (schema version " << info.schema_version << ")\n\n"
        << "Emitted when: " << info.emitted_when << "\n\n";
    if (!info.emitted_yet)
      out << "Status: specified, not emitted by this build yet.\n\n";
    out << "| field | type | required | description |\n|---|---|---|---|\n";
    for (const auto& f : info.fields)
      out << "| `" << f.name << "` | " << f.type << " | " << (f.required ? "yes" : "no") << " | "
          << f.description << " |\n";
    out << "\nVersion history:\n\n";
    for (const auto& v : info.history) out << "- " << v.version << ": " << v.change << "\n";
  }
  return out.str();
}

} // namespace cf
