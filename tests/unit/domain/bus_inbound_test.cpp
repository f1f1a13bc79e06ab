// Inbound bus messages: both formats, both spellings, amounts, and every way to be unusable.
#include "domain/bus_inbound.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "util/errc.hpp"

using namespace cf;
using json = nlohmann::json;
using fields_t = std::vector<std::pair<std::string, std::string>>;

namespace {

fields_t cloudevent(const std::string& type, const json& data) {
  return {{"id", "m-1"},
          {"type", type},
          {"data", json{{"id", "m-1"}, {"type", type}, {"data", data}}.dump()}};
}

fields_t platform(const std::string& type, const json& payload) {
  return {{"event", json{{"id", "m-2"},
                         {"type", type},
                         {"source", "payments"},
                         {"target", nullptr},
                         {"payload", payload}}
                        .dump()}};
}

std::string error_of(const fields_t& f) {
  auto m = parse_inbound(f);
  BOOST_REQUIRE(!m);
  BOOST_TEST(is(m.error(), errc::invalid_argument));
  return error_context(m.error());
}

const json paid{
    {"course_id", "c-1"}, {"transaction_id", "tx-9"}, {"amount_cents", 4900}, {"currency", "EUR"}};

} // namespace

BOOST_AUTO_TEST_SUITE(bus_inbound_format)

BOOST_AUTO_TEST_CASE(payment_completed_in_both_formats_and_spellings) {
  for (auto type : {"payment.completed", "course.payment.completed"})
    for (const auto& f : {cloudevent(type, paid), platform(type, paid)}) {
      auto m = parse_inbound(f);
      BOOST_REQUIRE(m);
      BOOST_TEST((m->what == inbound_message::kind::payment));
      BOOST_TEST(m->outcome == "completed");
      BOOST_TEST(m->course_id == "c-1");
      BOOST_TEST(m->transaction_id == "tx-9");
      BOOST_TEST(m->amount_cents == 4900);
      BOOST_TEST(m->currency == "EUR");
      BOOST_TEST((m->id == "m-1" || m->id == "m-2"));
    }
}

BOOST_AUTO_TEST_CASE(amount_in_major_units) {
  auto m = parse_inbound(platform(
      "payment.completed",
      {{"course_id", "c-1"}, {"transaction_id", "t"}, {"amount", 49.9}, {"currency", "eur"}}));
  BOOST_REQUIRE(m);
  BOOST_TEST(m->amount_cents == 4990);
  BOOST_TEST(
      error_of(platform(
          "payment.completed",
          {{"course_id", "c-1"}, {"transaction_id", "t"}, {"amount", 49.999}, {"currency", "EUR"}}))
      == "payload.amount has more than two decimals");
}

BOOST_AUTO_TEST_CASE(payment_failed_needs_no_amount) {
  auto m =
      parse_inbound(cloudevent("payment.failed", {{"course_id", "c-1"}, {"reason", "declined"}}));
  BOOST_REQUIRE(m);
  BOOST_TEST(m->outcome == "failed");
  BOOST_TEST(m->reason == "declined");
  auto plain = parse_inbound(cloudevent("course.payment.failed", {{"course_id", "c-1"}}));
  BOOST_REQUIRE(plain);
  BOOST_TEST(plain->reason == "failed");
}

BOOST_AUTO_TEST_CASE(distribution_answers) {
  auto m = parse_inbound(cloudevent("course.distribution.completed",
                                    {{"course_id", "c-1"}, {"request_id", "r-1"}, {"url", "u"}}));
  BOOST_REQUIRE(m);
  BOOST_TEST((m->what == inbound_message::kind::distribution));
  BOOST_TEST(m->request_id == "r-1");
  BOOST_TEST(m->url == "u");
  auto f =
      parse_inbound(platform("course.distribution.failed",
                             {{"course_id", "c-1"}, {"distribution_id", "r-2"}, {"error", "x"}}));
  BOOST_REQUIRE(f);
  BOOST_TEST(f->request_id == "r-2");
  BOOST_TEST(f->reason == "x");
}

BOOST_AUTO_TEST_CASE(unusable_entries_are_named) {
  BOOST_TEST(error_of({{"foo", "bar"}}) == "the entry has neither a data nor an event field");
  BOOST_TEST(error_of({{"data", "not json"}}) == "the data field is not a JSON object");
  BOOST_TEST(error_of({{"event", "[1,2]"}}) == "the event field is not a JSON object");
  BOOST_TEST(error_of({{"data", R"({"type":"payment.completed"})"}}) == "id: is missing");
  BOOST_TEST(error_of(cloudevent("payment.refunded", paid)).rfind("type: must be one of [", 0)
             == 0);
  BOOST_TEST(error_of({{"data", R"({"id":"x","type":"payment.completed","data":5})"}})
             == "data: must be object");
  auto no_course = paid;
  no_course.erase("course_id");
  BOOST_TEST(error_of(cloudevent("payment.completed", no_course))
             == "payload.course_id: is missing");
  auto no_amount = paid;
  no_amount.erase("amount_cents");
  BOOST_TEST(error_of(cloudevent("payment.completed", no_amount))
             == "payload.amount_cents: is missing");
  auto negative = paid;
  negative["amount_cents"] = -1;
  BOOST_TEST(error_of(cloudevent("payment.completed", negative))
             == "payload.amount_cents: must be at least 0");
  auto bad_currency = paid;
  bad_currency["currency"] = "EURO";
  BOOST_TEST(error_of(cloudevent("payment.completed", bad_currency))
             == "payload.currency: must have at most 3 characters");
  auto numeric_tx = paid;
  numeric_tx["transaction_id"] = 7;
  BOOST_TEST(error_of(cloudevent("payment.completed", numeric_tx))
             == "payload.transaction_id: must be string");
}

// A NUL byte ends the JSON text for nlohmann::json::parse: "{...}\0junk" is not a message.
BOOST_AUTO_TEST_CASE(a_nul_byte_in_a_json_field_is_refused) {
  auto f = platform("payment.completed", paid);
  BOOST_REQUIRE(parse_inbound(f));
  f[0].second += std::string("\0junk", 5);
  BOOST_TEST(error_of(f) == "the event field is not a JSON object");
  auto c = cloudevent("payment.completed", paid);
  c[2].second += std::string("\0", 1);
  BOOST_TEST(error_of(c) == "the data field is not a JSON object");
}

BOOST_AUTO_TEST_SUITE_END()
