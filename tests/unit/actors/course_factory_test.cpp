// CourseFactory in isolation: a fake EventLog, a scripted generator, the deterministic scheduler.
#include "actors/course_factory.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "tests/testkit/actor_fixture.hpp"
#include "tests/testkit/fakes.hpp"
#include "util/metrics.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

course_request rust_course() {
  course_request r;
  r.title = "Rust for backend developers";
  r.audiences = {"backend developers"};
  r.user_id = "u-1";
  r.lesson_count = 2;
  return r;
}

// CourseFactory over a fake log, with a generator that fails twice and a retry budget of two
// attempts: a course rests in generation_failed after its first round.
struct failing_twice {
  testkit::fake_event_log log;
  std::shared_ptr<testkit::scripted_generator> gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "down"),
                              make_error(errc::generator_transient, "down")});
  course_factory_actor factory;

  explicit failing_twice(testkit::actor_fixture& f) {
    course_factory_settings fs;
    fs.retry.initial_delay = 10ms;
    fs.retry.max_attempts = 2;
    factory = f.keep(spawn_course_factory(f.sys(), f.keep(log.spawn(f.sys())), gen, fs));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(course_factory, testkit::actor_fixture)

BOOST_AUTO_TEST_CASE(accepted_request_records_started_then_completed) {
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>();
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
  auto accepted = call<course_accepted>(factory, create_atom::value, rust_course(), "corr-1");
  BOOST_REQUIRE(accepted);
  BOOST_TEST(accepted->status == "generating");
  BOOST_TEST(accepted->seq == 1);
  // A free course that is not a dry run is enabled right away: distribution is requested in the
  // same commit as the completed generation.
  std::vector<std::string> expected{"course.generation.started", "course.generation.completed",
                                    "course.distribution.requested"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
  BOOST_TEST(log.events->at(2).causation_id == log.events->at(1).id);
  const auto& started = log.events->at(0);
  const auto& completed = log.events->at(1);
  BOOST_TEST(started.subject == accepted->course_id);
  BOOST_TEST(started.correlation_id == "corr-1");
  BOOST_TEST(completed.correlation_id == "corr-1");
  BOOST_TEST(completed.causation_id == started.id);
  for (const auto& e : *log.events)
    BOOST_TEST(check_event_data(e.type, nlohmann::json::parse(e.data)) == "", e.type);
  auto data = nlohmann::json::parse(completed.data);
  BOOST_TEST(data["lesson_count"] == 2);
  BOOST_TEST(data["attempt"] == 1);
  BOOST_TEST(gen->calls() == 1);
}

BOOST_AUTO_TEST_CASE(failing_generator_records_failed_with_the_error) {
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "model server crashed")});
  course_factory_settings fs;
  fs.retry.max_attempts = 1; // no retries: the first failure is final
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen, fs));
  auto accepted = call<course_accepted>(factory, create_atom::value, rust_course(), "");
  BOOST_REQUIRE(accepted);
  std::vector<std::string> expected{"course.generation.started", "course.generation.failed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
  auto data = nlohmann::json::parse(log.events->at(1).data);
  BOOST_TEST(data["course_id"] == accepted->course_id);
  BOOST_TEST(data["error"] == "model server crashed");
  BOOST_TEST(data["error_type"] == "transient");
  BOOST_TEST(data["will_retry"] == false);
  BOOST_TEST(check_event_data("course.generation.failed", data) == "");
}

BOOST_AUTO_TEST_CASE(permanent_generator_errors_are_marked_permanent) {
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_permanent, "quiz[0]: 3 options")});
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
  BOOST_REQUIRE(call<course_accepted>(factory, create_atom::value, rust_course(), ""));
  auto data = nlohmann::json::parse(log.events->back().data);
  BOOST_TEST(data["error_type"] == "permanent");
}

