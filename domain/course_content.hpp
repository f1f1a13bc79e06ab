// The course content model: lessons, modules, quiz and landing page as a generator produces them,
// their JSON form (stored in course.generation.completed, served by the API, expected from
// external generators) and the structural rules every content must meet.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf {

/// One full lesson of a course.
struct lesson {
  std::string title;
  std::vector<std::string> objectives; ///< What a learner can do afterwards; 2-4 entries.
  int32_t duration_minutes = 0;        ///< > 0.
  std::string text;                    ///< The lesson itself: several paragraphs, "\n\n"-separated.
};

/// A module groups lessons under a theme.
struct course_module {
  std::string title;
  std::string summary;
  std::vector<lesson> lessons;
};

/// A multiple-choice question: exactly four options, `answer` is the index of the right one.
struct quiz_question {
  std::string question;
  std::vector<std::string> options;
  int32_t answer = 0;
  std::string explanation;
};

/// The course's landing page.
struct landing_page {
  std::string headline;
  std::string value_proposition;
  std::vector<std::string> for_whom;
  std::vector<std::string> not_for_whom;
};

/// Everything a generator produces for one course.
struct course_content {
  std::string language; ///< "en" or "de", as requested.
  std::vector<course_module> modules;
  std::vector<quiz_question> quiz;
  landing_page landing;

  /// Number of lessons over all modules.
  int32_t lesson_count() const;
};

/// JSON form of the content (stored inside `course.generation.completed`, served by the API and
/// expected from external generators).
nlohmann::json to_json(const course_content& c);

/// Reads and validates content from JSON. Errors: errc::generator_permanent naming the first
/// offending field (e.g. "quiz[2].options: expected 4 entries").
caf::expected<course_content> content_from_json(const nlohmann::json& j);

/// Checks the structural rules (non-empty modules, lessons with text and objectives, positive
/// durations, four options per question, answer in range, landing page filled). Empty string when
/// valid, otherwise a message naming the first violation.
std::string check_content(const course_content& c);

} // namespace cf
