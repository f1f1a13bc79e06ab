// The course content model: what a generator produces, its JSON form and its structural checks.
#include "domain/course_content.hpp"

#include <set>
#include <string_view>

#include "util/errc.hpp"

namespace cf {

int32_t course_content::lesson_count() const {
  size_t n = 0;
  for (const auto& m : modules) n += m.lessons.size();
  return static_cast<int32_t>(n);
}

nlohmann::json to_json(const course_content& c) {
  using nlohmann::json;
  json modules = json::array();
  for (const auto& m : c.modules) {
    json lessons = json::array();
    for (const auto& l : m.lessons)
      lessons.push_back({{"title", l.title},
                         {"objectives", l.objectives},
                         {"duration_minutes", l.duration_minutes},
                         {"text", l.text}});
    modules.push_back(
        {{"title", m.title}, {"summary", m.summary}, {"lessons", std::move(lessons)}});
  }
  json quiz = json::array();
  for (const auto& q : c.quiz)
    quiz.push_back({{"question", q.question},
                    {"options", q.options},
                    {"answer", q.answer},
                    {"explanation", q.explanation}});
  return {{"language", c.language},
          {"modules", std::move(modules)},
          {"quiz", std::move(quiz)},
          {"landing_page",
           {{"headline", c.landing.headline},
            {"value_proposition", c.landing.value_proposition},
            {"for_whom", c.landing.for_whom},
            {"not_for_whom", c.landing.not_for_whom}}}};
}

namespace {

/// Reads JSON fields with type checks; remembers the first error as "path: message".
class json_reader {
public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void fail(const std::string& path, const std::string& what) {
    if (error_.empty())
      error_ = path + ": " + what;
  }

  /// The member `key` of object `j`, or nullptr (and an error) when absent.
  const nlohmann::json* member(const nlohmann::json& j, const std::string& path, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) {
      fail(path, "missing");
      return nullptr;
    }
    return &*it;
  }

  void read(const nlohmann::json& j, const std::string& path, const char* key, std::string& out) {
    if (auto v = member(j, path, key)) {
      if (v->is_string())
        out = v->get<std::string>();
      else
        fail(path, "expected a string");
    }
  }

  void read(const nlohmann::json& j, const std::string& path, const char* key, int32_t& out) {
    if (auto v = member(j, path, key)) {
      if (!v->is_number_integer())
        fail(path, "expected an integer");
      else if (v->is_number_unsigned()
                   ? v->get<uint64_t>() > INT32_MAX
                   : (v->get<int64_t>() > INT32_MAX || v->get<int64_t>() < INT32_MIN))
        fail(path, "out of range");
      else
        out = v->get<int32_t>();
    }
  }

  void read(const nlohmann::json& j, const std::string& path, const char* key,
            std::vector<std::string>& out) {
    auto v = array(j, path, key);
    if (v == nullptr)
      return;
    for (size_t i = 0; i < v->size(); ++i) {
      const auto& e = (*v)[i];
      if (!e.is_string()) {
        fail(path + "[" + std::to_string(i) + "]", "expected a string");
        return;
      }
      out.push_back(e.get<std::string>());
    }
  }

  const nlohmann::json* array(const nlohmann::json& j, const std::string& path, const char* key) {
    auto v = member(j, path, key);
    if (v != nullptr && !v->is_array()) {
      fail(path, "expected an array");
      return nullptr;
    }
    return v;
  }

