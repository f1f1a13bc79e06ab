// The deterministic built-in generator: assembles lessons, quiz and landing page from the phrase
// tables in generator_text.cpp.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include "content/generator.hpp"
#include "content/generator_text.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

using gen_text::language_text;
using vars = std::vector<std::pair<const char*, std::string>>;

constexpr int32_t max_lessons = 50;

/// Didactic arcs, indexes into language_text::arcs.
enum arc : size_t { foundations, concepts, practice, mistakes, applying, review, arc_count };

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h ^ 0xff; // Separator, so that ("ab", "c") and ("a", "bc") differ.
}

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Replaces every "{name}" in `tpl` by its value.
std::string fill(std::string_view tpl, const vars& vs) {
  std::string out;
  out.reserve(tpl.size() + 64);
  size_t i = 0;
  while (i < tpl.size()) {
    if (tpl[i] == '{') {
      auto end = tpl.find('}', i);
      if (end != std::string_view::npos) {
        auto name = tpl.substr(i + 1, end - i - 1);
        bool found = false;
        for (const auto& [key, value] : vs)
          if (name == key) {
            out += value;
            found = true;
            break;
          }
        if (found) {
          i = end + 1;
          continue;
        }
      }
    }
    out += tpl[i++];
  }
  return out;
}

/// Upper-cases a leading ASCII letter (audience names start sentences on the landing page).
std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

/// "a", "a and b", "a, b and c".
std::string join_list(const std::vector<std::string>& xs, const char* and_word) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0)
      out += (i + 1 == xs.size()) ? std::string{" "} + and_word + " " : std::string{", "};
    out += xs[i];
  }
  return out;
}

