// Whole course lifecycles over HTTP against the real service: priced, free, dry run; the webhook
// channel against a local receiver (success, 5xx then success, 4xx); generator retries and the
// retry endpoint; idempotency keys.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "app/pay_command.hpp"
#include "channels/webhook_channel.hpp"
#include "domain/catalogue.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/fakes.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "tests/testkit/webhook_receiver.hpp"
#include "util/signature_header.hpp"
#include "util/uuid.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

json order(const std::string& title, int64_t cents, bool dry_run = false) {
  json body{{"title", title},    {"language", "de"}, {"audiences", {"Einsteiger"}},
            {"lesson_count", 2}, {"user_id", "u-1"}, {"dry_run", dry_run}};
  if (cents > 0)
    body["price"] = {{"amount_cents", cents}, {"currency", "EUR"}};
  return body;
}

struct client {
  testkit::service_fixture& svc;
  int port;
  httplib::Client cli;
  explicit client(testkit::service_fixture& s)
      : svc(s), port(s.start_http()), cli("127.0.0.1", port) {
    cli.set_bearer_token_auth(testkit::admin_token);
  }

  std::string create(const json& body) {
    auto res = cli.Post("/v1/courses", body.dump(), "application/json");
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_EQUAL(res->status, 202);
    return json::parse(res->body)["course_id"].get<std::string>();
  }

  json course(const std::string& id) {
    return json::parse(cli.Get(("/v1/courses/" + id).c_str())->body);
  }

  json events(const std::string& id) {
    return json::parse(cli.Get(("/v1/courses/" + id + "/events").c_str())->body)["events"];
  }

  int pay(const std::string& id) {
    auto required = svc.await_event("course.payment.required", id);
    BOOST_REQUIRE(required);
    auto body = make_stripe_event(id, json::parse(required->data)["payment_id"], 4900, "eur");
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    httplib::Headers h{{"Stripe-Signature", sign_payload(svc.webhook_secret(), body, now)}};
    return cli.Post("/v1/payments/webhook", h, body, "application/json")->status;
  }
};

// Every event of the course: subject versions 1, 2, 3... in order, data as the catalogue says.
void check_history(const json& events) {
  int64_t version = 0, seq = 0;
  for (const auto& e : events) {
    BOOST_TEST(e["subjectversion"].get<int64_t>() == ++version);
    BOOST_TEST(e["seq"].get<int64_t>() > seq);
    seq = e["seq"].get<int64_t>();
    BOOST_TEST(check_event_data(e["type"], e["data"]) == "", e["type"]);
  }
}

