// The storage's fast reader of event data (storage/detail/fold_reader.hpp) against the fold's
// reader over nlohmann::json: the same values from the same data, and the same refusals.
#include "storage/detail/fold_reader.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "domain/catalogue.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

event make(const std::string& type, const std::string& data) {
  event e;
  e.type = type;
  e.subject = "c";
  e.data = data;
  return e;
}

// Every value of the fold's input, compared one by one (a failure names the field).
void check_same(const fold_input& a, const fold_input& b, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(a.title == b.title);
    BOOST_TEST(a.user_id == b.user_id);
    BOOST_TEST(a.language == b.language);
    BOOST_TEST(a.dry_run == b.dry_run);
    BOOST_TEST(a.amount_cents == b.amount_cents);
    BOOST_TEST(a.currency == b.currency);
    BOOST_TEST(a.attempt == b.attempt);
    BOOST_TEST(a.error == b.error);
    BOOST_TEST(a.will_retry == b.will_retry);
    BOOST_TEST(a.payment_id == b.payment_id);
    BOOST_TEST(a.expires_at == b.expires_at);
    BOOST_TEST(a.reason == b.reason);
    BOOST_TEST(a.url == b.url);
    BOOST_TEST(a.channel == b.channel);
  }
}

// What the nlohmann::json reader makes of `e` (the reference).
caf::expected<fold_input> reference(const event& e) {
  return fold_input_of(e.type, nlohmann::json::parse(e.data.empty() ? "{}" : e.data));
}

// The value of a read that must succeed.
fold_input value(caf::expected<fold_input> in) {
  BOOST_REQUIRE_MESSAGE(in, (in ? "" : error_context(in.error())));
  return std::move(*in);
}

// The refusal of a read that must fail: invalid_argument, saying why.
std::string refusal(const caf::expected<fold_input>& in) {
  BOOST_REQUIRE(!in);
  BOOST_TEST(is(in.error(), errc::invalid_argument));
  BOOST_TEST(!error_context(in.error()).empty());
  return error_context(in.error());
}

} // namespace

BOOST_AUTO_TEST_SUITE(fold_reader)

// Every event of the fixture log (each type at each schema version an older build wrote).
BOOST_AUTO_TEST_CASE(reads_what_nlohmann_reads_from_every_event_of_the_fixture_log) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/tests/fixtures/log-v3.sql"};
  BOOST_REQUIRE_MESSAGE(in, "tests/fixtures/log-v3.sql is missing");
  std::stringstream sql;
  sql << in.rdbuf();
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE};
  db.exec(sql.str());
  SQLite::Statement st{db, "SELECT seq, type, data FROM events ORDER BY seq"};
  cf::fold_reader reader;
  int read = 0;
  std::set<std::string> types;
  while (st.executeStep()) {
    auto e = make(st.getColumn(1).getString(), st.getColumn(2).getString());
    if (e.type == event_types::generation_completed)
      continue; // not read (below)
    check_same(value(reader.read(e)), value(reference(e)), "seq " + st.getColumn(0).getString());
    types.insert(e.type);
    ++read;
  }
  BOOST_TEST(read > 10);
  BOOST_TEST(types.size() == 8u); // every type but generation.completed
}

