// Tests for course content: the built-in generator's output, check_content and the JSON mapping.
#include "content/generator.hpp"

#include <boost/test/unit_test.hpp>
#include <set>
#include <sstream>

#include "util/errc.hpp"

namespace {

cf::course_request make_request(const std::string& language, int32_t lessons,
                                const std::string& title = "Sourdough baking") {
  cf::course_request req;
  req.title = title;
  req.description = "Bake reliable sourdough bread at home, from starter to crust.";
  req.language = language;
  req.audiences = {"home bakers", "beginners"};
  req.lesson_count = lessons;
  req.user_id = "user-1";
  return req;
}

cf::course_content generate(const cf::course_request& req) {
  auto gen = cf::make_builtin_generator();
  auto res = gen->generate(req);
  BOOST_REQUIRE(res);
  return *res;
}

std::string all_text(const cf::course_content& c) { return cf::to_json(c).dump(); }

size_t word_count(const std::string& s) {
  std::istringstream in{s};
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

/// Expects content_from_json to fail with generator_permanent naming `field`.
void expect_rejected(const nlohmann::json& j, const std::string& field) {
  auto res = cf::content_from_json(j);
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::generator_permanent));
  auto msg = cf::error_context(res.error());
  BOOST_TEST_INFO("message: " << msg);
  BOOST_CHECK(msg.find(field) != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(generator)

BOOST_AUTO_TEST_CASE(name_is_builtin) {
  BOOST_CHECK_EQUAL(cf::make_builtin_generator()->name(), "builtin");
}

BOOST_AUTO_TEST_CASE(is_deterministic) {
  for (const auto* lang : {"en", "de"}) {
    auto req = make_request(lang, 5);
    auto a = cf::to_json(generate(req)).dump();
    auto b = cf::to_json(cf::make_builtin_generator()->generate(req).value()).dump();
    BOOST_CHECK_EQUAL(a, b);
  }
}

BOOST_AUTO_TEST_CASE(lesson_count_matches_request) {
  for (int32_t n : {1, 2, 3, 4, 6, 7, 10}) {
    for (const auto* lang : {"en", "de"}) {
      auto c = generate(make_request(lang, n));
      BOOST_TEST_INFO("lessons: " << n << ", language: " << lang);
      BOOST_CHECK_EQUAL(c.lesson_count(), n);
      BOOST_CHECK_EQUAL(c.language, lang);
    }
  }
}

BOOST_AUTO_TEST_CASE(modules_have_at_most_three_lessons) {
  for (int32_t n = 1; n <= 10; ++n) {
    auto c = generate(make_request("en", n));
    BOOST_CHECK_EQUAL(c.modules.size(), static_cast<size_t>((n + 2) / 3));
    std::set<std::string> module_titles;
    for (const auto& m : c.modules) {
      BOOST_CHECK(!m.lessons.empty());
      BOOST_CHECK_LE(m.lessons.size(), 3u);
      BOOST_CHECK(!m.summary.empty());
      module_titles.insert(m.title);
    }
    BOOST_CHECK_EQUAL(module_titles.size(), c.modules.size());
  }
}

BOOST_AUTO_TEST_CASE(lessons_are_full_and_distinct) {
  for (const auto* lang : {"en", "de"}) {
    auto c = generate(make_request(lang, 10));
    std::set<std::string> titles;
    std::set<std::string> texts;
    for (const auto& m : c.modules)
      for (const auto& l : m.lessons) {
        titles.insert(l.title);
        texts.insert(l.text);
        BOOST_TEST_INFO("lesson: " << l.title);
        BOOST_CHECK_GE(l.objectives.size(), 2u);
        BOOST_CHECK_LE(l.objectives.size(), 4u);
        BOOST_CHECK_GE(l.duration_minutes, 15);
        BOOST_CHECK_LE(l.duration_minutes, 45);
        BOOST_CHECK_GE(word_count(l.text), 150u);
        BOOST_CHECK(l.text.find("\n\n") != std::string::npos);
      }
    BOOST_CHECK_EQUAL(titles.size(), 10u);
    BOOST_CHECK_EQUAL(texts.size(), 10u);
  }
}

BOOST_AUTO_TEST_CASE(writes_the_requested_language) {
  auto de = all_text(generate(make_request("de", 3)));
  BOOST_CHECK(de.find("Lektion") != std::string::npos);
  BOOST_CHECK(de.find("\u00fc") != std::string::npos || de.find("\u00e4") != std::string::npos
              || de.find("\u00f6") != std::string::npos);
  BOOST_CHECK(de.find(" the ") == std::string::npos);
  auto en = all_text(generate(make_request("en", 3)));
  BOOST_CHECK(en.find("lesson") != std::string::npos);
  BOOST_CHECK(en.find(" the ") != std::string::npos);
  BOOST_CHECK(en.find("Lektion") == std::string::npos);
  BOOST_CHECK(en.find("Sourdough baking") != std::string::npos);
  BOOST_CHECK(en.find("home bakers") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(quiz_is_well_formed) {
  auto c = generate(make_request("en", 10));
  BOOST_CHECK_GE(c.quiz.size(), 10u);
  BOOST_CHECK_LE(c.quiz.size(), 20u);
  std::set<int32_t> answers;
  for (const auto& q : c.quiz) {
    BOOST_CHECK(!q.question.empty());
    BOOST_CHECK(!q.explanation.empty());
    BOOST_REQUIRE_EQUAL(q.options.size(), 4u);
    BOOST_CHECK_EQUAL(std::set<std::string>(q.options.begin(), q.options.end()).size(), 4u);
    BOOST_CHECK_GE(q.answer, 0);
    BOOST_CHECK_LE(q.answer, 3);
    answers.insert(q.answer);
  }
  BOOST_CHECK_GT(answers.size(), 1u);
}

BOOST_AUTO_TEST_CASE(landing_page_is_filled) {
  auto c = generate(make_request("en", 3));
  BOOST_CHECK(!c.landing.headline.empty());
  BOOST_CHECK(!c.landing.value_proposition.empty());
  BOOST_CHECK_EQUAL(c.landing.for_whom.size(), 2u);
  BOOST_CHECK(c.landing.for_whom[0].find("Home bakers") != std::string::npos);
  BOOST_CHECK_GE(c.landing.not_for_whom.size(), 2u);
  BOOST_CHECK_LE(c.landing.not_for_whom.size(), 3u);
}

BOOST_AUTO_TEST_CASE(generated_content_passes_check) {
  for (int32_t n = 1; n <= 10; ++n)
    for (const auto* lang : {"en", "de"}) {
      auto c = generate(make_request(lang, n, "Topic number " + std::to_string(n)));
      BOOST_CHECK_EQUAL(cf::check_content(c), "");
    }
}

BOOST_AUTO_TEST_CASE(unknown_language_is_permanent_error) {
  auto res = cf::make_builtin_generator()->generate(make_request("fr", 3));
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::generator_permanent));
}

BOOST_AUTO_TEST_CASE(json_round_trip) {
  for (const auto* lang : {"en", "de"}) {
    auto c = generate(make_request(lang, 4));
    auto j = cf::to_json(c);
    auto back = cf::content_from_json(j);
    BOOST_REQUIRE(back);
    BOOST_CHECK_EQUAL(cf::to_json(*back).dump(), j.dump());
    BOOST_CHECK_EQUAL(back->lesson_count(), 4);
  }
}

BOOST_AUTO_TEST_CASE(content_from_json_rejects_bad_input) {
  auto good = cf::to_json(generate(make_request("en", 3)));
  {
    auto j = good;
    j.erase("modules");
    expect_rejected(j, "modules");
  }
  {
    auto j = good;
    j["quiz"][0]["options"].erase(0);
    expect_rejected(j, "quiz[0].options");
  }
  {
    auto j = good;
    j["quiz"][1]["answer"] = 4;
    expect_rejected(j, "quiz[1].answer");
  }
  {
    auto j = good;
    j["quiz"][0]["answer"] = -1;
    expect_rejected(j, "quiz[0].answer");
  }
  {
    auto j = good;
    j["modules"][0]["lessons"][0]["duration_minutes"] = "30";
    expect_rejected(j, "modules[0].lessons[0].duration_minutes");
  }
  {
    auto j = good;
    j["modules"][0]["lessons"][1]["objectives"] = nlohmann::json::array({"ok", 3});
    expect_rejected(j, "modules[0].lessons[1].objectives[1]");
  }
  {
    auto j = good;
    j["landing_page"].erase("headline");
    expect_rejected(j, "landing_page.headline");
  }
  {
    auto j = good;
    j["modules"] = nlohmann::json::array();
    expect_rejected(j, "modules");
  }
  expect_rejected(nlohmann::json::array(), "content");
  expect_rejected(nlohmann::json("text"), "content");
}

BOOST_AUTO_TEST_CASE(check_content_names_first_violation) {
  auto c = generate(make_request("en", 3));
  auto bad = c;
  bad.modules[0].lessons[0].duration_minutes = 0;
  BOOST_CHECK_EQUAL(cf::check_content(bad),
                    "modules[0].lessons[0].duration_minutes: must be positive");
  bad = c;
  bad.quiz[0].options[1] = bad.quiz[0].options[0];
  BOOST_CHECK(cf::check_content(bad).find("quiz[0].options") == 0);
  bad = c;
  bad.landing.for_whom.clear();
  BOOST_CHECK(cf::check_content(bad).find("landing_page.for_whom") == 0);
}

BOOST_AUTO_TEST_CASE(different_topics_read_differently) {
  auto a = generate(make_request("en", 3, "Sourdough baking"));
  auto b = generate(make_request("en", 3, "Negotiating salaries"));
  BOOST_CHECK_NE(a.modules[0].lessons[0].text, b.modules[0].lessons[0].text);
  BOOST_CHECK(all_text(b).find("Sourdough") == std::string::npos);
  // Beyond the topic name, the phrasing itself varies between topics.
  std::set<std::string> headlines;
  for (const auto* t : {"Sourdough baking", "Negotiating salaries", "Python for data analysis",
                        "Time management", "Public speaking", "Watercolour painting"}) {
    auto c = generate(make_request("en", 3, t));
    auto h = c.landing.headline;
    auto pos = h.find(t);
    if (pos != std::string::npos)
      h.replace(pos, std::string{t}.size(), "X");
    headlines.insert(h);
  }
  BOOST_CHECK_GT(headlines.size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