std::vector<std::string> types(const json& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e["type"]);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(priced_course_from_order_to_published_page) {
  testkit::service_fixture svc;
  client c{svc};
  auto id = c.create(order("Einführung in die Buchhaltung", 4900));
  BOOST_REQUIRE(svc.await_event("course.payment.required", id));
  BOOST_TEST(c.course(id)["status"] == "awaiting_payment");
  BOOST_TEST(c.pay(id) == 200);
  BOOST_REQUIRE(svc.await_event("course.distribution.completed", id));
  auto course = c.course(id);
  BOOST_TEST(course["status"] == "published");
  auto events = c.events(id);
  std::vector<std::string> expected{
      "course.generation.started",     "course.generation.completed",
      "course.payment.required",       "course.payment.completed",
      "course.distribution.requested", "course.distribution.completed"};
  BOOST_TEST(types(events) == expected, boost::test_tools::per_element());
  check_history(events);
  // The site channel wrote the pages, and the service serves them.
  auto url = course["url"].get<std::string>();
  BOOST_TEST(url.rfind("/courses/einfuehrung-in-die-buchhaltung", 0) == 0u);
  auto slug = url.substr(std::string{"/courses/"}.size());
  slug.pop_back();
  BOOST_TEST(std::filesystem::exists(svc.site_dir() + "/" + slug + "/index.html"));
  BOOST_TEST(std::filesystem::exists(svc.site_dir() + "/" + slug + "/lesson-2.html"));
  BOOST_TEST(std::filesystem::exists(svc.site_dir() + "/" + slug + "/quiz.html"));
  auto page = c.cli.Get(url.c_str());
  BOOST_REQUIRE(page);
  BOOST_TEST(page->status == 200);
  BOOST_TEST(page->body.find("Einführung in die Buchhaltung") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(free_course_skips_payment_and_dry_run_stops_at_generated) {
  testkit::service_fixture svc;
  client c{svc};
  auto free_id = c.create(order("Gitarre lernen", 0));
  auto dry_id = c.create(order("Trockenübung", 4900, true));
  BOOST_REQUIRE(svc.await_event("course.distribution.completed", free_id));
  auto dry_done = svc.await_event("course.generation.completed", dry_id);
  BOOST_REQUIRE(dry_done);
  std::vector<std::string> free_expected{"course.generation.started", "course.generation.completed",
                                         "course.distribution.requested",
                                         "course.distribution.completed"};
  auto free_events = c.events(free_id);
  BOOST_TEST(types(free_events) == free_expected, boost::test_tools::per_element());
  check_history(free_events);
  // Nothing follows a dry run: no payment, no distribution, even after the free course went by.
  // The barrier: Payment's checkpoint passed the dry run's completion, so Payment has handled it
  // (a payment request would have committed with that checkpoint). CourseFactory requests the
  // distribution of a free course in the same append as its completion, of a priced one only
  // after a payment.
  BOOST_REQUIRE(svc.await_checkpoint("payment", dry_done->seq));
  std::vector<std::string> dry_expected{"course.generation.started", "course.generation.completed"};
  BOOST_TEST(types(c.events(dry_id)) == dry_expected, boost::test_tools::per_element());
  BOOST_TEST(c.course(dry_id)["status"] == "generated");
}

BOOST_AUTO_TEST_CASE(webhook_channel_success_retry_after_5xx_and_final_4xx) {
  testkit::receiver ok_then({503, 200, 404, 404, 404, 404});
  testkit::service_options o;
  o.factory.channels = {"site", "webhook"};
  o.distribution.channels["webhook"] =
      make_webhook_channel({ok_then.url()}, "whsec_receiver", 2000);
  testkit::service_fixture svc{o};
  client c{svc};
  // 503 first: a failed event that will retry, then delivered.
  auto a = c.create(order("Kochen", 0));
  BOOST_REQUIRE(svc.await_event("course.distribution.completed", a));
  auto failed = svc.await_event("course.distribution.failed", a);
  BOOST_REQUIRE(failed);
  auto fdata = json::parse(failed->data);
  BOOST_TEST(fdata["channel"] == "webhook");
  BOOST_TEST(fdata["will_retry"] == true);
  BOOST_TEST(fdata["retry_count"] == 0);
  auto requests = ok_then.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  BOOST_TEST(
      !verify_signature("whsec_receiver", requests[1].signature, requests[1].body, now, 300));
  BOOST_TEST(json::parse(requests[1].body)["course_id"] == a);
  // 404: final at once, the course rests in distribution_failed.
  auto b = c.create(order("Backen", 0));
  auto final_failure = svc.await_event("course.distribution.failed", b);
  BOOST_REQUIRE(final_failure);
  BOOST_TEST(json::parse(final_failure->data)["will_retry"] == false);
  BOOST_TEST(testkit::eventually([&] { return c.course(b)["status"] == "distribution_failed"; }));
  auto listed = json::parse(c.cli.Get("/v1/courses?status=distribution_failed")->body);
  BOOST_TEST(listed["items"].size() == 1u);
  // A retry requests distribution again (the receiver still answers 404).
  auto retry = c.cli.Post(("/v1/courses/" + b + "/retry").c_str(), "", "application/json");
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->status == 202);
  auto t = types(c.events(b));
  BOOST_TEST(std::count(t.begin(), t.end(), "course.distribution.requested") == 2);
}

BOOST_AUTO_TEST_CASE(generator_failing_twice_then_succeeding_and_one_that_always_fails) {
  auto flaky = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "crash"),
                              make_error(errc::generator_transient, "crash")});
  testkit::service_options o;
  o.gen = flaky;
  testkit::service_fixture svc{o};
  client c{svc};
  auto id = c.create(order("Schach", 0, true));
  auto done = svc.await_event("course.generation.completed", id);
  BOOST_REQUIRE(done);
  BOOST_TEST(json::parse(done->data)["attempt"] == 3);
  std::vector<std::string> expected{"course.generation.started", "course.generation.failed",
                                    "course.generation.started", "course.generation.failed",
                                    "course.generation.started", "course.generation.completed"};
  BOOST_TEST(types(c.events(id)) == expected, boost::test_tools::per_element());
  check_history(c.events(id));
}

