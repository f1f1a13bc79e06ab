// What a caller asks for when it orders a course, and the rules a request must meet.
// Parsing from JSON and validation live here so the HTTP front and the actors share one rule set.
#pragma once

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace cf {

/// A course order. Money is integer minor units; `amount_cents == 0` means free.
struct course_request {
  std::string title;                  ///< The topic, 3-200 characters.
  std::string description;            ///< Up to 2,000 characters; may be empty.
  std::string language = "en";        ///< "en" or "de".
  std::vector<std::string> audiences; ///< Who the course is for; at least one.
  int32_t lesson_count = 3;           ///< Full lessons to write, 1-10.
  std::string user_id;                ///< Who ordered it; 1-200 characters.
  int64_t amount_cents = 0;           ///< Price in minor units, >= 0.
  std::string currency;               ///< ISO-4217 code (three upper-case letters) when priced.
  bool dry_run = false;               ///< Generate only: never pay or publish.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_request& x) {
  return f(caf::meta::type_name("course_request"), x.title, x.description, x.language, x.audiences,
           x.lesson_count, x.user_id, x.amount_cents, x.currency, x.dry_run);
}

/// One rejected field: `field` is a JSON pointer-like path ("price.amount_cents").
struct field_error {
  std::string field;
  std::string message;
};

/// Checks every rule; returns all violations (empty when valid). Never throws.
std::vector<field_error> validate(const course_request& req);

/// Reads a request from a parsed JSON body. Wrong types, unknown languages, missing fields and
/// out-of-range values all land in `errors` (cleared first); on any error the result is
/// meaningless. Unknown top-level fields are rejected too, so that typos do not pass silently.
course_request parse_course_request(const nlohmann::json& body, std::vector<field_error>& errors);

/// The request as the JSON object stored in `course.generation.started` ("parameters").
nlohmann::json to_json(const course_request& req);

} // namespace cf
