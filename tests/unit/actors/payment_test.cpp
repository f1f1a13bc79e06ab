// Payment over HTTP: Stripe-signed webhooks (valid, wrong secret, tampered, stale, duplicate,
// amount mismatch, failures, other types) and expiry, against the real service.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "app/pay_command.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/signature_header.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct payment_fixture : testkit::service_fixture {
  int port = start_http();
  httplib::Client cli{"127.0.0.1", port};

  explicit payment_fixture(testkit::service_options o = {}) : testkit::service_fixture(o) {
    cli.set_bearer_token_auth(testkit::admin_token);
  }

  int64_t head() { return *call<int64_t>(log(), head_atom::value); }

  // A priced course waiting for payment; returns {course id, payment id}.
  std::pair<std::string, std::string> priced_course(int64_t cents = 4900) {
    json body{{"title", "Negotiation for engineers"},
              {"language", "en"},
              {"audiences", {"engineers"}},
              {"lesson_count", 1},
              {"user_id", "u-1"},
              {"price", {{"amount_cents", cents}, {"currency", "EUR"}}}};
    auto res = cli.Post("/v1/courses", body.dump(), "application/json");
    BOOST_REQUIRE(res && res->status == 202);
    auto id = json::parse(res->body)["course_id"].get<std::string>();
    auto required = await_event("course.payment.required", id);
    BOOST_REQUIRE(required);
    return {id, json::parse(required->data)["payment_id"].get<std::string>()};
  }

  httplib::Result send(const std::string& body, const std::string& secret, int64_t t) {
    httplib::Headers h{{"Stripe-Signature", sign_payload(secret, body, t)}};
    return cli.Post("/v1/payments/webhook", h, body, "application/json");
  }

  httplib::Result send(const std::string& body) { return send(body, webhook_secret(), unix_now()); }
};

std::string with_id(std::string body, const std::string& id) {
  auto j = json::parse(body);
  j["id"] = id;
  return j.dump();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(payment, payment_fixture)

BOOST_AUTO_TEST_CASE(valid_webhook_completes_the_payment_and_distribution_follows) {
  auto [id, payment_id] = priced_course();
  auto res = send(make_stripe_event(id, payment_id, 4900, "eur"));
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(json::parse(res->body)["result"] == "recorded");
  auto paid = await_event("course.payment.completed", id);
  BOOST_REQUIRE(paid);
  auto data = json::parse(paid->data);
  BOOST_TEST(data["payment_id"] == payment_id);
  BOOST_TEST(data["amount_cents"] == 4900);
  BOOST_TEST(data["currency"] == "EUR");
  BOOST_TEST(data["transaction_id"].get<std::string>().rfind("pi_", 0) == 0u);
  BOOST_TEST(static_cast<bool>(await_event("course.distribution.completed", id)));
}

BOOST_AUTO_TEST_CASE(bad_signatures_get_400_and_write_nothing) {
  auto [id, payment_id] = priced_course();
  auto body = make_stripe_event(id, payment_id, 4900, "eur");
  auto before = head();
  auto wrong_secret = send(body, "whsec_wrong", unix_now());
  BOOST_TEST(wrong_secret->status == 400);
  auto signed_header = sign_payload(webhook_secret(), body, unix_now());
  auto tampered_body = body;
  tampered_body.replace(tampered_body.find("4900"), 4, "0001");
  auto tampered = cli.Post("/v1/payments/webhook", {{"Stripe-Signature", signed_header}},
                           tampered_body, "application/json");
  BOOST_TEST(tampered->status == 400);
  auto stale = send(body, webhook_secret(), unix_now() - 301);
  BOOST_TEST(stale->status == 400);
  BOOST_TEST(json::parse(stale->body)["type"] == "urn:coursefactory:problem:signature_stale");
  auto future = send(body, webhook_secret(), unix_now() + 301);
  BOOST_TEST(future->status == 400);
  auto missing = cli.Post("/v1/payments/webhook", body, "application/json");
  BOOST_TEST(missing->status == 400);
  BOOST_TEST(head() == before);
}

BOOST_AUTO_TEST_CASE(a_repeated_event_id_changes_nothing) {
  auto [id, payment_id] = priced_course();
  auto body = make_stripe_event(id, payment_id, 4900, "eur");
  BOOST_REQUIRE(send(body)->status == 200);
  auto again = send(body); // at once, while the course is still moving
  BOOST_TEST(again->status == 200);
  BOOST_TEST(json::parse(again->body)["result"] == "duplicate");
  BOOST_REQUIRE(await_event("course.distribution.completed", id));
  auto types = types_of(id);
  BOOST_TEST(std::count(types.begin(), types.end(), "course.payment.completed") == 1);
  // Even a repeat with another event id cannot pay twice: the course no longer awaits payment.
  auto other_id = json::parse(body);
  other_id["id"] = "evt_second_delivery";
  auto before = head();
  BOOST_TEST(json::parse(send(other_id.dump())->body)["result"] == "ignored");
  BOOST_TEST(head() == before);
}

BOOST_AUTO_TEST_CASE(an_amount_or_currency_mismatch_fails_the_payment) {
  auto [id, payment_id] = priced_course();
  BOOST_REQUIRE(send(make_stripe_event(id, payment_id, 100, "eur"))->status == 200);
  auto failed = await_event("course.payment.failed", id);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "amount_mismatch");
  auto [id2, payment_id2] = priced_course();
  BOOST_REQUIRE(send(make_stripe_event(id2, payment_id2, 4900, "usd"))->status == 200);
  auto failed2 = await_event("course.payment.failed", id2);
  BOOST_REQUIRE(failed2);
  BOOST_TEST(json::parse(failed2->data)["reason"] == "amount_mismatch");
  auto course = json::parse(cli.Get(("/v1/courses/" + id).c_str())->body);
  BOOST_TEST(course["status"] == "payment_failed");
  auto types = types_of(id);
  BOOST_TEST(std::count(types.begin(), types.end(), "course.payment.completed") == 0);
}