BOOST_AUTO_TEST_CASE(exhausted_generation_rests_failed_and_the_retry_endpoint_restarts_it) {
  std::vector<caf::error> three(3, make_error(errc::generator_transient, "model offline"));
  testkit::service_options o;
  o.gen = std::make_shared<testkit::scripted_generator>(three);
  testkit::service_fixture svc{o};
  client c{svc};
  auto id = c.create(order("Segeln", 0, true));
  BOOST_TEST(testkit::eventually([&] { return c.course(id)["status"] == "generation_failed"; }));
  BOOST_TEST(c.course(id)["last_error"] == "model offline");
  auto listed = json::parse(c.cli.Get("/v1/courses?status=generation_failed")->body);
  BOOST_TEST(listed["items"].size() == 1u);
  auto retry = c.cli.Post(("/v1/courses/" + id + "/retry").c_str(), "", "application/json");
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->status == 202);
  BOOST_TEST(testkit::eventually([&] { return c.course(id)["status"] == "generated"; }));
  BOOST_TEST(c.course(id)["attempt"] == 4);
  auto nothing = c.cli.Post(("/v1/courses/" + id + "/retry").c_str(), "", "application/json");
  BOOST_TEST(nothing->status == 409);
  auto unknown =
      c.cli.Post("/v1/courses/0190a5c4-0000-7000-8000-000000000000/retry", "", "application/json");
  BOOST_TEST(unknown->status == 404);
}

