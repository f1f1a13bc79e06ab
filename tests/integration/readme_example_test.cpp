// The "Testing your own actor flows" example from README.md, verbatim: it must keep compiling
// and passing.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "tests/testkit/actor_fixture.hpp"
#include "tests/testkit/fakes.hpp"

BOOST_AUTO_TEST_SUITE(readme_example)

BOOST_FIXTURE_TEST_CASE(generator_failure_is_an_event, cf::testkit::actor_fixture) {
  cf::testkit::fake_event_log log;
  auto gen = std::make_shared<cf::testkit::scripted_generator>(
      std::vector<caf::error>{cf::make_error(cf::errc::generator_transient, "crashed")});
  auto factory = keep(cf::spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
  cf::course_request req{"Rust basics", "", "en", {"developers"}, 2, "u-1", 0, "", false};
  BOOST_REQUIRE(call<cf::course_accepted>(factory, cf::create_atom::value, req, "corr-1"));
  std::vector<std::string> expected{"course.generation.started", "course.generation.failed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
}

// The README's code block must be this test (lines compared, blank lines ignored).
BOOST_AUTO_TEST_CASE(readme_shows_this_test) {
  std::ifstream readme{std::string{CF_SOURCE_DIR} + "/README.md"};
  std::ifstream self{std::string{CF_SOURCE_DIR} + "/tests/integration/readme_example_test.cpp"};
  BOOST_REQUIRE(readme && self);
  std::stringstream mine;
  mine << self.rdbuf();
  std::string line;
  bool in_block = false;
  int lines = 0;
  size_t pos = 0;
  while (std::getline(readme, line)) {
    if (line == "```cpp" || (in_block && line == "```")) {
      in_block = !in_block;
      continue;
    }
    if (in_block && !line.empty()) { // each line found after the previous one: same order
      ++lines;
      auto at = mine.str().find(line + "\n", pos);
      BOOST_TEST(at != std::string::npos, "README line not in test (in order): " << line);
      if (at != std::string::npos)
        pos = at + line.size();
    }
  }
  BOOST_TEST(lines >= 10);
}

BOOST_AUTO_TEST_SUITE_END()
