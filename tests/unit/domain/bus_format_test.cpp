// Events as stream entries: CloudEvents fields and the platform's envelope.
#include "domain/bus_format.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/testkit/events.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

event committed(const std::string& type, const json& data) {
  auto e = testkit::stored_event(type, "c-1", data);
  e.seq = 42;
  e.subject_version = 3;
  e.time_us = 1796402911027014;
  return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bus_format)

BOOST_AUTO_TEST_CASE(cloudevents_format_has_six_fields_and_the_api_json) {
  auto e = committed("course.generation.started", {{"title", "T"}, {"user_id", "u-9"}});
  auto f = bus_fields(e, bus_envelope::cloudevents);
  std::vector<std::string> names;
  for (const auto& [k, v] : f) names.push_back(k);
  std::vector<std::string> want{"id", "type", "subject", "seq", "time", "data"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
  BOOST_TEST(f[0].second == e.id);
  BOOST_TEST(f[1].second == "course.generation.started");
  BOOST_TEST(f[2].second == "c-1");
  BOOST_TEST(f[3].second == "42");
  BOOST_TEST(f[4].second == "2026-12-04T16:48:31.027014Z");
  BOOST_TEST(f[5].second == to_cloudevent_text(e));
  auto back = from_cloudevent(json::parse(f[5].second));
  BOOST_REQUIRE(back);
  BOOST_TEST((*back == e));
}

BOOST_AUTO_TEST_CASE(platform_envelope_carries_payload_and_actor) {
  auto e = committed("course.generation.started", {{"title", "T"}, {"user_id", "u-9"}});
  e.correlation_id = "corr-7";
  auto f = bus_fields(e, bus_envelope::platform);
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].first == "event");
  auto env = json::parse(f[0].second);
  BOOST_TEST(env["id"] == e.id);
  BOOST_TEST(env["type"] == "course.generation.started");
  BOOST_TEST(env["source"] == "coursefactory");
  BOOST_TEST(env["target"].is_null());
  BOOST_TEST(env["payload"] == (json{{"title", "T"}, {"user_id", "u-9"}}));
  BOOST_TEST(env["timestamp"] == "2026-12-04T16:48:31.027014Z");
  BOOST_TEST(env["correlation_id"] == "corr-7");
  BOOST_TEST(env["actor_id"] == "u-9");
}

BOOST_AUTO_TEST_CASE(platform_envelope_leaves_out_an_unknown_actor) {
  auto env = json::parse(platform_envelope(committed("course.payment.completed", {{"x", 1}})));
  BOOST_TEST(!env.contains("actor_id"));
  BOOST_TEST(env["payload"] == (json{{"x", 1}}));
}

BOOST_AUTO_TEST_CASE(envelope_names) {
  bus_envelope x = bus_envelope::cloudevents;
  BOOST_TEST(parse_bus_envelope("platform", x));
  BOOST_TEST((x == bus_envelope::platform));
  BOOST_TEST(parse_bus_envelope("cloudevents", x));
  BOOST_TEST((x == bus_envelope::cloudevents));
  BOOST_TEST(!parse_bus_envelope("CloudEvents", x));
  BOOST_TEST(!parse_bus_envelope("", x));
}

BOOST_AUTO_TEST_SUITE_END()