BOOST_AUTO_TEST_CASE(a_generator_that_never_answers_fails_after_the_timeout) {
  struct stuck_generator : generator {
    std::string name() const override { return "stuck"; }
    caf::expected<course_content> generate(const course_request&) override {
      return make_error(errc::internal, "never seen: the worker's reply comes too late");
    }
  };
  testkit::fake_event_log log;
  course_factory_settings fs;
  fs.generation_timeout = 50ms;
  auto log_actor = keep(log.spawn(sys()));
  auto factory =
      keep(spawn_course_factory(sys(), log_actor, std::make_shared<stuck_generator>(), fs));
  // Run everyone but the generation worker: it stays "busy" until the timeout has fired.
  auto not_worker = [&](caf::resumable* job) {
    auto* a = dynamic_cast<caf::abstract_actor*>(job);
    return a == caf::actor_cast<caf::abstract_actor*>(factory)
           || a == caf::actor_cast<caf::abstract_actor*>(log_actor);
  };
  self->send(factory, create_atom::value, rust_course(), std::string{});
  sched.run_jobs_filtered(not_worker);
  BOOST_TEST(log.types().size() == 1u);
  sched.advance_time(50ms);
  sched.run_jobs_filtered(not_worker);
  run(); // now the worker runs; its late reply is dropped
  BOOST_REQUIRE(log.types().size() == 2u);
  auto data = nlohmann::json::parse(log.events->at(1).data);
  BOOST_TEST(data["error_type"] == "transient");
  BOOST_TEST(data["error"].get<std::string>().find("timed out") != std::string::npos, data.dump());
}

BOOST_AUTO_TEST_CASE(invalid_request_is_rejected_and_nothing_is_written) {
  testkit::fake_event_log log;
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())),
                                           std::make_shared<testkit::scripted_generator>()));
  auto bad = rust_course();
  bad.lesson_count = 0;
  auto res = call<course_accepted>(factory, create_atom::value, bad, "");
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::invalid_argument));
  BOOST_TEST(log.events->empty());
}

BOOST_AUTO_TEST_CASE(log_failure_reaches_the_caller_and_no_generation_runs) {
  testkit::fake_event_log log;
  *log.fail_appends = make_error(errc::storage_unavailable, "disk full");
  auto gen = std::make_shared<testkit::scripted_generator>();
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
  auto res = call<course_accepted>(factory, create_atom::value, rust_course(), "");
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::storage_unavailable));
  BOOST_TEST(gen->calls() == 0);
}

BOOST_AUTO_TEST_CASE(dry_run_stops_at_generated) {
  testkit::fake_event_log log;
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())),
                                           std::make_shared<testkit::scripted_generator>()));
  auto req = rust_course();
  req.dry_run = true;
  BOOST_REQUIRE(call<course_accepted>(factory, create_atom::value, req, ""));
  std::vector<std::string> expected{"course.generation.started", "course.generation.completed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(priced_course_waits_for_payment_then_gets_distribution_requested) {
  testkit::fake_event_log log;
  auto log_actor = keep(log.spawn(sys()));
  auto factory =
      keep(spawn_course_factory(sys(), log_actor, std::make_shared<testkit::scripted_generator>()));
  run(); // the factory subscribes to completed payments
  auto req = rust_course();
  req.amount_cents = 4900;
  req.currency = "EUR";
  auto accepted = call<course_accepted>(factory, create_atom::value, req, "");
  BOOST_REQUIRE(accepted);
  BOOST_TEST(log.types().size() == 2u); // started, completed: Payment's turn now
  cf::event paid;
  paid.source = "/test";
  paid.type = "course.payment.completed";
  paid.subject = accepted->course_id;
  paid.data = R"({"course_id":"x"})";
  BOOST_REQUIRE(
      call<std::vector<cf::event>>(log_actor, append_atom::value, std::vector<cf::event>{paid}));
  run();
  std::vector<std::string> expected{"course.generation.started", "course.generation.completed",
                                    "course.payment.completed", "course.distribution.requested"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
  BOOST_TEST(log.events->back().subject_version == 4);
}

BOOST_AUTO_TEST_CASE(transient_failures_are_retried_with_backoff_until_success) {
  auto retries_before = metrics::global().retries.values()["generation"];
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "crash 1"),
                              make_error(errc::generator_transient, "crash 2")});
  course_factory_settings fs;
  fs.retry.initial_delay = 100ms;
  fs.retry.multiplier = 2;
  fs.retry.max_attempts = 3;
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen, fs));
  auto req = rust_course();
  req.dry_run = true;
  BOOST_REQUIRE(call<course_accepted>(factory, create_atom::value, req, ""));
  BOOST_TEST(gen->calls() == 1);
  advance(49ms); // equal jitter: the first retry waits 50-100 ms
  BOOST_TEST(gen->calls() == 1);
  advance(51ms);
  BOOST_TEST(gen->calls() == 2);
  advance(200ms); // second retry: 100-200 ms
  BOOST_TEST(gen->calls() == 3);
  std::vector<std::string> expected{"course.generation.started", "course.generation.failed",
                                    "course.generation.started", "course.generation.failed",
                                    "course.generation.started", "course.generation.completed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
  auto first = nlohmann::json::parse(log.events->at(1).data);
  auto second = nlohmann::json::parse(log.events->at(3).data);
  BOOST_TEST(first["retry_count"] == 0);
  BOOST_TEST(first["will_retry"] == true);
  BOOST_TEST(second["retry_count"] == 1);
  BOOST_TEST(nlohmann::json::parse(log.events->at(4).data)["attempt"] == 3);
  BOOST_TEST(nlohmann::json::parse(log.events->at(5).data)["attempt"] == 3);
  BOOST_TEST(metrics::global().retries.values()["generation"] - retries_before == 2u);
}