BOOST_AUTO_TEST_CASE(failed_and_expired_sessions_fail_the_payment_other_types_are_ignored) {
  auto [id, payment_id] = priced_course();
  BOOST_REQUIRE(send(make_stripe_event(id, payment_id, 4900, "eur", "card_declined"))->status
                == 200);
  auto failed = await_event("course.payment.failed", id);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "card_declined");
  auto [id2, payment_id2] = priced_course();
  auto expired = json::parse(make_stripe_event(id2, payment_id2, 4900, "eur"));
  expired["type"] = "checkout.session.expired";
  BOOST_REQUIRE(send(expired.dump())->status == 200);
  auto failed2 = await_event("course.payment.failed", id2);
  BOOST_REQUIRE(failed2);
  BOOST_TEST(json::parse(failed2->data)["reason"] == "expired");
  auto before = head();
  auto other = json::parse(make_stripe_event(id2, payment_id2, 4900, "eur"));
  other["type"] = "customer.created";
  auto res = send(with_id(other.dump(), "evt_other"));
  BOOST_TEST(res->status == 200);
  BOOST_TEST(json::parse(res->body)["result"] == "ignored");
  BOOST_TEST(head() == before);
}

BOOST_AUTO_TEST_CASE(a_declined_card_then_a_successful_one_still_pays) {
  auto [id, payment_id] = priced_course();
  BOOST_REQUIRE(send(make_stripe_event(id, payment_id, 4900, "eur", "card_declined"))->status
                == 200);
  BOOST_REQUIRE(await_event("course.payment.failed", id));
  auto res = send(make_stripe_event(id, payment_id, 4900, "eur"));
  BOOST_TEST(json::parse(res->body)["result"] == "recorded");
  BOOST_TEST(static_cast<bool>(await_event("course.payment.completed", id)));
}

BOOST_AUTO_TEST_CASE(an_unsettled_session_waits_for_async_payment_succeeded) {
  auto [id, payment_id] = priced_course();
  auto before = head(); // payment.required is the course's last event until it is paid
  auto pending = json::parse(make_stripe_event(id, payment_id, 4900, "eur"));
  pending["data"]["object"]["payment_status"] = "unpaid";
  BOOST_TEST(json::parse(send(pending.dump())->body)["result"] == "ignored");
  BOOST_TEST(head() == before); // the answer comes after Payment decided: nothing was written
  auto settled = pending;
  settled["id"] = "evt_settled";
  settled["type"] = "checkout.session.async_payment_succeeded";
  settled["data"]["object"]["payment_status"] = "paid";
  auto recorded = json::parse(send(settled.dump())->body);
  BOOST_TEST(recorded["result"] == "recorded");
  // The barrier for anything the unpaid notice could have set off later: Payment handles
  // notices one after another, and the settled one's event is the very next in the log.
  BOOST_TEST(recorded["seq"] == before + 1);
  auto paid = await_event("course.payment.completed", id);
  BOOST_REQUIRE(paid);
  BOOST_TEST(paid->seq == before + 1);
  auto types = types_of(id);
  BOOST_TEST(std::count(types.begin(), types.end(), "course.payment.failed") == 0);
  BOOST_TEST(std::count(types.begin(), types.end(), "course.payment.completed") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(payment_expiry)

BOOST_AUTO_TEST_CASE(an_unpaid_payment_fails_as_expired) {
  testkit::service_options o;
  o.payment.expiry = 1s;
  payment_fixture f{o};
  auto [id, payment_id] = f.priced_course();
  auto failed = f.await_event("course.payment.failed", id);
  BOOST_REQUIRE(failed);
  BOOST_TEST(json::parse(failed->data)["reason"] == "expired");
  BOOST_TEST(json::parse(failed->data)["payment_id"] == payment_id);
  // Money taken after our expiry still enables the course: the customer paid.
  auto late = f.send(make_stripe_event(id, payment_id, 4900, "eur"));
  BOOST_TEST(json::parse(late->body)["result"] == "recorded");
  BOOST_TEST(static_cast<bool>(f.await_event("course.distribution.completed", id)));
}

BOOST_AUTO_TEST_SUITE_END()
