// Tests for the `site` channel: the slug rule, the rendered pages, folder uniqueness and reuse,
// escaping, German labels, concurrent publication and the error classes.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "channels/channel.hpp"
#include "channels/site_render.hpp"
#include "content/generator.hpp"
#include "domain/course_request.hpp"
#include "util/errc.hpp"

namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system temp dir, removed with everything in it at the end.
struct temp_dir {
  fs::path path;

  temp_dir() {
    std::random_device rd;
    std::ostringstream name;
    name << "cf-site-test-" << std::hex << rd() << rd();
    path = fs::temp_directory_path() / name.str();
    fs::create_directories(path);
  }

  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

cf::course_content generate(const std::string& title, const std::string& language,
                            int32_t lessons) {
  cf::course_request req;
  req.title = title;
  req.description = "A practical introduction.";
  req.language = language;
  req.audiences = {"beginners"};
  req.lesson_count = lessons;
  req.user_id = "user-1";
  auto res = cf::make_builtin_generator()->generate(req);
  BOOST_REQUIRE(res);
  return *res;
}

cf::published_course make_course(const std::string& id, const std::string& title,
                                 const std::string& language = "en", int32_t lessons = 3) {
  cf::published_course pc;
  pc.course_id = id;
  pc.title = title;
  pc.language = language;
  pc.content_json = cf::to_json(generate(title, language, lessons)).dump();
  pc.distribution_id = "dist-" + id;
  return pc;
}

std::string read(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// The error context of a failed publication (Boost.Test evaluates messages eagerly).
std::string why(const caf::expected<cf::channel_result>& res) {
  return res ? std::string{} : cf::error_context(res.error());
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Files in `dir`, without the hidden marker.
std::set<std::string> pages_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator{dir}) {
    auto name = e.path().filename().string();
    if (name.front() != '.')
      out.insert(name);
    else
      BOOST_CHECK_MESSAGE(name == ".course-id", "leftover file " << name);
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(site_channel)

BOOST_AUTO_TEST_CASE(slug_rules) {
  BOOST_CHECK_EQUAL(cf::make_slug("Größe & Übung für Anfänger!"), "groesse-uebung-fuer-anfaenger");
  BOOST_CHECK_EQUAL(cf::make_slug("  C++ -- Basics  "), "c-basics");
  BOOST_CHECK_EQUAL(cf::make_slug("Café Niño"), "cafe-nino");
  BOOST_CHECK_EQUAL(cf::make_slug("???"), "course");
  BOOST_CHECK_EQUAL(cf::make_slug(""), "course");
  BOOST_CHECK_EQUAL(cf::make_slug("ÄÖÜ äöü ß"), "aeoeue-aeoeue-ss");
  BOOST_CHECK_EQUAL(cf::make_slug("Crème brûlée à la Façon"), "creme-brulee-a-la-facon");
  BOOST_CHECK_EQUAL(cf::make_slug("Größe & Übung"), "groesse-uebung");
  BOOST_CHECK_EQUAL(cf::make_slug("Python 3.12 – Tipps"), "python-3-12-tipps");

  std::string words;
  for (int i = 0; i < 30; ++i) words += "Lernen ";
  auto capped = cf::make_slug(words);
  BOOST_CHECK_LE(capped.size(), 80u);
  BOOST_CHECK_GT(capped.size(), 60u);
  BOOST_CHECK(capped.back() != '-');
  BOOST_CHECK_EQUAL(capped.size() % 7, 6u); // Whole words only: "lernen" + ("-lernen")*.

  auto one_word = cf::make_slug(std::string(120, 'x'));
  BOOST_CHECK_EQUAL(one_word, std::string(80, 'x'));
}

BOOST_AUTO_TEST_CASE(writes_index_lessons_and_quiz) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://courses.example/");
  BOOST_CHECK_EQUAL(ch->name(), "site");
  auto pc = make_course("course-1", "Sourdough & Bread", "en", 4);
  auto content = cf::content_from_json(nlohmann::json::parse(pc.content_json));
  BOOST_REQUIRE(content);

  auto res = ch->publish(pc);
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK_EQUAL(res->url, "https://courses.example/sourdough-bread/");
  auto dir = tmp.path / "sourdough-bread";
  BOOST_CHECK(contains(res->detail, "6 pages written"));
  BOOST_CHECK(contains(res->detail, dir.string()));
  BOOST_CHECK_EQUAL(read(dir / ".course-id"), "course-1\n");

  std::set<std::string> expected{"index.html", "quiz.html"};
  for (int n = 1; n <= 4; ++n) expected.insert("lesson-" + std::to_string(n) + ".html");
  BOOST_CHECK(pages_in(dir) == expected);

  auto index = read(dir / "index.html");
  BOOST_CHECK(contains(index, "<!DOCTYPE html>"));
  BOOST_CHECK(contains(index, "<html lang=\"en\">"));
  BOOST_CHECK(contains(index, "<meta charset=\"utf-8\">"));
  BOOST_CHECK(contains(index, "Sourdough &amp; Bread"));
  BOOST_CHECK(contains(index, cf::html_escape(content->landing.headline)));
  BOOST_CHECK(contains(index, "For whom"));
  BOOST_CHECK(contains(index, "href=\"lesson-4.html\""));
  BOOST_CHECK(contains(index, "href=\"quiz.html\""));

  size_t n = 0;
  for (const auto& m : content->modules)
    for (const auto& l : m.lessons) {
      ++n;
      auto page = read(dir / ("lesson-" + std::to_string(n) + ".html"));
      BOOST_CHECK(contains(page, "Sourdough &amp; Bread"));
      BOOST_CHECK(contains(page, cf::html_escape(l.title)));
      BOOST_CHECK(contains(index, cf::html_escape(l.title)));
      auto first_paragraph = l.text.substr(0, l.text.find("\n\n"));
      BOOST_CHECK(contains(page, "<p>" + cf::html_escape(first_paragraph) + "</p>"));
      BOOST_CHECK(contains(page, "Back to overview"));
      BOOST_CHECK_EQUAL(contains(page, "rel=\"prev\""), n > 1);
    }

  auto quiz = read(dir / "quiz.html");
  BOOST_CHECK(contains(quiz, "<details>"));
  for (const auto& q : content->quiz) {
    BOOST_CHECK(contains(quiz, cf::html_escape(q.question)));
    BOOST_CHECK(contains(quiz, cf::html_escape(q.explanation)));
    for (const auto& o : q.options) BOOST_CHECK(contains(quiz, cf::html_escape(o)));
  }
}

BOOST_AUTO_TEST_CASE(escapes_html_in_the_title) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "http://localhost:8080");
  auto res = ch->publish(make_course("evil", "Tricks <script>&\"'"));
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK_EQUAL(res->url, "http://localhost:8080/tricks-script/");
  for (const auto& e : fs::directory_iterator{tmp.path / "tricks-script"}) {
    if (e.path().extension() != ".html")
      continue;
    auto page = read(e.path());
    BOOST_CHECK_MESSAGE(!contains(page, "<script>"), e.path());
    BOOST_CHECK_MESSAGE(contains(page, "Tricks &lt;script&gt;&amp;&quot;&#39;"), e.path());
  }
}