// A restart between retries keeps the round's budget: attempts 1 and 2 failed before it, so with
// three attempts in all the third is the last, not the first of a new budget.
BOOST_AUTO_TEST_CASE(a_restart_between_retries_keeps_the_retry_budget) {
  testkit::fake_event_log log;
  auto log_actor = keep(log.spawn(sys()));
  auto gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>{make_error(errc::generator_transient, "crash 1"),
                              make_error(errc::generator_transient, "crash 2"),
                              make_error(errc::generator_transient, "crash 3")});
  course_factory_settings fs;
  fs.retry.initial_delay = 100ms;
  fs.retry.multiplier = 2;
  fs.retry.max_attempts = 3;
  auto before = spawn_course_factory(sys(), log_actor, gen, fs);
  auto req = rust_course();
  req.dry_run = true;
  BOOST_REQUIRE(call<course_accepted>(before, create_atom::value, req, ""));
  advance(100ms);
  BOOST_TEST(gen->calls() == 2); // attempt 2 failed too; attempt 3 is planned
  caf::anon_send_exit(before, caf::exit_reason::kill);
  run();
  keep(spawn_course_factory(sys(), log_actor, gen, fs)); // the restart
  run();
  advance(200ms);
  BOOST_TEST(gen->calls() == 3);
  auto last = nlohmann::json::parse(log.events->back().data);
  BOOST_TEST(log.events->back().type == "course.generation.failed");
  BOOST_TEST(last["attempt"] == 3);
  BOOST_TEST(last["will_retry"] == false); // the budget was spent, restart or not
  advance(10s);
  BOOST_TEST(gen->calls() == 3);
}

