// The JSON Schema subset checker (domain/json_schema.*) and the inbound schemas it enforces.
#include "domain/json_schema.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "domain/bus_inbound.hpp"

using namespace cf;
using json = nlohmann::json;

BOOST_AUTO_TEST_SUITE(json_schema)

BOOST_AUTO_TEST_CASE(each_keyword_refuses_what_it_forbids) {
  json s = json::parse(R"({"type":"object","required":["a"],"additionalProperties":false,
    "properties":{"a":{"type":"string","minLength":2,"maxLength":3},
                  "n":{"type":"integer","minimum":0,"maximum":9},
                  "k":{"enum":["x","y"]},"c":{"const":true},
                  "l":{"type":"array","items":{"type":["string","null"]}}}})");
  BOOST_TEST(
      check_json_schema(s, json::parse(R"({"a":"ab","n":3,"k":"y","c":true,"l":["s",null]})"))
      == "");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"n":1})")) == "a: is missing");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","z":1})")) == "z: is not a known field");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":5})")) == "a: must be string");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"a"})"))
             == "a: must have at least 2 characters");
  BOOST_TEST(check_json_schema(s, json::parse("{\"a\":\"\xc3\xbc\xc3\xbc\xc3\xbc\"}"))
             == ""); // 3 code points
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"abcd"})"))
             == "a: must have at most 3 characters");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","n":10})")) == "n: must be at most 9");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","n":1.5})")) == "n: must be integer");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","k":"z"})"))
             == R"(k: must be one of ["x","y"])");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","c":false})")) == "c: must be true");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"a":"ab","l":[1]})"))
             == R"(l[0]: must be one of ["string","null"])");
  BOOST_TEST(check_json_schema(s, json::parse("[]")) == "value: must be object");
}

BOOST_AUTO_TEST_CASE(any_of_all_of_and_if_then) {
  json s = json::parse(R"({"anyOf":[{"required":["x"]},{"required":["y"]}],
    "allOf":[{"if":{"required":["t"],"properties":{"t":{"const":"a"}}},"then":{"required":["z"]}}]})");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"y":1})")) == "");
  BOOST_TEST(check_json_schema(s, json::parse(R"({})")) == "x: is missing");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"x":1,"t":"a"})")) == "z: is missing");
  BOOST_TEST(check_json_schema(s, json::parse(R"({"x":1,"t":"b"})")) == "");
}

BOOST_AUTO_TEST_CASE(a_keyword_it_does_not_check_is_an_error_not_a_pass) {
  json s = json::parse(R"({"type":"string","pattern":"^a$"})");
  BOOST_TEST(check_json_schema(s, "b") == "schema keyword pattern is not supported");
}

// Every inbound schema uses only what the checker checks (else every message would be refused).
BOOST_AUTO_TEST_CASE(the_inbound_schemas_use_only_checked_keywords) {
  const auto& s = inbound_schemas();
  BOOST_TEST(s["payloads"].size() == 6u);
  json paid{{"course_id", "c"}, {"transaction_id", "t"}, {"amount_cents", 1}, {"currency", "EUR"}};
  for (const auto& [type, schema] : s["payloads"].items()) {
    auto err = check_json_schema(schema, paid);
    BOOST_TEST(err.find("not supported") == std::string::npos, type << ": " << err);
  }
  for (const char* form : {"cloudevents", "platform"})
    BOOST_TEST(check_json_schema(s[form], json::object()).find("not supported")
               == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