BOOST_AUTO_TEST_CASE(german_labels) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://kurse.example");
  auto res = ch->publish(make_course("de-1", "Größe & Übung für Anfänger!", "de", 2));
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK_EQUAL(res->url, "https://kurse.example/groesse-uebung-fuer-anfaenger/");
  auto dir = tmp.path / "groesse-uebung-fuer-anfaenger";
  auto index = read(dir / "index.html");
  BOOST_CHECK(contains(index, "<html lang=\"de\">"));
  BOOST_CHECK(contains(index, "Größe &amp; Übung für Anfänger!"));
  BOOST_CHECK(contains(index, "Für wen"));
  BOOST_CHECK(contains(index, "Nicht für wen"));
  BOOST_CHECK(contains(index, "Lektion"));
  BOOST_CHECK(!contains(index, "For whom"));
  auto lesson = read(dir / "lesson-1.html");
  BOOST_CHECK(contains(lesson, "Lektion 1"));
  BOOST_CHECK(contains(lesson, "Zurück zur Übersicht"));
  BOOST_CHECK(contains(lesson, "Nächste Lektion"));
  auto quiz = read(dir / "quiz.html");
  BOOST_CHECK(contains(quiz, "<summary>Antwort</summary>"));
  BOOST_CHECK(contains(quiz, "Zurück zur Übersicht"));
}

