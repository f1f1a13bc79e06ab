// The webhook channel against local httplib receivers on 127.0.0.1: signed, keyed deliveries and
// how 2xx, 4xx, 5xx, timeouts and closed ports map to success, permanent and transient errors.
#include "channels/webhook_channel.hpp"

#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <ctime>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/testkit/sync.hpp"
#include "tests/testkit/webhook_receiver.hpp"
#include "util/errc.hpp"
#include "util/signature_header.hpp"

using namespace cf;
using json = nlohmann::json;
using cf::testkit::receiver;

namespace {

const std::string secret = "whsec_channel_test";

published_course sample_course() {
  published_course course;
  course.course_id = "c-42";
  course.title = "Kubernetes basics";
  course.language = "en";
  course.content_json = R"({"lessons":[{"title":"Pods","body":"Größe"}],"quiz":[]})";
  course.distribution_id = "d-0190-abc";
  course.attempt = 2;
  return course;
}

std::string context_of(const caf::expected<channel_result>& res) {
  return res ? std::string{} : error_context(res.error());
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_channel)

BOOST_AUTO_TEST_CASE(name_is_webhook) {
  BOOST_TEST(make_webhook_channel({}, secret, 1000)->name() == "webhook");
}

BOOST_AUTO_TEST_CASE(ok_delivers_signed_body_with_idempotency_key) {
  receiver rcv;
  auto ch = make_webhook_channel({rcv.url()}, secret, 2000);
  auto course = sample_course();
  auto res = ch->publish(course);
  BOOST_REQUIRE_MESSAGE(res, context_of(res));
  BOOST_TEST(res->url == "");
  BOOST_TEST(res->detail == "delivered to 1 receivers");
  auto reqs = rcv.requests();
  BOOST_REQUIRE_EQUAL(reqs.size(), 1u);
  const auto& req = reqs.front();
  BOOST_TEST(req.path == "/hook");
  BOOST_TEST(req.content_type == "application/json");
  BOOST_TEST(req.idempotency_key == course.distribution_id);
  auto now = static_cast<int64_t>(std::time(nullptr));
  BOOST_TEST(!verify_signature(secret, req.signature, req.body, now, 300));
  BOOST_TEST(error_context(verify_signature("whsec_wrong", req.signature, req.body, now, 300))
             == "mismatch");
  auto body = json::parse(req.body);
  BOOST_TEST(body["course_id"] == course.course_id);
  BOOST_TEST(body["title"] == course.title);
  BOOST_TEST(body["language"] == course.language);
  BOOST_TEST(body["distribution_id"] == course.distribution_id);
  BOOST_TEST(body["attempt"] == 2);
  BOOST_TEST(body["content"] == json::parse(course.content_json));
}

BOOST_AUTO_TEST_CASE(publishing_again_sends_the_same_idempotency_key) {
  receiver rcv;
  auto ch = make_webhook_channel({rcv.url()}, secret, 2000);
  BOOST_REQUIRE(ch->publish(sample_course()));
  BOOST_REQUIRE(ch->publish(sample_course()));
  auto reqs = rcv.requests();
  BOOST_REQUIRE_EQUAL(reqs.size(), 2u);
  BOOST_TEST(reqs[0].idempotency_key == reqs[1].idempotency_key);
}

BOOST_AUTO_TEST_CASE(two_receivers_both_ok) {
  receiver a;
  receiver b;
  auto ch = make_webhook_channel({a.url("/a"), b.url("/b?source=cf")}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE_MESSAGE(res, context_of(res));
  BOOST_TEST(res->detail == "delivered to 2 receivers");
  BOOST_REQUIRE_EQUAL(a.requests().size(), 1u);
  BOOST_REQUIRE_EQUAL(b.requests().size(), 1u);
  BOOST_TEST(a.requests()[0].path == "/a");
  BOOST_TEST(b.requests()[0].path == "/b");
}

BOOST_AUTO_TEST_CASE(status_503_is_transient) {
  receiver rcv{{503}};
  auto ch = make_webhook_channel({rcv.url()}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(rcv.url()) != std::string::npos);
  BOOST_TEST(context_of(res).find("503") != std::string::npos);
  // The script is used up: the retry succeeds.
  BOOST_TEST(static_cast<bool>(ch->publish(sample_course())));
}

BOOST_AUTO_TEST_CASE(status_404_is_permanent) {
  receiver rcv{{404}};
  auto ch = make_webhook_channel({rcv.url()}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_permanent));
  BOOST_TEST(context_of(res).find(rcv.url()) != std::string::npos);
  BOOST_TEST(context_of(res).find("404") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_429_is_transient) {
  receiver rcv{{429}};
  auto ch = make_webhook_channel({rcv.url()}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
}

BOOST_AUTO_TEST_CASE(closed_port_is_transient) {
  std::string url;
  {
    receiver gone;
    url = gone.url();
    gone.stop();
  }
  auto ch = make_webhook_channel({url}, secret, 1000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(url) != std::string::npos);
}

// The receiver would answer after a minute (it is stopped before); the channel gives up at its
// timeout, before the receiver answered: no wall-clock margin needed to tell the two apart.
BOOST_AUTO_TEST_CASE(slow_receiver_times_out_as_transient) {
  receiver rcv{{}, std::chrono::minutes{1}};
  auto ch = make_webhook_channel({rcv.url()}, secret, 300);
  auto res = ch->publish(sample_course());
  // It was delivered (the receiver's thread may record it a moment after the channel gave up)...
  BOOST_TEST(testkit::eventually([&] { return rcv.requests().size() == 1u; }));
  BOOST_TEST(rcv.answered() == 0); // ...and given up on while the receiver still waited
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(rcv.url()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_of_two_receivers_failing_with_500_is_transient) {
  receiver good;
  receiver bad{{500}};
  auto ch = make_webhook_channel({good.url(), bad.url()}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(bad.url()) != std::string::npos);
  BOOST_TEST(context_of(res).find(good.url()) == std::string::npos);
  BOOST_TEST(good.requests().size() == 1u);
  BOOST_TEST(bad.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(transient_wins_over_permanent) {
  receiver not_found{{404}};
  receiver unavailable{{503}};
  auto ch = make_webhook_channel({not_found.url(), unavailable.url()}, secret, 2000);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
}

BOOST_AUTO_TEST_CASE(no_urls_is_permanent) {
  auto res = make_webhook_channel({}, secret, 1000)->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_permanent));
  BOOST_TEST(context_of(res) == "no webhook URLs configured");
}

BOOST_AUTO_TEST_CASE(bad_urls_are_permanent) {
  for (const std::string url : {"ftp://127.0.0.1/hook", "127.0.0.1:9000/hook",
                                "http://127.0.0.1:99999/hook", "http:///hook"}) {
    BOOST_TEST_INFO("url: " << url);
    auto res = make_webhook_channel({url}, secret, 1000)->publish(sample_course());
    BOOST_REQUIRE(!res);
    BOOST_TEST(is(res.error(), errc::channel_permanent));
  }
}

BOOST_AUTO_TEST_CASE(invalid_content_is_permanent_and_sends_nothing) {
  receiver rcv;
  auto course = sample_course();
  course.content_json = "{not json";
  auto res = make_webhook_channel({rcv.url()}, secret, 1000)->publish(course);
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_permanent));
  BOOST_TEST(rcv.requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()
