// The event envelope: CloudEvents mapping, times, type patterns, UUIDv7.
#include "domain/event.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "util/errc.hpp"
#include "util/uuid.hpp"

using namespace cf;

BOOST_AUTO_TEST_SUITE(event)

BOOST_AUTO_TEST_CASE(cloudevent_has_required_attributes_and_lowercase_extensions) {
  cf::event e;
  e.seq = 7;
  e.id = make_uuid_v7();
  e.source = "/coursefactory/course-factory";
  e.type = "course.generation.started";
  e.subject = make_uuid_v7();
  e.subject_version = 1;
  e.time_us = 1795842079123456;
  e.correlation_id = "corr-1";
  e.data = R"({"a":1})";
  auto j = to_cloudevent(e);
  BOOST_TEST(j["specversion"] == "1.0");
  BOOST_TEST(j["datacontenttype"] == "application/json");
  BOOST_TEST(j["time"] == "2026-11-28T05:01:19.123456Z");
  BOOST_TEST(j["data"]["a"] == 1);
  BOOST_TEST(j["seq"] == 7);
  BOOST_TEST(!j.contains("causationid")); // empty optional attributes are left out
  for (const auto& [key, value] : j.items())
    for (char c : key)
      BOOST_TEST(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')), "bad attribute " << key);
  BOOST_TEST(nlohmann::json::parse(to_cloudevent_text(e)) == j); // the spliced form agrees
  auto back = from_cloudevent(j);
  BOOST_REQUIRE(back);
  BOOST_TEST((*back == e));
}

BOOST_AUTO_TEST_CASE(from_cloudevent_rejects_wrong_specversion_and_missing_id) {
  nlohmann::json j{{"specversion", "0.3"},
                   {"id", "x"},
                   {"source", "s"},
                   {"type", "t"},
                   {"time", "2026-01-01T00:00:00Z"}};
  BOOST_TEST(!from_cloudevent(j));
  j["specversion"] = 1; // a number: type_error from nlohmann's value(), found by
                        // tests/fuzz/event_decode_fuzz.cpp (corpus: crash-numeric-specversion)
  BOOST_TEST(!from_cloudevent(j));
  j["specversion"] = "1.0";
  j.erase("id");
  BOOST_TEST(!from_cloudevent(j));
}

// "seq": 1e300 was cast to int64_t, undefined behaviour: UBSan stops tests/fuzz/event_decode_fuzz
// on it (corpus: crash-float-seq, written by hand after reading from_cloudevent).
BOOST_AUTO_TEST_CASE(from_cloudevent_reads_only_integers_in_range) {
  nlohmann::json j{{"specversion", "1.0"},
                   {"id", "x"},
                   {"source", "s"},
                   {"type", "t"},
                   {"seq", 7},
                   {"subjectversion", 2},
                   {"schemaversion", 1},
                   {"time", "2026-01-01T00:00:00Z"}};
  BOOST_REQUIRE(from_cloudevent(j));
  BOOST_TEST(from_cloudevent(j)->seq == 7);
  for (auto [key, value] :
       std::vector<std::pair<std::string, nlohmann::json>>{{"seq", 1e300},
                                                           {"seq", 7.5},
                                                           {"seq", -1},
                                                           {"seq", UINT64_MAX},
                                                           {"subjectversion", -1e300},
                                                           {"schemaversion", int64_t{1} << 40},
                                                           {"schemaversion", "1"}}) {
    auto bad = j;
    bad[key] = value;
    auto e = from_cloudevent(bad);
    BOOST_TEST(!e, key << " = " << value.dump());
    if (!e)
      BOOST_TEST(is(e.error(), errc::invalid_argument));
  }
}

BOOST_AUTO_TEST_CASE(times_round_trip_and_accept_offsets) {
  for (int64_t t : {int64_t{0}, int64_t{1795842079123456}, int64_t{951782400000001}})
    BOOST_TEST(*parse_time(format_time(t)) == t);
  BOOST_TEST(*parse_time("2026-11-28T06:41:19.5+01:00") == *parse_time("2026-11-28T05:41:19.5Z"));
  BOOST_TEST(!parse_time("2026-11-28 05:41:19Z"));
  BOOST_TEST(!parse_time("2026-11-28T05:41:19"));
}

// to_cloudevent_text writes its text directly; these are the bytes the nlohmann object it replaced
// gave (keys sorted, its escapes), for every attribute that needs escaping, the optional ones, a
// time before 1970 and one past the year 9999.
BOOST_AUTO_TEST_CASE(the_direct_cloudevent_text_is_the_nlohmann_one_byte_for_byte) {
  auto nlohmann_text = [](const cf::event& e) {
    nlohmann::json j{{"specversion", "1.0"},
                     {"id", e.id},
                     {"source", e.source},
                     {"type", e.type},
                     {"subject", e.subject},
                     {"time", format_time(e.time_us)},
                     {"datacontenttype", "application/json"},
                     {"seq", e.seq},
                     {"subjectversion", e.subject_version},
                     {"schemaversion", e.schema_version},
                     {"correlationid", e.correlation_id}};
    if (!e.causation_id.empty())
      j["causationid"] = e.causation_id;
    if (!e.actor.empty())
      j["actor"] = e.actor;
    auto text = j.dump();
    text.pop_back();
    return text + ",\"data\":" + (e.data.empty() ? std::string{"{}"} : e.data) + "}";
  };
  cf::event e;
  e.id = make_uuid_v7();
  e.source = "/courses";
  e.type = "course.generation.started";
  e.subject = "c-1";
  e.seq = 9007199254740993;
  e.subject_version = 3;
  e.schema_version = 2;
  e.time_us = 1795842079000001;
  e.correlation_id = "corr";
  e.data = R"({"b":[1,2],"a":"x"})";
  BOOST_TEST(to_cloudevent_text(e) == nlohmann_text(e));
  e.causation_id = "cause \"quoted\" \\ back";
  e.actor = std::string("tab\tnl\ncr\rbs\bff\fnul") + std::string(1, '\0') + "\x01\x1f\x7f";
  e.subject = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"; // é, €, an emoji: kept as UTF-8
  e.data.clear();
  BOOST_TEST(to_cloudevent_text(e) == nlohmann_text(e));
  for (int64_t t : {int64_t{-1}, int64_t{0}, int64_t{253402300800000000}}) {
    e.time_us = t;
    BOOST_TEST(to_cloudevent_text(e) == nlohmann_text(e));
  }
  e.source = "bad \xff utf-8"; // nlohmann's dump throws on it, as it did before
  BOOST_CHECK_THROW(to_cloudevent_text(e), nlohmann::json::type_error);
}

BOOST_AUTO_TEST_CASE(type_patterns_match_exact_names_and_trailing_wildcards) {
  BOOST_TEST(type_matches("", "course.generation.started"));
  BOOST_TEST(type_matches("course.generation.*", "course.generation.started"));
  BOOST_TEST(!type_matches("course.generation.*", "course.generationx.started"));
  BOOST_TEST(!type_matches("course.generation.*", "course.generation"));
  BOOST_TEST(type_matches("course.*", "course.payment.completed"));
  BOOST_TEST(!type_matches("course.generation.started", "course.generation.start"));
  BOOST_TEST(is_valid_type_pattern("course.generation.*"));
  BOOST_TEST(!is_valid_type_pattern("course.*.started"));
  BOOST_TEST(!is_valid_type_pattern("*"));
  BOOST_TEST(!is_valid_type_pattern("course..x"));
}

BOOST_AUTO_TEST_CASE(uuid_v7_is_well_formed_and_increasing) {
  std::string prev;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = make_uuid_v7();
    BOOST_REQUIRE(is_uuid_v7(id));
    BOOST_REQUIRE(id > prev);
    seen.insert(id);
    prev = id;
  }
  BOOST_TEST(seen.size() == 10000u);
  BOOST_TEST(make_uuid_v7(1700000000000).substr(0, 13) == "018bcfe5-6800");
  BOOST_TEST(!is_uuid_v7("018bcfe5-6800-4000-8000-000000000000")); // version 4
}

BOOST_AUTO_TEST_SUITE_END()