  const nlohmann::json* object(const nlohmann::json& j, const std::string& path, const char* key) {
    auto v = member(j, path, key);
    if (v != nullptr && !v->is_object()) {
      fail(path, "expected an object");
      return nullptr;
    }
    return v;
  }

private:
  std::string error_;
};

std::string indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

/// Reads `j` into `c`; returns the first error or an empty string.
std::string read_content(const nlohmann::json& j, course_content& c) {
  if (!j.is_object())
    return "content: expected an object";
  json_reader r;
  r.read(j, "language", "language", c.language);
  if (auto mods = r.array(j, "modules", "modules")) {
    for (size_t i = 0; i < mods->size() && r.ok(); ++i) {
      const auto& mj = (*mods)[i];
      auto mp = indexed("modules", i);
      if (!mj.is_object()) {
        r.fail(mp, "expected an object");
        break;
      }
      course_module m;
      r.read(mj, mp + ".title", "title", m.title);
      r.read(mj, mp + ".summary", "summary", m.summary);
      auto lessons = r.array(mj, mp + ".lessons", "lessons");
      for (size_t k = 0; lessons != nullptr && k < lessons->size() && r.ok(); ++k) {
        const auto& lj = (*lessons)[k];
        auto lp = indexed(mp + ".lessons", k);
        if (!lj.is_object()) {
          r.fail(lp, "expected an object");
          break;
        }
        lesson l;
        r.read(lj, lp + ".title", "title", l.title);
        r.read(lj, lp + ".objectives", "objectives", l.objectives);
        r.read(lj, lp + ".duration_minutes", "duration_minutes", l.duration_minutes);
        r.read(lj, lp + ".text", "text", l.text);
        m.lessons.push_back(std::move(l));
      }
      c.modules.push_back(std::move(m));
    }
  }
  if (auto quiz = r.ok() ? r.array(j, "quiz", "quiz") : nullptr) {
    for (size_t i = 0; i < quiz->size() && r.ok(); ++i) {
      const auto& qj = (*quiz)[i];
      auto qp = indexed("quiz", i);
      if (!qj.is_object()) {
        r.fail(qp, "expected an object");
        break;
      }
      quiz_question q;
      r.read(qj, qp + ".question", "question", q.question);
      r.read(qj, qp + ".options", "options", q.options);
      r.read(qj, qp + ".answer", "answer", q.answer);
      r.read(qj, qp + ".explanation", "explanation", q.explanation);
      c.quiz.push_back(std::move(q));
    }
  }
  if (auto lp = r.ok() ? r.object(j, "landing_page", "landing_page") : nullptr) {
    r.read(*lp, "landing_page.headline", "headline", c.landing.headline);
    r.read(*lp, "landing_page.value_proposition", "value_proposition", c.landing.value_proposition);
    r.read(*lp, "landing_page.for_whom", "for_whom", c.landing.for_whom);
    r.read(*lp, "landing_page.not_for_whom", "not_for_whom", c.landing.not_for_whom);
  }
  return r.error();
}

std::string check_strings(const std::vector<std::string>& xs, const std::string& path) {
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i].empty())
      return indexed(path, i) + ": must not be empty";
  return {};
}

} // namespace

caf::expected<course_content> content_from_json(const nlohmann::json& j) {
  try {
    course_content c;
    if (auto err = read_content(j, c); !err.empty())
      return make_error(errc::generator_permanent, std::move(err));
    if (auto err = check_content(c); !err.empty())
      return make_error(errc::generator_permanent, std::move(err));
    return c;
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::generator_permanent, std::string{"content: "} + e.what());
  }
}

std::string check_content(const course_content& c) {
  if (c.language.empty())
    return "language: must not be empty";
  if (c.modules.empty())
    return "modules: must not be empty";
  for (size_t i = 0; i < c.modules.size(); ++i) {
    const auto& m = c.modules[i];
    auto mp = indexed("modules", i);
    if (m.title.empty())
      return mp + ".title: must not be empty";
    if (m.lessons.empty())
      return mp + ".lessons: must not be empty";
    for (size_t k = 0; k < m.lessons.size(); ++k) {
      const auto& l = m.lessons[k];
      auto lp = indexed(mp + ".lessons", k);
      if (l.title.empty())
        return lp + ".title: must not be empty";
      if (l.objectives.empty())
        return lp + ".objectives: must not be empty";
      if (auto err = check_strings(l.objectives, lp + ".objectives"); !err.empty())
        return err;
      if (l.duration_minutes <= 0)
        return lp + ".duration_minutes: must be positive";
      if (l.text.empty())
        return lp + ".text: must not be empty";
    }
  }
  for (size_t i = 0; i < c.quiz.size(); ++i) {
    const auto& q = c.quiz[i];
    auto qp = indexed("quiz", i);
    if (q.question.empty())
      return qp + ".question: must not be empty";
    if (q.options.size() != 4)
      return qp + ".options: expected 4 entries";
    if (auto err = check_strings(q.options, qp + ".options"); !err.empty())
      return err;
    if (std::set<std::string>(q.options.begin(), q.options.end()).size() != q.options.size())
      return qp + ".options: entries must be distinct";
    if (q.answer < 0 || q.answer > 3)
      return qp + ".answer: must be between 0 and 3";
  }
  if (c.landing.headline.empty())
    return "landing_page.headline: must not be empty";
  if (c.landing.value_proposition.empty())
    return "landing_page.value_proposition: must not be empty";
  if (c.landing.for_whom.empty())
    return "landing_page.for_whom: must not be empty";
  if (auto err = check_strings(c.landing.for_whom, "landing_page.for_whom"); !err.empty())
    return err;
  return check_strings(c.landing.not_for_whom, "landing_page.not_for_whom");
}

} // namespace cf
