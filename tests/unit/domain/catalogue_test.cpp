// The event catalogue: complete, consistent, and docs/events.md in step with it.
#include "domain/catalogue.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace cf;

BOOST_AUTO_TEST_SUITE(catalogue)

BOOST_AUTO_TEST_CASE(lists_all_nine_types_once_with_a_version_history) {
  std::set<std::string> types;
  for (const auto& info : cf::catalogue()) {
    types.insert(info.type);
    BOOST_TEST(info.schema_version >= 1);
    BOOST_REQUIRE(!info.history.empty());
    BOOST_TEST(info.history.back().version == info.schema_version);
    BOOST_TEST(!info.fields.empty());
    BOOST_TEST(std::string{info.fields.front().name} == "course_id");
  }
  std::set<std::string> expected{"course.generation.started",     "course.generation.completed",
                                 "course.generation.failed",      "course.payment.required",
                                 "course.payment.completed",      "course.payment.failed",
                                 "course.distribution.requested", "course.distribution.completed",
                                 "course.distribution.failed"};
  BOOST_TEST(types == expected, boost::test_tools::per_element());
  BOOST_TEST(cf::catalogue().size() == 9u);
}

BOOST_AUTO_TEST_CASE(check_event_data_enforces_fields_and_types) {
  nlohmann::json ok{{"course_id", "c"}, {"error", "boom"},     {"error_type", "transient"},
                    {"retry_count", 0}, {"will_retry", false}, {"attempt", 1}};
  BOOST_TEST(check_event_data("course.generation.failed", ok) == "");
  auto missing = ok;
  missing.erase("error");
  BOOST_TEST(check_event_data("course.generation.failed", missing) != "");
  auto wrong = ok;
  wrong["retry_count"] = "0";
  BOOST_TEST(check_event_data("course.generation.failed", wrong) != "");
  auto extra = ok;
  extra["surprise"] = 1;
  BOOST_TEST(check_event_data("course.generation.failed", extra) != "");
  BOOST_TEST(check_event_data("course.nope", ok) != "");
}

BOOST_AUTO_TEST_CASE(docs_events_md_is_generated_from_the_catalogue) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/docs/events.md"};
  BOOST_REQUIRE_MESSAGE(in, "docs/events.md is missing");
  std::stringstream text;
  text << in.rdbuf();
  BOOST_TEST(text.str() == catalogue_markdown(),
             "docs/events.md is out of step: run `build/coursefactory catalogue > docs/events.md`");
}

BOOST_AUTO_TEST_SUITE_END()
