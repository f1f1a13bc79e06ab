// HTML templates of the `site` channel: the landing page, one page per lesson and the quiz, as
// self-contained HTML5 documents with UI labels in the course language.
#pragma once

#include <cstddef>
#include <string>

#include "domain/course_content.hpp"

namespace cf {

/// `s` with & < > " ' replaced by entities, safe in text and in quoted attributes.
std::string html_escape(const std::string& s);

/// The file name of lesson `n` (1-based, numbered across modules): "lesson-3.html".
std::string site_lesson_file(size_t n);

/// The landing page (index.html). `language` ("en" or "de") selects the UI labels; `title` is
/// the course title shown above the headline and in <title>.
std::string render_site_index(const std::string& language, const std::string& title,
                              const course_content& c);

/// The page of lesson `n` (1-based across modules, 1 <= n <= c.lesson_count()) with
/// previous/next/overview navigation; the last lesson links on to the quiz when there is one.
std::string render_site_lesson(const std::string& language, const std::string& title,
                               const course_content& c, size_t n);

/// The quiz page (quiz.html): each question with its options and a <details> element holding
/// the right answer and its explanation.
std::string render_site_quiz(const std::string& language, const std::string& title,
                             const course_content& c);

} // namespace cf
