// Generation on other machines (issue 14): the messages between the service and its workers on
// Redis streams. A job is the committed course.generation.started event itself, as the service's
// jobs relay appends it to the jobs stream (the relay's CloudEvents fields: id, type, subject,
// seq, time, data). A result is what a worker appends to the results stream. Both are outside
// input for whoever reads them: every field is checked here, before anything acts on it, and text
// that is not valid UTF-8 is refused (it could not be written into a JSON event later).
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "domain/course_request.hpp"

namespace cf {

using stream_fields = std::vector<std::pair<std::string, std::string>>;

/// One generation job, read from a jobs stream entry.
struct generation_job {
  std::string job_id;      ///< The course.generation.started event's id (field `id`).
  std::string course_id;   ///< Its subject / data.course_id.
  int32_t attempt = 1;     ///< data.attempt.
  int32_t retry_count = 0; ///< data.retry_count (0 when absent: schema version 1).
  course_request request;  ///< data.parameters, validated as POST /v1/courses validates it.
};

/// Reads a jobs stream entry (fields id, type = course.generation.started, data = the
/// CloudEvents JSON whose `data` member holds course_id, parameters, attempt[, retry_count]).
/// The CloudEvent's own id and type must agree with the fields, and the subject (when present)
/// with data.course_id. Errors: errc::invalid_argument naming the first problem.
caf::expected<generation_job> parse_generation_job(const stream_fields& fields);

/// What a worker made of a job.
struct generation_result {
  std::string job_id;
  std::string course_id;
  int32_t attempt = 1;
  int32_t retry_count = 0;
  std::string worker;       ///< The worker's name (host:pid).
  bool ok = false;          ///< completed (content) or failed (error).
  std::string content_json; ///< ok: the course content, as to_json(course_content).
  std::string error;        ///< !ok: what went wrong (one line).
  bool permanent = false;   ///< !ok: retrying will not help (generator_permanent).
  int64_t duration_ms = 0;  ///< Time the generator ran.
};

/// The results stream entry's fields: job_id, course_id, attempt, retry_count, worker,
/// outcome ("completed" | "failed"), then content (completed) or error and error_kind
/// ("transient" | "permanent") (failed), duration_ms.
stream_fields to_fields(const generation_result& r);

/// The JSON Schema of a results stream entry (its fields as an object of strings; published in
/// docs/asyncapi.json). parse_generation_result checks it first; beyond it only what a schema of
/// strings cannot say: the integers' ranges, content being a JSON object, valid UTF-8.
const nlohmann::json& generation_result_schema();

/// Reads a results stream entry. Content is checked to be a JSON object (the service validates
/// it as course content before it counts). Errors: errc::invalid_argument naming the problem.
caf::expected<generation_result> parse_generation_result(const stream_fields& fields);

} // namespace cf