BOOST_AUTO_TEST_CASE(idempotency_keys_same_body_other_body_and_concurrent_twins) {
  testkit::service_fixture svc;
  client c{svc};
  auto body = order("Fotografie", 0, true).dump();
  httplib::Headers key{{"Idempotency-Key", "order-1"}};
  auto first = c.cli.Post("/v1/courses", key, body, "application/json");
  BOOST_REQUIRE(first && first->status == 202);
  // A dry run rests at generated: once its completion is in, nothing else is written for it.
  auto first_id = json::parse(first->body)["course_id"].get<std::string>();
  auto completed = svc.await_event("course.generation.completed", first_id);
  BOOST_REQUIRE(completed);
  auto head = *svc.call<int64_t>(svc.log(), head_atom::value);
  BOOST_TEST(head == completed->seq);
  // The same body with other formatting and key order is the same request.
  auto reordered = json::parse(body);
  auto second = c.cli.Post("/v1/courses", key, reordered.dump(2), "application/json");
  BOOST_REQUIRE(second);
  BOOST_TEST(second->status == 202);
  BOOST_TEST(second->body == first->body);
  BOOST_TEST(second->get_header_value("Location") == first->get_header_value("Location"));
  BOOST_TEST(second->get_header_value("Idempotent-Replayed") == "true");
  BOOST_TEST(*svc.call<int64_t>(svc.log(), head_atom::value) == head); // a replay writes nothing
  // ...not even later: a course without a key through the same CourseFactory is the barrier
  // (whatever the replay set off there reaches the log before this course's start), and its
  // two events come right after the head.
  auto marker = c.create(order("Nach der Wiederholung", 0, true));
  auto marker_done = svc.await_event("course.generation.completed", marker);
  BOOST_REQUIRE(marker_done);
  BOOST_TEST(marker_done->seq == head + 2);
  auto other = c.cli.Post("/v1/courses", key, order("Malen", 0, true).dump(), "application/json");
  BOOST_REQUIRE(other);
  BOOST_TEST(other->status == 422);
  // Twins sent at once: exactly one course is created, the other answer is a replay or 409.
  httplib::Headers twin_key{{"Idempotency-Key", "order-twins"}};
  auto post = [&] {
    httplib::Client cli{"127.0.0.1", c.port};
    cli.set_bearer_token_auth(testkit::admin_token);
    auto res = cli.Post("/v1/courses", twin_key, body, "application/json");
    if (!res)
      BOOST_TEST_MESSAGE("twin failed: " << httplib::to_string(res.error()));
    return res ? res->status : -static_cast<int>(res.error());
  };
  auto f1 = std::async(std::launch::async, post);
  auto f2 = std::async(std::launch::async, post);
  std::vector<int> statuses{f1.get(), f2.get()};
  std::sort(statuses.begin(), statuses.end());
  BOOST_TEST((statuses == std::vector<int>{202, 409} || statuses == std::vector<int>{202, 202}),
             statuses[0] << " " << statuses[1]);
  auto started = svc.call<event_page>(svc.log(), query_atom::value,
                                      event_query{"course.generation.started", "", 0, 1000});
  BOOST_TEST(started->events.size() == 3u); // order-1, the marker and one twin
  auto bad =
      c.cli.Post("/v1/courses", {{"Idempotency-Key", "has spaces"}}, body, "application/json");
  BOOST_TEST(bad->status == 400);
}

BOOST_AUTO_TEST_CASE(after_a_restart_unfinished_work_is_carried_on) {
  testkit::temp_dir dir;
  auto db = dir.file("events.db");
  std::string generating = make_uuid_v7(), paid = make_uuid_v7();
  auto params = order("Wiederaufnahme", 0, true);
  std::vector<field_error> errs;
  auto req = parse_course_request(params, errs);
  auto started = [&](const std::string& id) {
    return testkit::stored_event("course.generation.started", id,
                                 {{"course_id", id},
                                  {"title", req.title},
                                  {"user_id", req.user_id},
                                  {"parameters", to_json(req)},
                                  {"attempt", 1}});
  };
  auto paid_event = [](const std::string& id) {
    return testkit::stored_event("course.payment.completed", id, {{"course_id", id}});
  };
  {
    // The log as a crash left it: one generation started without result, one course paid
    // without a distribution request.
    auto store = sqlite_event_store::open(db);
    BOOST_REQUIRE(store);
    std::vector<cf::event> events{started(generating), started(paid), paid_event(paid)};
    BOOST_REQUIRE(!(*store)->append(events));
  }
  testkit::service_options o;
  o.db_path = db;
  testkit::service_fixture svc{o};
  BOOST_TEST(static_cast<bool>(svc.await_event("course.generation.completed", generating)));
  BOOST_REQUIRE(svc.await_event("course.distribution.requested", paid));
  // The barrier before counting: a second course paid the same way, appended now. CourseFactory
  // handles payments in log order and its appends reach the log in the order sent, so once its
  // checkpoint passes this one, whatever it did about the first payment is in the log.
  auto marker = make_uuid_v7();
  auto marked = svc.call<std::vector<cf::event>>(
      svc.log(), append_atom::value, std::vector<cf::event>{started(marker), paid_event(marker)});
  BOOST_REQUIRE(marked);
  BOOST_REQUIRE(svc.await_checkpoint("course_factory", marked->back().seq));
  auto t = svc.types_of(paid);
  BOOST_TEST(std::count(t.begin(), t.end(), "course.distribution.requested") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
