// Typed builders and readers for every event type of the catalogue: the one place that knows how
// each type's data is written and read. What the builders write is a file format (stored events,
// hashed into the log's chain): the same keys and values every earlier build wrote.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalogue.hpp"
#include "domain/course_request.hpp"
#include "domain/event.hpp"

namespace cf {

/// The CloudEvents `source` of each emitter. Every event type has one emitter, so the builders
/// set it.
namespace event_sources {
inline constexpr const char* course_factory = "/coursefactory/course-factory";
inline constexpr const char* payment = "/coursefactory/payment";
inline constexpr const char* distribution = "/coursefactory/distribution";
} // namespace event_sources

/// Where a new event stands in its course's history: all of its envelope that the builders do
/// not derive from its type.
struct event_origin {
  std::string course_id;        ///< The subject.
  int64_t expected_version = 0; ///< The subject version the append must get; 0: set later.
  std::string correlation_id;   ///< Everything one request caused shares it.
  std::string causation_id;     ///< The event (or request) that caused this one.
  std::string actor = {};       ///< The API token whose request caused it; empty: none.
};

/// The origin of an event that committed event `cause` leads to: the same course at its next
/// version, the same correlation and actor, `cause` as the cause.
event_origin follows(const event& cause);

// One data struct per type, a builder (`make_event`, overloaded on the struct) and a reader.
//
// Builders: a new event with a fresh UUIDv7 id (so later events of the same batch can name it as
// their cause), the type, source and current schema version from the catalogue, the envelope
// from `o`, and its data, `course_id` (= the subject) included. EventLog fills seq and time.
//
// Readers take a committed event at the current schema version (storage upcasts on read).
// Errors: errc::invalid_argument when `e` is of another type; errc::storage_corrupt when its data
// is not what the catalogue describes (not a JSON object, a required field missing, a field of
// the wrong type or one the catalogue does not list) or holds a value that cannot be read.

/// course.generation.started. Data: course_id, title, user_id, parameters, attempt.
struct generation_started_data {
  course_request request; ///< "parameters"; "title" and "user_id" repeat two of its fields.
  int32_t attempt = 1;    ///< 1 for the first generation, 2 for the first retry, ...
};
event make_event(const event_origin& o, const generation_started_data& d);
/// Also storage_corrupt when the parameters are not a valid course request.
[[nodiscard]] caf::expected<generation_started_data> read_generation_started(const event& e);

/// course.generation.completed. Data: course_id, url (/v1/courses/{id}), duration_ms,
/// module_count, lesson_count, quiz_question_count, attempt, generator, content.
struct generation_completed_data {
  int64_t duration_ms = 0;
  int32_t module_count = 0;
  int32_t lesson_count = 0;
  int32_t quiz_question_count = 0;
  int32_t attempt = 1;
  std::string generator; ///< "builtin", ...
  std::string content;   ///< The course content as a serialized JSON object, stored verbatim.
};
/// REQUIRES: d.content is a serialized JSON object (it is spliced in, not parsed).
event make_event(const event_origin& o, const generation_completed_data& d);
/// The content comes back serialized compactly with sorted keys.
[[nodiscard]] caf::expected<generation_completed_data> read_generation_completed(const event& e);

/// course.generation.failed. Data: course_id, error, error_type, retry_count, will_retry,
/// retry_at (when set), attempt.
struct generation_failed_data {
  std::string error;
  bool permanent = false; ///< error_type "permanent", else "transient".
  int32_t retry_count = 0;
  bool will_retry = false;
  std::optional<int64_t> retry_at_us; ///< When the next attempt is due (with will_retry).
  int32_t attempt = 1;
};
event make_event(const event_origin& o, const generation_failed_data& d);
[[nodiscard]] caf::expected<generation_failed_data> read_generation_failed(const event& e);

/// course.payment.required. Data: course_id, payment_id, amount_cents, currency, expires_at.
struct payment_required_data {
  std::string payment_id;
  int64_t amount_cents = 0;
  std::string currency;
  int64_t expires_us = 0; ///< Microseconds since the epoch ("expires_at", RFC 3339).
};
event make_event(const event_origin& o, const payment_required_data& d);
[[nodiscard]] caf::expected<payment_required_data> read_payment_required(const event& e);

/// course.payment.completed. Data: course_id, payment_id, transaction_id, amount_cents, currency.
struct payment_completed_data {
  std::string payment_id;
  std::string transaction_id;
  int64_t amount_cents = 0;
  std::string currency;
};
event make_event(const event_origin& o, const payment_completed_data& d);
[[nodiscard]] caf::expected<payment_completed_data> read_payment_completed(const event& e);

/// course.payment.failed. Data: course_id, payment_id, reason.
struct payment_failed_data {
  std::string payment_id;
  std::string reason; ///< "expired", "amount_mismatch", the provider's reason.
};
event make_event(const event_origin& o, const payment_failed_data& d);
[[nodiscard]] caf::expected<payment_failed_data> read_payment_failed(const event& e);

/// course.distribution.requested. Data: course_id, channels, attempt, retry_count.
struct distribution_requested_data {
  std::vector<std::string> channels;
  int32_t attempt = 1;
  int32_t retry_count = 0; ///< > 0: a retry's order for channels still pending (channel bus).
};
event make_event(const event_origin& o, const distribution_requested_data& d);
[[nodiscard]] caf::expected<distribution_requested_data> read_distribution_requested(
    const event& e);

/// One channel's report in course.distribution.completed.
struct channel_report {
  std::string channel;
  bool ok = true;
  std::string url;
  std::string detail;
};

/// course.distribution.completed. Data: course_id, url, channels, duration_ms. The url is the
/// first channel's non-empty url, or the course resource (/v1/courses/{id}) when none has one.
struct distribution_completed_data {
  std::vector<channel_report> channels;
  int64_t duration_ms = 0;
};
event make_event(const event_origin& o, const distribution_completed_data& d);
[[nodiscard]] caf::expected<distribution_completed_data> read_distribution_completed(
    const event& e);

/// course.distribution.failed (one per failed channel). Data: course_id, channel, error,
/// retry_count, will_retry, retry_at (when set), attempt.
struct distribution_failed_data {
  std::string channel;
  std::string error;
  int32_t retry_count = 0;
  bool will_retry = false;
  std::optional<int64_t> retry_at_us; ///< When the next attempt is due (with will_retry).
  int32_t attempt = 1;                ///< The distribution attempt (see requested).
};
event make_event(const event_origin& o, const distribution_failed_data& d);
[[nodiscard]] caf::expected<distribution_failed_data> read_distribution_failed(const event& e);

} // namespace cf
