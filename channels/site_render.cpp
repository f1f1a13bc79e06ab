// HTML templates of the `site` channel: landing page, lesson pages and quiz as HTML5 with a small
// inline stylesheet; every piece of course text goes through html_escape.
#include "channels/site_render.hpp"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace cf {

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string site_lesson_file(size_t n) { return "lesson-" + std::to_string(n) + ".html"; }

namespace {

std::string esc(const std::string& s) { return html_escape(s); }

/// UI labels in the course language.
struct labels {
  const char* lang;
  const char* lesson;
  const char* lessons;
  const char* module;
  const char* quiz;
  const char* for_whom;
  const char* not_for_whom;
  const char* outline;
  const char* objectives;
  const char* minutes;
  const char* total;
  const char* start;
  const char* take_quiz;
  const char* questions;
  const char* quiz_intro;
  const char* answer;
  const char* previous;
  const char* next;
  const char* back;
};

const labels& labels_for(const std::string& language) {
  static const labels en{"en",
                         "Lesson",
                         "Lessons",
                         "Module",
                         "Quiz",
                         "For whom",
                         "Not for whom",
                         "Course outline",
                         "You will be able to",
                         "min",
                         "Total time",
                         "Start with lesson 1",
                         "Take the quiz",
                         "questions",
                         "Pick an answer for each question, then open the answer to check "
                         "yourself.",
                         "Answer",
                         "Previous lesson",
                         "Next lesson",
                         "Back to overview"};
  static const labels de{"de",
                         "Lektion",
                         "Lektionen",
                         "Modul",
                         "Quiz",
                         "Für wen",
                         "Nicht für wen",
                         "Kursübersicht",
                         "Danach können Sie",
                         "Min.",
                         "Gesamtdauer",
                         "Mit Lektion 1 beginnen",
                         "Zum Quiz",
                         "Fragen",
                         "Wählen Sie zu jeder Frage eine Antwort und öffnen Sie dann die Lösung, "
                         "um sich selbst zu prüfen.",
                         "Antwort",
                         "Vorherige Lektion",
                         "Nächste Lektion",
                         "Zurück zur Übersicht"};
  return language == "de" ? de : en;
}

constexpr const char* style =
    "body{font-family:Georgia,'Times New Roman',serif;line-height:1.6;color:#222;"
    "background:#fdfdfb;max-width:42rem;margin:0 auto;padding:1.5rem 1rem 3rem}"
    "h1,h2,h3{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.25}"
    "h1{font-size:1.9rem}h2{font-size:1.4rem;margin-top:2rem}h3{font-size:1.1rem}"
    "a{color:#1a5fb4}.kicker{color:#666;font-size:.9rem;margin-bottom:0}"
    ".meta{color:#666;font-size:.9rem}nav{margin-top:2.5rem;padding-top:1rem;"
    "border-top:1px solid #ddd;display:flex;gap:1rem;flex-wrap:wrap;justify-content:space-between}"
    "details{margin:.5rem 0 1.5rem;padding:.5rem .75rem;background:#f3f3ef;border-radius:4px}"
    "summary{cursor:pointer;font-weight:bold}li{margin:.2rem 0}";

/// The page frame around `body`.
std::string page(const labels& l, const std::string& title, const std::string& body) {
  std::string out;
  out.reserve(body.size() + 2048);
  out += "<!DOCTYPE html>\n<html lang=\"";
  out += l.lang;
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += esc(title);
  out += "</title>\n<style>";
  out += style;
  out += "</style>\n</head>\n<body>\n<main>\n";
  out += body;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "<ul>\n";
  for (const auto& x : items) out += "<li>" + esc(x) + "</li>\n";
  return out + "</ul>\n";
}

std::string lesson_file(size_t n) { return site_lesson_file(n); }

std::string minutes(const labels& l, int32_t m) { return std::to_string(m) + " " + l.minutes; }

} // namespace

std::string render_site_index(const std::string& language, const std::string& title,
                              const course_content& c) {
  const auto& l = labels_for(language);
  std::ostringstream b;
  const auto& lp = c.landing;
  int64_t total = 0;
  for (const auto& m : c.modules)
    for (const auto& x : m.lessons) total += x.duration_minutes;
  b << "<p class=\"kicker\">" << esc(title) << "</p>\n<h1>" << esc(lp.headline) << "</h1>\n<p>"
    << esc(lp.value_proposition) << "</p>\n<p class=\"meta\">" << l.lessons << ": "
    << c.lesson_count() << " · " << l.total << ": " << minutes(l, static_cast<int32_t>(total))
    << "</p>\n";
  b << "<p><a href=\"" << lesson_file(1) << "\">" << l.start << "</a></p>\n";
  b << "<h2>" << l.for_whom << "</h2>\n" << list(lp.for_whom);
  if (!lp.not_for_whom.empty())
    b << "<h2>" << l.not_for_whom << "</h2>\n" << list(lp.not_for_whom);
  b << "<h2>" << l.outline << "</h2>\n";
  size_t n = 0;
  for (size_t i = 0; i < c.modules.size(); ++i) {
    const auto& m = c.modules[i];
    b << "<section>\n<h3>" << l.module << ' ' << (i + 1) << ": " << esc(m.title) << "</h3>\n";
    if (!m.summary.empty())
      b << "<p>" << esc(m.summary) << "</p>\n";
    b << "<ol start=\"" << (n + 1) << "\">\n";
    for (const auto& x : m.lessons) {
      ++n;
      b << "<li><a href=\"" << lesson_file(n) << "\">" << esc(x.title) << "</a> <span "
        << "class=\"meta\">(" << minutes(l, x.duration_minutes) << ")</span>\n"
        << list(x.objectives) << "</li>\n";
    }
    b << "</ol>\n</section>\n";
  }
  if (!c.quiz.empty())
    b << "<h2>" << l.quiz << "</h2>\n<p><a href=\"quiz.html\">" << l.take_quiz << "</a> ("
      << c.quiz.size() << ' ' << l.questions << ")</p>\n";
  return page(l, title, b.str());
}

