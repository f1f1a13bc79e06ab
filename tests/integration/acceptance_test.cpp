// The plan's acceptance test, over HTTP: create a course; its course.generation.* events are
// exactly started then completed, in that order, with increasing sequence numbers.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "tests/testkit/service_fixture.hpp"

using namespace cf;
using json = nlohmann::json;

BOOST_AUTO_TEST_SUITE(acceptance)

BOOST_AUTO_TEST_CASE(create_course_then_generation_events_are_started_then_completed) {
  testkit::service_fixture svc;
  httplib::Client cli{"127.0.0.1", svc.start_http()};
  cli.set_bearer_token_auth(testkit::admin_token);
  json request{{"title", "Einführung in die Buchhaltung"},
               {"description", "Doppelte Buchführung für Gründer"},
               {"language", "de"},
               {"audiences", {"Gründerinnen und Gründer"}},
               {"lesson_count", 3},
               {"user_id", "user-1"},
               {"price", {{"amount_cents", 4900}, {"currency", "EUR"}}}};
  auto created = cli.Post("/v1/courses", request.dump(), "application/json");
  BOOST_REQUIRE(created);
  BOOST_REQUIRE_EQUAL(created->status, 202);
  auto id = json::parse(created->body)["course_id"].get<std::string>();
  BOOST_REQUIRE(svc.await_event("course.generation.completed", id));

  auto res = cli.Get(("/v1/events?type=course.generation.*&subject=" + id).c_str());
  BOOST_REQUIRE(res);
  BOOST_REQUIRE_EQUAL(res->status, 200);
  auto events = json::parse(res->body)["events"];
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[0]["type"] == "course.generation.started");
  BOOST_TEST(events[1]["type"] == "course.generation.completed");
  BOOST_TEST(events[0]["seq"].get<int64_t>() < events[1]["seq"].get<int64_t>());
  BOOST_TEST(events[0]["subjectversion"] == 1);
  BOOST_TEST(events[1]["subjectversion"] == 2);
  BOOST_TEST(events[1]["causationid"] == events[0]["id"]);
  for (const auto& e : events) BOOST_TEST(check_event_data(e["type"], e["data"]) == "", e["type"]);

  BOOST_REQUIRE(svc.await_event("course.payment.required", id)); // priced: payment is next
  auto course = json::parse(cli.Get(("/v1/courses/" + id).c_str())->body);
  BOOST_TEST(course["status"] == "awaiting_payment");
  BOOST_TEST(course["content"]["language"] == "de");
  BOOST_TEST(course["content"]["modules"][0]["lessons"].size() >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