// The API token that made a request (its name) is the actor of the events it causes; a user's
// retry names its own actor, a scheduled retry the creator's.
BOOST_AUTO_TEST_CASE(requests_with_a_token_name_their_actor_on_their_events) {
  failing_twice t{*this};
  auto& log = t.log;
  auto factory = t.factory;
  auto req = rust_course();
  req.dry_run = true;
  auto accepted =
      call<course_accepted>(factory, create_atom::value, req, "", std::string{"creator"});
  BOOST_REQUIRE(accepted);
  advance(100ms); // the first attempt fails, the scheduled retry fails for good
  auto again = call<course_accepted>(factory, retry_atom::value, accepted->course_id,
                                     std::string{"operator"});
  BOOST_REQUIRE(again);
  std::vector<std::string> actors;
  for (const auto& e : *log.events) actors.push_back(e.type + " " + e.actor);
  std::vector<std::string> expected{
      "course.generation.started creator",  "course.generation.failed creator",
      "course.generation.started creator",  "course.generation.failed creator",
      "course.generation.started operator", "course.generation.completed operator"};
  BOOST_TEST(actors == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exhausted_retries_rest_in_generation_failed_and_retry_restarts) {
  failing_twice t{*this};
  auto& log = t.log;
  auto& gen = t.gen;
  auto factory = t.factory;
  auto req = rust_course();
  req.dry_run = true;
  auto accepted = call<course_accepted>(factory, create_atom::value, req, "");
  BOOST_REQUIRE(accepted);
  advance(100ms);
  BOOST_TEST(gen->calls() == 2);
  auto last = nlohmann::json::parse(log.events->back().data);
  BOOST_TEST(last["will_retry"] == false);
  auto view = call<course_view>(keep(log.spawn(sys())), caf::get_atom::value, accepted->course_id);
  BOOST_REQUIRE(view);
  BOOST_TEST(view->summary.status == "generation_failed");
  auto again = call<course_accepted>(factory, retry_atom::value, accepted->course_id);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->status == "generating");
  BOOST_TEST(gen->calls() == 3);
  BOOST_TEST(log.types().back() == "course.generation.completed");
  auto nothing = call<course_accepted>(factory, retry_atom::value, accepted->course_id);
  BOOST_REQUIRE(!nothing);
  BOOST_TEST(is(nothing.error(), errc::conflict));
}

BOOST_AUTO_TEST_CASE(idempotency_key_replays_rejects_other_bodies_and_twins) {
  testkit::fake_event_log log;
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())),
                                           std::make_shared<testkit::scripted_generator>()));
  auto req = rust_course();
  req.dry_run = true;
  idempotency_key key{"k-1", "fp-a"};
  auto first = call<course_accepted>(factory, create_atom::value, req, "", key);
  BOOST_REQUIRE(first);
  BOOST_TEST(!first->replayed);
  auto events_after_first = log.events->size();
  auto again = call<course_accepted>(factory, create_atom::value, req, "", key);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->replayed);
  BOOST_TEST(again->course_id == first->course_id);
  BOOST_TEST(log.events->size() == events_after_first);
  auto other =
      call<course_accepted>(factory, create_atom::value, req, "", idempotency_key{"k-1", "fp-b"});
  BOOST_REQUIRE(!other);
  BOOST_TEST(is(other.error(), errc::duplicate));
  // Twins: the second arrives while the first still waits for the log.
  auto p1 = self->request(factory, caf::infinite, create_atom::value, req, std::string{},
                          idempotency_key{"k-2", "fp"});
  auto p2 = self->request(factory, caf::infinite, create_atom::value, req, std::string{},
                          idempotency_key{"k-2", "fp"});
  run();
  int accepted = 0, conflicts = 0;
  for (auto* p : {&p1, &p2})
    p->receive([&](const course_accepted&) { ++accepted; },
               [&](caf::error& err) { conflicts += is(err, errc::conflict); });
  BOOST_TEST(accepted == 1);
  BOOST_TEST(conflicts == 1);
}

// Idempotency keys belong to the token that sent them: another token's same key is another
// request (a new course), not a replay of someone else's answer.
BOOST_AUTO_TEST_CASE(idempotency_keys_are_scoped_per_token) {
  testkit::fake_event_log log;
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())),
                                           std::make_shared<testkit::scripted_generator>()));
  auto req = rust_course();
  req.dry_run = true;
  idempotency_key key{"shared-key", "fp"};
  auto alice = call<course_accepted>(factory, create_atom::value, req, "", key, "alice");
  auto bob = call<course_accepted>(factory, create_atom::value, req, "", key, "bob");
  auto alice_again = call<course_accepted>(factory, create_atom::value, req, "", key, "alice");
  BOOST_REQUIRE(alice);
  BOOST_REQUIRE(bob);
  BOOST_REQUIRE(alice_again);
  BOOST_TEST(!bob->replayed);
  BOOST_TEST(bob->course_id != alice->course_id);
  BOOST_TEST(alice_again->replayed);
  BOOST_TEST(alice_again->course_id == alice->course_id);
}

BOOST_AUTO_TEST_SUITE_END()