BOOST_AUTO_TEST_CASE(same_title_gets_a_suffix_and_republishing_reuses_the_folder) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://x.example");
  auto a = make_course("course-a", "Knitting Basics");
  auto b = make_course("course-b", "Knitting Basics");
  auto ra = ch->publish(a);
  auto rb = ch->publish(b);
  BOOST_REQUIRE(ra && rb);
  BOOST_CHECK_EQUAL(ra->url, "https://x.example/knitting-basics/");
  BOOST_CHECK_EQUAL(rb->url, "https://x.example/knitting-basics-2/");
  BOOST_CHECK_EQUAL(read(tmp.path / "knitting-basics-2" / ".course-id"), "course-b\n");

  auto again = ch->publish(a);
  BOOST_REQUIRE(again);
  BOOST_CHECK_EQUAL(again->url, ra->url);
  auto again_b = ch->publish(b);
  BOOST_REQUIRE(again_b);
  BOOST_CHECK_EQUAL(again_b->url, rb->url);
  BOOST_CHECK_EQUAL(read(tmp.path / "knitting-basics" / ".course-id"), "course-a\n");

  // A new channel object over the same root recognises the folders by their markers.
  auto ch2 = cf::make_site_channel(tmp.path.string(), "https://x.example");
  auto rb2 = ch2->publish(b);
  BOOST_REQUIRE(rb2);
  BOOST_CHECK_EQUAL(rb2->url, rb->url);
  auto rc = ch2->publish(make_course("course-c", "Knitting Basics"));
  BOOST_REQUIRE(rc);
  BOOST_CHECK_EQUAL(rc->url, "https://x.example/knitting-basics-3/");
  BOOST_CHECK_EQUAL(std::distance(fs::directory_iterator{tmp.path}, fs::directory_iterator{}), 3);
}

// A common title: after title-2 ... title-10 the folder carries the end of the course id, so a
// publication looks at a dozen folders at most, however many courses share the title; each
// course finds its own folder again when republished, also from a new channel object.
BOOST_AUTO_TEST_CASE(many_courses_with_one_title_get_bounded_unique_folders) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://x.example");
  std::vector<std::string> urls;
  for (int i = 1; i <= 13; ++i) {
    auto id = "0190e4c2-7a1b-7cde-8f00-0000000000" + std::to_string(10 + i);
    auto r = ch->publish(make_course(id, "Knitting Basics"));
    BOOST_REQUIRE(r);
    urls.push_back(r->url);
  }
  BOOST_CHECK_EQUAL(urls[0], "https://x.example/knitting-basics/");
  BOOST_CHECK_EQUAL(urls[9], "https://x.example/knitting-basics-10/");
  BOOST_CHECK_EQUAL(urls[10], "https://x.example/knitting-basics-000000000021/");
  BOOST_CHECK_EQUAL(urls[12], "https://x.example/knitting-basics-000000000023/");
  auto ch2 = cf::make_site_channel(tmp.path.string(), "https://x.example");
  auto again = ch2->publish(make_course("0190e4c2-7a1b-7cde-8f00-000000000022", "Knitting Basics"));
  BOOST_REQUIRE(again);
  BOOST_CHECK_EQUAL(again->url, urls[11]);
  // Another course whose id ends the same way takes the folder with its whole id.
  auto twin = ch2->publish(make_course("ffffffff-7a1b-7cde-8f00-000000000021", "Knitting Basics"));
  BOOST_REQUIRE(twin);
  BOOST_CHECK_EQUAL(twin->url,
                    "https://x.example/knitting-basics-ffffffff7a1b7cde8f00000000000021/");
  BOOST_CHECK_EQUAL(std::distance(fs::directory_iterator{tmp.path}, fs::directory_iterator{}), 14);
}