/// At most ~240 bytes of the description, cut at a space (never inside a UTF-8 sequence).
std::string short_description(const std::string& d) {
  constexpr size_t limit = 240;
  std::string s;
  for (char ch : d) s += (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
  if (s.size() <= limit)
    return s;
  auto cut = s.rfind(' ', limit);
  return s.substr(0, cut == std::string::npos || cut < limit / 2 ? limit : cut) + " \u2026";
}

/// One planned lesson: which arc it follows and how often that arc was used before.
struct slot {
  size_t arc;
  size_t round;
};

/// The didactic sequence for `n` lessons.
std::vector<slot> plan_lessons(size_t n) {
  std::vector<slot> out;
  if (n <= arc_count) {
    // Most important arcs first; the chosen ones are then taught in didactic order.
    const size_t priority[] = {foundations, practice, review, concepts, mistakes, applying};
    std::vector<bool> chosen(arc_count, false);
    for (size_t i = 0; i < n; ++i) chosen[priority[i]] = true;
    for (size_t a = 0; a < arc_count; ++a)
      if (chosen[a])
        out.push_back({a, 0});
    return out;
  }
  for (size_t a = foundations; a < review; ++a) out.push_back({a, 0});
  // Revisit the middle arcs in deeper rounds, keep the review for the end.
  for (size_t i = 0; out.size() + 1 < n; ++i) out.push_back({concepts + i % 4, 1 + i / 4});
  out.push_back({review, 0});
  return out;
}

class builtin_generator : public generator {
public:
  std::string name() const override { return "builtin"; }

  caf::expected<course_content> generate(const course_request& req) override {
    const auto* lang = gen_text::find_language(req.language);
    if (lang == nullptr)
      return make_error(errc::generator_permanent, "language: unsupported: " + req.language);
    if (req.lesson_count < 1 || req.lesson_count > max_lessons)
      return make_error(errc::generator_permanent, "lesson_count: out of range");
    return writer{*lang, req}.run();
  }

private:
  /// Writes one course; holds the per-request state.
  struct writer {
    const language_text& t;
    const course_request& req;
    uint64_t seed = 0;
    std::string topic;
    std::string audience;
    std::string lq; // Opening quote.
    std::string rq; // Closing quote.

    writer(const language_text& lang, const course_request& r) : t(lang), req(r) {
      uint64_t h = 0xcbf29ce484222325ULL;
      h = fnv1a(h, req.title);
      h = fnv1a(h, req.description);
      h = fnv1a(h, req.language);
      for (const auto& a : req.audiences) h = fnv1a(h, a);
      seed = h;
      topic = req.title.empty() ? t.fallback_topic : req.title;
      std::vector<std::string> auds;
      for (const auto& a : req.audiences)
        if (!a.empty())
          auds.push_back(a);
      audience = auds.empty() ? t.fallback_audience : join_list(auds, t.and_word);
      lq = t.open_quote;
      rq = t.close_quote;
    }

    /// A deterministic number for (slot kind, index).
    uint64_t pick(uint64_t kind, uint64_t index = 0) const {
      return splitmix(seed ^ splitmix(kind * 1000003ULL + index));
    }

    template <class T>
    const T& choose(const std::vector<T>& xs, uint64_t kind, uint64_t index = 0) const {
      return xs[pick(kind, index) % xs.size()];
    }

    /// Like choose, but consecutive indexes get consecutive variants (no repeats in a row).
    template <class T>
    const T& rotate(const std::vector<T>& xs, uint64_t kind, size_t index) const {
      return xs[(pick(kind) % xs.size() + index) % xs.size()];
    }

    std::string f(std::string_view tpl, vars extra = {}) const {
      extra.emplace_back("topic", topic);
      extra.emplace_back("audience", audience);
      return fill(tpl, extra);
    }

    /// Makes `title` distinct from the ones in `used` and records it.
    std::string unique(std::string title, std::set<std::string>& used) const {
      auto base = title;
      for (int n = 2; used.count(title) > 0; ++n)
        title = fill(t.part_title, {{"title", base}, {"n", std::to_string(n)}});
      used.insert(title);
      return title;
    }

    caf::expected<course_content> run() {
      course_content c;
      c.language = t.code;
      auto plan = plan_lessons(static_cast<size_t>(req.lesson_count));
      auto lessons = write_lessons(plan);
      group_into_modules(plan, lessons, c);
      write_quiz(plan, c);
      write_landing(c);
      if (auto err = check_content(c); !err.empty())
        return make_error(errc::internal, "builtin generator: " + err);
      return c;
    }

    std::vector<lesson> write_lessons(const std::vector<slot>& plan) const {
      std::set<std::string> used;
      std::vector<lesson> out;
      for (size_t i = 0; i < plan.size(); ++i) {
        const auto& a = t.arcs[plan[i].arc];
        lesson l;
        // Revisited arcs take the next title variant, so titles stay different.
        auto title_index = (pick(1, plan[i].arc) + plan[i].round) % a.titles.size();
        l.title = f(a.titles[title_index]);
        if (plan[i].round > 0)
          l.title = fill(t.deepening_title, {{"title", l.title}});
        l.title = unique(l.title, used);
        // A rotating subset of the arc's objectives, kept in their didactic order.
        auto count = std::min<size_t>(2 + pick(2, i) % 3, a.objectives.size());
        auto start = pick(3, i);
        std::vector<size_t> chosen;
        for (size_t k = 0; k < count; ++k) chosen.push_back((start + k) % a.objectives.size());
        std::sort(chosen.begin(), chosen.end());
        for (auto k : chosen) l.objectives.push_back(f(a.objectives[k]));
        l.duration_minutes = static_cast<int32_t>(15 + 5 * (pick(4, i) % 7));
        out.push_back(std::move(l));
      }
      for (size_t i = 0; i < plan.size(); ++i) out[i].text = write_text(plan, out, i);
      return out;
    }

    std::string write_text(const std::vector<slot>& plan, const std::vector<lesson>& ls,
                           size_t i) const {
      const auto& a = t.arcs[plan[i].arc];
      std::vector<std::string> ps;
      ps.push_back(
          f(rotate(t.intros, 10, i), {{"n", std::to_string(i + 1)},
                                      {"lesson", ls[i].title},
                                      {"minutes", std::to_string(ls[i].duration_minutes)}}));
      if (i == 0 && !req.description.empty())
        ps.push_back(f(t.brief, {{"description", short_description(req.description)}}));
      if (plan[i].round > 0)
        ps.push_back(f(rotate(t.deepening_intros, 11, i)));
      for (size_t s = 0; s < a.body.size(); ++s) {
        // A revisited arc takes the other variant of each paragraph.
        auto variant = (pick(12, plan[i].arc * 16 + s) + plan[i].round) % a.body[s].size();
        ps.push_back(f(a.body[s][variant]));
        if (s == 1 && (i + pick(13)) % 2 == 0)
          ps.push_back(f(rotate(t.audience_notes, 14, i / 2)));
      }
      if (i + 1 < ls.size())
        ps.push_back(f(rotate(t.closings, 15, i), {{"next", ls[i + 1].title}}));
      else
        ps.push_back(f(choose(t.final_closings, 16)));
      std::string text;
      for (const auto& p : ps) {
        if (!text.empty())
          text += "\n\n";
        text += p;
      }
      return text;
    }

    void group_into_modules(const std::vector<slot>& plan, std::vector<lesson>& ls,
                            course_content& c) const {
      auto n = ls.size();
      auto count = (n + 2) / 3;
      std::set<std::string> used;
      size_t next = 0;
      for (size_t m = 0; m < count; ++m) {
        auto size = n / count + (m < n % count ? 1 : 0);
        course_module mod;
        const auto& first = plan[next];
        const auto& a = t.arcs[first.arc];
        auto variant = (pick(20, first.arc) + first.round) % a.module_titles.size();
        mod.title = unique(f(a.module_titles[variant]), used);
        std::vector<std::string> titles;
        std::vector<size_t> arcs;
        for (size_t k = next; k < next + size; ++k) {
          titles.push_back(lq + ls[k].title + rq);
          if (std::find(arcs.begin(), arcs.end(), plan[k].arc) == arcs.end())
            arcs.push_back(plan[k].arc);
          mod.lessons.push_back(std::move(ls[k]));
        }
        mod.summary = fill(t.module_lessons, {{"lessons", join_list(titles, t.and_word)}});
        for (auto x : arcs) mod.summary += " " + f(t.arcs[x].module_summary);
        next += size;
        c.modules.push_back(std::move(mod));
      }
    }

    void write_quiz(const std::vector<slot>& plan, course_content& c) const {
      size_t q_index = 0;
      auto base = pick(30);
      for (size_t i = 0; i < plan.size(); ++i) {
        const auto& a = t.arcs[plan[i].arc];
        // Revisits ask the third question of an arc; first passes one or two of the others.
        size_t count = plan[i].round > 0 ? 1 : (plan.size() == 1 || pick(31, i) % 2 == 0 ? 2 : 1);
        for (size_t k = 0; k < count; ++k, ++q_index) {
          auto ti = plan[i].round > 0 ? (2 + k) % a.questions.size() : k % a.questions.size();
          const auto& qt = a.questions[ti];
          quiz_question q;
          q.question = f(qt.question);
          q.answer = static_cast<int32_t>((base + q_index * 3) % 4);
          size_t w = 0;
          for (int32_t pos = 0; pos < 4; ++pos)
            q.options.push_back(pos == q.answer ? f(qt.right) : f(qt.wrong[w++]));
          q.explanation = f(qt.explanation);
          c.quiz.push_back(std::move(q));
        }
      }
    }

    void write_landing(course_content& c) const {
      auto n = req.lesson_count;
      auto count =
          n == 1 ? std::string{t.one_lesson} : fill(t.many_lessons, {{"n", std::to_string(n)}});
      c.landing.headline = capitalized(f(choose(t.headlines, 40)));
      // The first variant starts with the lesson count and needs a plural verb.
      auto vp = n == 1 ? t.value_propositions.back() : choose(t.value_propositions, 41);
      c.landing.value_proposition = capitalized(f(vp, {{"count", count}}));
      for (size_t i = 0; i < req.audiences.size(); ++i)
        if (!req.audiences[i].empty())
          c.landing.for_whom.push_back(
              capitalized(f(choose(t.for_whom, 42, i), {{"a", req.audiences[i]}})));
      if (c.landing.for_whom.empty())
        c.landing.for_whom.push_back(
            capitalized(f(t.for_whom.front(), {{"a", t.fallback_audience}})));
      auto pool = t.not_for_whom.size();
      auto take = 2 + pick(43) % 2;
      auto start = pick(44);
      for (size_t k = 0; k < take && k < pool; ++k)
        c.landing.not_for_whom.push_back(f(t.not_for_whom[(start + k) % pool]));
    }
  };
};

} // namespace

std::shared_ptr<generator> make_builtin_generator() {
  return std::make_shared<builtin_generator>();
}

} // namespace cf
