// CourseFactory in isolation: a fake EventLog, a scripted generator, the deterministic scheduler.
#include "actors/course_factory.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/catalogue.hpp"
#include "tests/testkit/actor_fixture.hpp"
#include "tests/testkit/fakes.hpp"

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

} // namespace

BOOST_FIXTURE_TEST_SUITE(course_factory, testkit::actor_fixture)

BOOST_AUTO_TEST_CASE(accepted_request_records_started_then_completed) {
  testkit::fake_event_log log;
  auto gen = std::make_shared<testkit::scripted_generator>();
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
  auto accepted = call<course_accepted>(factory, create_atom::value, rust_course(), "corr-1");
  BOOST_REQUIRE(accepted);
  BOOST_TEST(accepted->status == "generating");
  BOOST_TEST(accepted->started_seq == 1);
  std::vector<std::string> expected{"course.generation.started", "course.generation.completed"};
  BOOST_TEST(log.types() == expected, boost::test_tools::per_element());
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
  auto factory = keep(spawn_course_factory(sys(), keep(log.spawn(sys())), gen));
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

BOOST_AUTO_TEST_SUITE_END()
