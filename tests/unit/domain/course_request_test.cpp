// Course request parsing and validation: every rule, and field-level messages.
#include "domain/course_request.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace cf;
using nlohmann::json;

namespace {

json valid() {
  return {{"title", "Einführung in Rust"},
          {"description", "Systems programming"},
          {"language", "de"},
          {"audiences", {"Entwickler"}},
          {"lesson_count", 3},
          {"user_id", "u-1"},
          {"price", {{"amount_cents", 4900}, {"currency", "EUR"}}},
          {"dry_run", false}};
}

std::vector<std::string> fields_of(const json& body) {
  std::vector<field_error> errs;
  parse_course_request(body, errs);
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(e.field);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(course_request)

BOOST_AUTO_TEST_CASE(a_valid_request_parses_completely) {
  std::vector<field_error> errs;
  auto r = parse_course_request(valid(), errs);
  BOOST_TEST(errs.empty());
  BOOST_TEST(r.title == "Einführung in Rust");
  BOOST_TEST(r.language == "de");
  BOOST_TEST(r.lesson_count == 3);
  BOOST_TEST(r.amount_cents == 4900);
  BOOST_TEST(r.currency == "EUR");
  BOOST_TEST(to_json(r)["price"]["amount_cents"] == 4900);
}

BOOST_AUTO_TEST_CASE(price_may_be_absent_or_zero) {
  auto body = valid();
  body.erase("price");
  BOOST_TEST(fields_of(body).empty());
  body["price"] = {{"amount_cents", 0}};
  BOOST_TEST(fields_of(body).empty());
}

BOOST_AUTO_TEST_CASE(each_rule_names_its_field) {
  struct bad_case {
    const char* field;
    json value;
    const char* expect;
  };
  std::vector<bad_case> cases{
      {"title", "ab", "title"},
      {"title", std::string(201, 'x'), "title"},
      {"title", 42, "title"},
      {"description", std::string(2001, 'x'), "description"},
      {"language", "fr", "language"},
      {"audiences", json::array(), "audiences"},
      {"audiences", "devs", "audiences"},
      {"audiences", json::array({"ok", 3}), "audiences[1]"},
      {"lesson_count", 0, "lesson_count"},
      {"lesson_count", 11, "lesson_count"},
      {"lesson_count", 2.5, "lesson_count"},
      {"lesson_count", "3", "lesson_count"},
      {"user_id", "", "user_id"},
      {"price", {{"amount_cents", -1}, {"currency", "EUR"}}, "price.amount_cents"},
      {"price", {{"amount_cents", 100}, {"currency", "euro"}}, "price.currency"},
      {"price", {{"amount_cents", 100}}, "price.currency"},
      {"price", "free", "price"},
      {"dry_run", "yes", "dry_run"},
      {"colour", "red", "colour"},
      {"title", std::string{"Rust\0basics", 11}, "title"},
      {"user_id", "u\n1", "user_id"},
  };
  for (const auto& c : cases) {
    auto body = valid();
    body[c.field] = c.value;
    auto fields = fields_of(body);
    BOOST_TEST(fields.size() == 1u, c.field << " = " << c.value.dump());
    if (!fields.empty())
      BOOST_TEST(fields[0] == c.expect);
  }
}

BOOST_AUTO_TEST_CASE(missing_required_fields_are_all_listed) {
  auto fields = fields_of(json::object());
  std::vector<std::string> expected{"title", "language", "user_id", "audiences", "lesson_count"};
  BOOST_TEST(fields == expected, boost::test_tools::per_element());
  BOOST_TEST(fields_of(json::array()).size() == 1u);
}

BOOST_AUTO_TEST_CASE(title_length_counts_characters_not_bytes) {
  auto body = valid();
  body["title"] = "äöü"; // 3 characters, 6 bytes
  BOOST_TEST(fields_of(body).empty());
  std::string long_title;
  for (int i = 0; i < 200; ++i) long_title += "ä";
  body["title"] = long_title; // 200 characters, 400 bytes
  BOOST_TEST(fields_of(body).empty());
}

// Found by tests/fuzz/course_request_fuzz.cpp (corpus: crash-invalid-utf8-title): validate()
// accepted a request whose texts were not UTF-8, and to_json(request).dump() then threw.
BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected_by_validate) {
  std::vector<field_error> errs;
  auto r = parse_course_request(valid(), errs);
  BOOST_REQUIRE(errs.empty());
  r.description = "Systems programm\x88ng";
  r.audiences = {"Entwickler", "\xC3"}; // a truncated two-byte sequence
  auto found = validate(r);
  BOOST_REQUIRE(found.size() == 2u);
  BOOST_TEST(found[0].field == "description");
  BOOST_TEST(found[1].field == "audiences[1]");
  BOOST_TEST(found[0].message == "must be valid UTF-8");
  r.description = "Systems programming";
  r.audiences = {"Entwickler"};
  BOOST_TEST(validate(r).empty());
  BOOST_CHECK_NO_THROW(to_json(r).dump());
}

// Text fields refuse what could hide or disguise text: control characters, bidi embeddings,
// overrides and isolates, invalid UTF-8; a title needs a visible character.
BOOST_AUTO_TEST_CASE(text_fields_refuse_control_bidi_invisible_and_invalid_utf8) {
  struct text_case {
    const char* what;
    const char* field;
    std::string value;
    const char* message; // part of the expected message; nullptr: accepted
  };
  std::vector<text_case> cases{
      {"NUL in the title", "title", std::string{"Rust\0basics", 11}, "control"},
      {"tab in the title", "title", "Rust\tbasics", "control"},
      {"DEL in the title", "title", "Rust\x7f basics", "control"},
      {"C1 control (U+0085)", "title", "Rust \xc2\x85 basics", "control"},
      {"escape in the description", "description", "red \x1b[31m text", "control"},
      {"newline in the description", "description", "line one\nline two\tend", nullptr},
      {"LRE U+202A", "title", "Rust \u202a basics", "bidi"},
      {"RLO U+202E", "title", "Rust \u202e basics", "bidi"},
      {"LRI U+2066", "title", "Rust \u2066 basics", "bidi"},
      {"PDI U+2069", "title", "Rust \u2069 basics", "bidi"},
      {"RLO in the description", "description", "harmless \u202egnp.exe", "bidi"},
      {"zero-width spaces only", "title", "\u200b\u200b\u200b\u200b", "visible"},
      {"BOM and joiners only", "title", "\ufeff\u200d\u2060", "visible"},
      {"no-break spaces only", "title", "\u00a0\u00a0\u3000", "visible"},
      {"plain spaces only", "title", "      ", "visible"},
      {"zero-width audience", "audiences", "\u200b", "visible"},
      {"truncated UTF-8", "title", "Rust \xc3", "UTF-8"},
      {"overlong slash", "title", "Rust \xc0\xaf basics", "UTF-8"},
      {"surrogate", "title", "Rust \xed\xa0\x80 basics", "UTF-8"},
      {"beyond U+10FFFF", "title", "Rust \xf4\x90\x80\x80 basics", "UTF-8"},
      {"stray continuation byte", "description", "caf\xa9", "UTF-8"},
      {"a visible character among zero-width ones", "title", "\u200bRust\u200b", nullptr},
      {"Arabic title (right to left, no controls)", "title", "\u0645\u0642\u062f\u0645\u0629",
       nullptr},
  };
  for (const auto& c : cases) {
    cf::course_request r;
    r.title = "Rust basics";
    r.language = "en";
    r.audiences = {"developers"};
    r.user_id = "u-1";
    std::string field = c.field;
    if (field == "title")
      r.title = c.value;
    else if (field == "description")
      r.description = c.value;
    else
      r.audiences = {c.value};
    auto errs = validate(r);
    if (!c.message) {
      BOOST_TEST(errs.empty(), c.what);
      continue;
    }
    BOOST_TEST_REQUIRE(errs.size() == 1u, c.what);
    BOOST_TEST(errs[0].field.rfind(field, 0) == 0u, c.what << ": " << errs[0].field);
    BOOST_TEST(errs[0].message.find(c.message) != std::string::npos,
               c.what << ": " << errs[0].message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