BOOST_AUTO_TEST_CASE(reads_each_value_with_its_default_when_missing) {
  cf::fold_reader reader;
  const std::pair<std::string, std::string> cases[] = {
      {event_types::generation_started,
       R"({"title":"T \"q\" \u00e9","user_id":"u","attempt":3,"parameters":{"language":"de",)"
       R"("dry_run":true,"price":{"amount_cents":4900,"currency":"EUR"},"extra":[1,{"a":2}]}})"},
      {event_types::generation_started, R"({"title":"t","parameters":{"price":null}})"},
      {event_types::generation_started, R"({"attempt":2.0,"parameters":{"price":"free"}})"},
      {event_types::generation_started, R"({})"},
      {event_types::generation_started, ""},
      {event_types::generation_failed, R"({"error":"boom","will_retry":true})"},
      {event_types::payment_required,
       R"({"payment_id":"pi_1","expires_at":"2026-11-28T10:00:00Z"})"},
      {event_types::payment_failed, R"({"reason":"card declined"})"},
      {event_types::distribution_requested, R"({"attempt":4})"},
      {event_types::distribution_requested, R"({"attempt":-7})"},
      {event_types::distribution_requested, R"({"attempt":true})"},
      {event_types::distribution_requested, R"({"attempt":18446744073709551615})"},
      {event_types::distribution_completed, R"({"url":"http://x/y/"})"},
      {event_types::distribution_failed, R"({"channel":"site","error":"disk full"})"},
      {"course.something.new", R"({"title":5})"}, // an unknown type: nothing is read
  };
  for (const auto& [type, data] : cases) {
    auto e = make(type, data);
    check_same(value(reader.read(e)), value(reference(e)), type + " " + data);
  }
  auto full = value(reader.read(make(event_types::generation_started, cases[0].second)));
  BOOST_TEST(full.title == "T \"q\" \u00e9");
  BOOST_TEST(full.language == "de");
  BOOST_TEST(full.dry_run);
  BOOST_TEST(full.amount_cents == 4900);
  BOOST_TEST(full.currency == "EUR");
  BOOST_TEST(full.attempt == 3);
  auto bare = value(reader.read(make(event_types::generation_started, "{}")));
  BOOST_TEST(bare.attempt == 1);
  BOOST_TEST(bare.amount_cents == 0);
  BOOST_TEST(!bare.dry_run);
}

// Data read in place: simdjson parses a string without copying it when its capacity leaves
// room for its padding, as strings from dump() often do.
BOOST_AUTO_TEST_CASE(reads_data_in_place_and_copied_alike) {
  cf::fold_reader reader;
  auto e = make(event_types::generation_started,
                R"({"title":"in place","parameters":{"language":"fr"},"attempt":-2})");
  auto copied = value(reader.read(e));
  e.data.reserve(e.data.size() + 256);
  auto in_place = value(reader.read(e));
  check_same(in_place, copied, "in place");
  check_same(in_place, value(reference(e)), "in place vs nlohmann");
  BOOST_TEST(in_place.title == "in place");
  BOOST_TEST(in_place.attempt == -2);
}

// The fold itself: a started event without a price keeps the course's price, as before.
BOOST_AUTO_TEST_CASE(a_start_without_a_price_keeps_the_price_the_course_had) {
  cf::fold_reader reader;
  course_summary c;
  auto first =
      make(event_types::generation_started,
           R"({"title":"t","parameters":{"price":{"amount_cents":900,"currency":"EUR"}}})");
  first.subject_version = 1;
  apply_event(c, first, value(reader.read(first)));
  auto again = make(event_types::generation_started, R"({"title":"t","attempt":2})");
  again.subject_version = 2;
  apply_event(c, again, value(reader.read(again)));
  BOOST_TEST(c.amount_cents == 900);
  BOOST_TEST(c.currency == "EUR");
  BOOST_TEST(c.attempt == 2);
}

// Values the fold reads, of another type: both readers refuse them, with the same reason.
BOOST_AUTO_TEST_CASE(refuses_what_nlohmann_refuses) {
  cf::fold_reader reader;
  const std::pair<std::string, std::string> cases[] = {
      {event_types::generation_started, R"({"title":5})"},
      {event_types::generation_started, R"({"parameters":"x"})"},
      {event_types::generation_started, R"({"parameters":{"dry_run":"yes"}})"},
      {event_types::generation_started, R"({"attempt":"2"})"},
      {event_types::generation_started, R"({"parameters":{"price":{"amount_cents":"9"}}})"},
      {event_types::generation_started, R"([1])"},
      {event_types::generation_failed, R"({"will_retry":1})"},
      {event_types::distribution_failed, R"({"channel":null})"},
      {event_types::distribution_requested, R"({"attempt":null})"},
      {event_types::generation_started, R"({"parameters":null})"},
  };
  for (const auto& [type, data] : cases) {
    BOOST_TEST_CONTEXT(type + " " + data) {
      auto e = make(type, data);
      BOOST_TEST(refusal(reader.read(e)) == refusal(reference(e)));
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_data_that_is_not_json_whatever_the_type) {
  cf::fold_reader reader;
  for (const char* data : {"{not json", R"({"title":"a")", "{} {}", "\"\xff\""})
    for (const char* type : {event_types::generation_started, event_types::payment_completed,
                             "course.something.new"}) {
      BOOST_TEST_CONTEXT(type << " " << data) {
        BOOST_TEST(refusal(reader.read(make(type, data))).find("not JSON") == 0u);
      }
    }
  // generation.completed is never read: its content is large and the fold needs none of it.
  BOOST_TEST(static_cast<bool>(reader.read(make(event_types::generation_completed, "{not json"))));
}

BOOST_AUTO_TEST_SUITE_END()
