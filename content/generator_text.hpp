// Internal phrase tables of the built-in generator (English and German). Only builtin_generator.cpp
// uses this header; placeholders in braces ({topic}, {audience}, ...) are filled in there.
#pragma once

#include <string>
#include <vector>

namespace cf::gen_text {

/// A quiz question template: one right answer, three wrong ones.
struct question_text {
  const char* question;
  const char* right;
  const char* wrong[3];
  const char* explanation;
};

/// One step of the didactic arc (foundations, concepts, practice, mistakes, applying, review).
struct arc_text {
  std::vector<const char*> titles;            ///< Lesson title variants; {topic}.
  std::vector<const char*> objectives;        ///< Four objectives; {topic}, {audience}.
  std::vector<std::vector<const char*>> body; ///< Paragraph slots, each with two variants.
  std::vector<question_text> questions;       ///< Two or three question templates.
  std::vector<const char*> module_titles;     ///< Two variants; {topic}.
  const char* module_summary;                 ///< One sentence; {topic}.
};

/// Everything the generator needs to write a course in one language.
struct language_text {
  const char* code;
  std::vector<arc_text> arcs;                ///< Six arcs in didactic order.
  std::vector<const char*> intros;           ///< {n}, {lesson}, {topic}, {audience}, {minutes}.
  std::vector<const char*> deepening_intros; ///< For lessons that revisit an arc.
  const char* deepening_title;               ///< {title}.
  const char* part_title;                    ///< {title}, {n}: makes a duplicate title distinct.
  const char* brief;                         ///< {description}.
  std::vector<const char*> audience_notes;   ///< {audience}, {topic}.
  std::vector<const char*> closings;         ///< {next}.
  std::vector<const char*> final_closings;   ///< {topic}.
  const char* module_lessons;                ///< {lessons}.
  const char* and_word;
  const char* open_quote;
  const char* close_quote;
  const char* fallback_audience;
  const char* fallback_topic;
  std::vector<const char*> headlines;          ///< {topic}, {audience}.
  std::vector<const char*> value_propositions; ///< {topic}, {audience}; the first starts with
                                               ///< {count} as a plural subject.
  const char* one_lesson;                      ///< "one focused lesson".
  const char* many_lessons;                    ///< {n}.
  std::vector<const char*> for_whom;           ///< {a} (one audience), {topic}.
  std::vector<const char*> not_for_whom;       ///< At least three; {topic}.
};

/// The English tables (generator_text_en.cpp).
language_text make_english();

/// The German tables (generator_text_de.cpp).
language_text make_german();

/// The tables for `code` ("en" or "de"), or nullptr.
const language_text* find_language(const std::string& code);

} // namespace cf::gen_text