/// Paragraphs are "\n\n"-separated; single line breaks inside a paragraph become <br>.
std::string paragraphs(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find("\n\n", pos);
    if (end == std::string::npos)
      end = text.size();
    auto para = text.substr(pos, end - pos);
    auto first = para.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) {
      para = para.substr(first, para.find_last_not_of(" \t\r\n") - first + 1);
      std::string html = esc(para);
      for (size_t k = 0; (k = html.find('\n', k)) != std::string::npos; k += 5)
        html.replace(k, 1, "<br>\n");
      out += "<p>" + html + "</p>\n";
    }
    pos = end + 2;
  }
  return out;
}

std::string render_site_lesson(const std::string& language, const std::string& title,
                               const course_content& c, size_t n) {
  const auto& l = labels_for(language);
  size_t count = static_cast<size_t>(c.lesson_count());
  size_t module_no = 0;
  const course_module* m = nullptr;
  const lesson* x = nullptr;
  for (size_t i = 0, k = 0; i < c.modules.size() && x == nullptr; ++i)
    for (const auto& candidate : c.modules[i].lessons)
      if (++k == n) {
        module_no = i + 1;
        m = &c.modules[i];
        x = &candidate;
        break;
      }
  if (x == nullptr)
    throw std::out_of_range("render_site_lesson: no lesson " + std::to_string(n));
  std::ostringstream b;
  b << "<p class=\"kicker\"><a href=\"index.html\">" << esc(title) << "</a> · " << l.module << ' '
    << module_no << ": " << esc(m->title) << "</p>\n<h1>" << l.lesson << ' ' << n << ": "
    << esc(x->title) << "</h1>\n<p class=\"meta\">" << minutes(l, x->duration_minutes) << "</p>\n";
  b << "<h2>" << l.objectives << "</h2>\n"
    << list(x->objectives) << "<article>\n"
    << paragraphs(x->text) << "</article>\n<nav>\n";
  if (n > 1)
    b << "<a href=\"" << lesson_file(n - 1) << "\" rel=\"prev\">← " << l.previous << "</a>\n";
  b << "<a href=\"index.html\">" << l.back << "</a>\n";
  if (n < count)
    b << "<a href=\"" << lesson_file(n + 1) << "\" rel=\"next\">" << l.next << " →</a>\n";
  else if (!c.quiz.empty())
    b << "<a href=\"quiz.html\" rel=\"next\">" << l.quiz << " →</a>\n";
  b << "</nav>\n";
  return page(l, l.lesson + (" " + std::to_string(n)) + ": " + x->title + " – " + title, b.str());
}

std::string render_site_quiz(const std::string& language, const std::string& title,
                             const course_content& c) {
  static const char letters[] = "ABCD";
  const auto& l = labels_for(language);
  std::ostringstream b;
  b << "<p class=\"kicker\"><a href=\"index.html\">" << esc(title) << "</a></p>\n<h1>" << l.quiz
    << "</h1>\n<p>" << l.quiz_intro << "</p>\n";
  for (size_t i = 0; i < c.quiz.size(); ++i) {
    const auto& q = c.quiz[i];
    b << "<section>\n<h2>" << (i + 1) << ". " << esc(q.question) << "</h2>\n<ol type=\"A\">\n";
    for (const auto& o : q.options) b << "<li>" << esc(o) << "</li>\n";
    b << "</ol>\n<details>\n<summary>" << l.answer << "</summary>\n";
    if (q.answer >= 0 && static_cast<size_t>(q.answer) < q.options.size())
      b << "<p><strong>" << letters[q.answer % 4] << ") " << esc(q.options[q.answer])
        << "</strong></p>\n";
    b << "<p>" << esc(q.explanation) << "</p>\n</details>\n</section>\n";
  }
  b << "<nav>\n<a href=\"index.html\">" << l.back << "</a>\n</nav>\n";
  return page(l, l.quiz + std::string{" – "} + title, b.str());
}

} // namespace cf