BOOST_AUTO_TEST_CASE(republishing_with_fewer_lessons_removes_stale_pages) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://x.example");
  auto big = make_course("c-1", "Chess Openings", "en", 5);
  BOOST_REQUIRE(ch->publish(big));
  BOOST_CHECK(fs::exists(tmp.path / "chess-openings" / "lesson-5.html"));
  auto small = make_course("c-1", "Chess Openings", "en", 2);
  auto res = ch->publish(small);
  BOOST_REQUIRE(res);
  BOOST_CHECK(fs::exists(tmp.path / "chess-openings" / "lesson-2.html"));
  BOOST_CHECK(!fs::exists(tmp.path / "chess-openings" / "lesson-3.html"));
  BOOST_CHECK(!fs::exists(tmp.path / "chess-openings" / "lesson-5.html"));
}

BOOST_AUTO_TEST_CASE(concurrent_publications) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://x.example");
  std::vector<cf::published_course> courses;
  for (int i = 0; i < 4; ++i) courses.push_back(make_course("id-" + std::to_string(i), "Same"));
  std::vector<std::string> urls(16);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < urls.size(); ++t)
    threads.emplace_back([&, t] {
      auto res = ch->publish(courses[t % courses.size()]);
      urls[t] = res ? res->url : "error: " + cf::error_context(res.error());
    });
  for (auto& th : threads) th.join();
  // Each course has one folder, whichever of its four threads got there first: every thread's
  // URL is the folder whose marker names that course, and a publication after the race (from a
  // new channel object, which knows the folders only by their markers) finds the same one.
  const std::string base = "https://x.example/";
  auto fresh = cf::make_site_channel(tmp.path.string(), "https://x.example");
  std::set<std::string> distinct;
  for (size_t t = 0; t < urls.size(); ++t) {
    const auto& course = courses[t % courses.size()];
    BOOST_TEST_CONTEXT("thread " << t << " published " << course.course_id << " at " << urls[t]) {
      BOOST_TEST(urls[t].rfind(base + "same", 0) == 0u);
      BOOST_REQUIRE(urls[t].size() > base.size() && urls[t].back() == '/');
      auto folder = urls[t].substr(base.size(), urls[t].size() - base.size() - 1);
      BOOST_TEST(read(tmp.path / folder / ".course-id") == course.course_id + "\n");
      auto again = fresh->publish(course);
      BOOST_REQUIRE(again);
      BOOST_TEST(again->url == urls[t]);
    }
    distinct.insert(urls[t]);
  }
  BOOST_CHECK_EQUAL(distinct.size(), courses.size());
  for (const auto& e : fs::directory_iterator{tmp.path}) {
    auto pages = pages_in(e.path());
    BOOST_CHECK_EQUAL(pages.size(), 5u); // index, 3 lessons, quiz; no temp files left.
  }
}

BOOST_AUTO_TEST_CASE(invalid_content_is_permanent) {
  temp_dir tmp;
  auto ch = cf::make_site_channel(tmp.path.string(), "https://x.example");
  auto pc = make_course("bad", "Bad Content");
  pc.content_json = "{not json";
  auto res = ch->publish(pc);
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::channel_permanent));

  pc.content_json = R"({"language":"en","modules":[]})";
  res = ch->publish(pc);
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::channel_permanent));

  pc.content_json = "[1,2,3]";
  res = ch->publish(pc);
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::channel_permanent));
  BOOST_CHECK(!fs::exists(tmp.path / "bad-content"));
}

BOOST_AUTO_TEST_CASE(unwritable_root_is_transient) {
  temp_dir tmp;
  auto file = tmp.path / "plain-file";
  std::ofstream{file} << "not a directory";
  auto ch = cf::make_site_channel((file / "site").string(), "https://x.example");
  auto res = ch->publish(make_course("c-1", "Anything"));
  BOOST_REQUIRE(!res);
  BOOST_CHECK(cf::is(res.error(), cf::errc::channel_transient));
  BOOST_CHECK(!cf::error_context(res.error()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
