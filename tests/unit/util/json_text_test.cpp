// JSON text from outside (util/json_text.hpp): UTF-8 validity exactly as nlohmann::json's dump()
// wants it, and parsing that does not stop at a NUL byte.
#include "util/json_text.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using namespace cf;

namespace {

bool dump_accepts(const std::string& s) {
  try {
    nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_text)

BOOST_AUTO_TEST_CASE(well_formed_text_is_valid) {
  for (const std::string& s :
       std::vector<std::string>{"", "Rust basics", "Einführung", "日本語", "\xF0\x9F\x8E\x93 emoji",
                                "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", std::string("nul\0inside", 10)})
    BOOST_TEST(is_valid_utf8(s), s);
}

BOOST_AUTO_TEST_CASE(malformed_text_is_invalid) {
  for (const std::string& s : std::vector<std::string>{
           "\x88", "programm\x88ng", "\xC3", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80",
           "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE2\x82",
           "ab\xF0\x9F\x8E"})
    BOOST_TEST(!is_valid_utf8(s), s);
}

// Every one- and two-byte string, and the lead bytes of longer ones with every second byte:
// valid exactly when dump() does not throw.
BOOST_AUTO_TEST_CASE(agrees_with_json_dump) {
  int checked = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::string two{static_cast<char>(a), static_cast<char>(b)};
      std::string four{static_cast<char>(a), static_cast<char>(b), '\x80', '\x80'};
      for (const auto& s : {two, four, std::string{static_cast<char>(a)}}) {
        if (is_valid_utf8(s) != dump_accepts(s))
          BOOST_ERROR("disagreement on bytes " << a << " " << b << " (length " << s.size() << ")");
        ++checked;
      }
    }
  BOOST_TEST(checked == 3 * 256 * 256);
}

// Found by tests/fuzz/event_decode_fuzz.cpp (corpus: crash-nul-after-data): nlohmann::json::parse
// stops at a NUL byte, so the readers accepted stored data "{...}\0junk" as the object, and
// to_cloudevent_text spliced the whole text, junk included, into invalid JSON.
BOOST_AUTO_TEST_CASE(a_nul_byte_makes_json_text_invalid) {
  BOOST_TEST(nlohmann::json::parse(std::string("{}\0x", 4), nullptr, false).is_object());
  for (auto text : {std::string("{}\0x", 4), std::string("{\"a\":1}\0", 8), std::string("\0", 1),
                    std::string("{\"a\":\"\0\"}", 9), std::string("{} x"), std::string("")})
    BOOST_TEST(parse_json_exact(text).is_discarded());
  auto j = parse_json_exact(R"({"a":[1,"\u0000"]})");
  BOOST_REQUIRE(j.is_object());
  BOOST_TEST(j["a"][1].get<std::string>() == std::string("\0", 1));
  BOOST_TEST(parse_json_exact(" [1] ").is_array());
}

BOOST_AUTO_TEST_SUITE_END()
