// generation.mode = redis, the service's side, against a real redis-server and the real service
// in-process: each committed course.generation.started reaches the jobs stream through the jobs
// relay (the log is the outbox), and a worker's result, read by BusInbound from the results
// stream, is recorded as a local generation's. The test plays the worker.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/bus_inbound.hpp"
#include "actors/bus_relay.hpp"
#include "content/generator.hpp"
#include "domain/catalogue.hpp"
#include "domain/generation_job.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/redis_server.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const std::string jobs = "coursefactory:generation:jobs";
const std::string results = "coursefactory:generation:results";

testkit::service_options remote_options() {
  testkit::service_options o;
  o.factory.remote = true;
  return o;
}

struct remote_fixture {
  testkit::redis_server redis;
  testkit::service_fixture svc{remote_options()};
  std::shared_ptr<bus_inbound_status> status = std::make_shared<bus_inbound_status>();
  bus_relay_actor relay;
  bus_inbound_actor consumer;

  remote_fixture() {
    bus_relay_settings r;
    r.redis = redis.address();
    r.stream = jobs;
    r.pattern = event_types::generation_started;
    r.consumer = "generation_jobs";
    r.reconnect_initial = 10ms;
    relay = spawn_bus_relay(svc.sys(), svc.log(), r, std::make_shared<bus_relay_status>());
    bus_inbound_settings s;
    s.redis = redis.address();
    s.consumer = "test-consumer";
    s.block = 20ms;
    s.reconnect_initial = 10ms;
    s.results_stream = results;
    s.jobs_stream = jobs;
    s.queue_poll = 10ms;
    consumer =
        spawn_bus_inbound(svc.sys(), svc.payment(), svc.distribution(), svc.factory(), s, status);
  }
  ~remote_fixture() {
    caf::scoped_actor self{svc.sys()};
    for (auto h : {caf::actor_cast<caf::actor>(consumer), caf::actor_cast<caf::actor>(relay)}) {
      self->send_exit(h, caf::exit_reason::user_shutdown);
      self->wait_for(h);
    }
  }

  std::string ordered(const std::string& title) {
    auto accepted = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                              testkit::sample_request(title), std::string{"c"});
    BOOST_REQUIRE(accepted);
    return accepted->course_id;
  }

  /// The jobs on the stream so far, parsed; waits until there are `n`.
  std::vector<generation_job> jobs_on_stream(size_t n) {
    std::vector<generation_job> out;
    BOOST_REQUIRE(testkit::eventually([&] {
      out.clear();
      for (const auto& [id, flat] : redis.entries(jobs)) {
        stream_fields fields;
        for (size_t i = 0; i + 1 < flat.size(); i += 2) fields.emplace_back(flat[i], flat[i + 1]);
        auto job = parse_generation_job(fields);
        BOOST_REQUIRE_MESSAGE(job, "a job on the stream does not parse");
        out.push_back(*job);
      }
      return out.size() >= n;
    }));
    return out;
  }

  /// What a worker appends after running `job` with the built-in generator.
  void complete(const generation_job& job, const std::string& worker = "w1") {
    auto content = make_builtin_generator()->generate(job.request);
    BOOST_REQUIRE(content);
    generation_result r;
    r.job_id = job.job_id;
    r.course_id = job.course_id;
    r.attempt = job.attempt;
    r.worker = worker;
    r.ok = true;
    r.content_json = to_json(*content).dump();
    r.duration_ms = 5;
    add(r);
  }

  void fail(const generation_job& job, const std::string& error, bool permanent) {
    generation_result r;
    r.job_id = job.job_id;
    r.course_id = job.course_id;
    r.attempt = job.attempt;
    r.worker = "w1";
    r.error = error;
    r.permanent = permanent;
    add(r);
  }

  void add(const generation_result& r) {
    std::vector<std::string> args{"XADD", results, "*"};
    for (const auto& [k, v] : to_fields(r)) {
      args.push_back(k);
      args.push_back(v);
    }
    redis.command(args);
  }

  int64_t count_of(const std::string& course, const std::string& type) {
    int64_t n = 0;
    for (const auto& t : svc.types_of(course)) n += t == type;
    return n;
  }

  int64_t pending() {
    return redis.command({"XPENDING", results, "coursefactory"}).elements.at(0).integer;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(generation_remote, remote_fixture)

BOOST_AUTO_TEST_CASE(a_committed_start_is_a_job_and_a_result_completes_it_once) {
  auto course = ordered("Vom Arbeiter erzeugt");
  auto job = jobs_on_stream(1).at(0);
  auto started = svc.await_event(event_types::generation_started, course, 30s);
  BOOST_REQUIRE(started);
  BOOST_TEST(job.job_id == started->id);
  BOOST_TEST(job.course_id == course);
  BOOST_TEST(job.request.title == "Vom Arbeiter erzeugt");
  complete(job);
  auto done = svc.await_event(event_types::generation_completed, course, 30s);
  BOOST_REQUIRE(done);
  BOOST_TEST(json::parse(done->data)["generator"] == "worker w1");
  BOOST_REQUIRE(svc.await_event(event_types::distribution_completed, course, 30s));
  // The same result again, and a late one from another worker: no effect, acknowledged.
  complete(job);
  complete(job, "w2");
  BOOST_REQUIRE(testkit::eventually([&] { return status->results_stale >= 2; }));
  BOOST_REQUIRE(testkit::eventually([&] { return pending() == 0; }));
  BOOST_TEST(status->results_recorded.load() == 1u);
  BOOST_TEST(count_of(course, event_types::generation_completed) == 1);
  BOOST_TEST(jobs_on_stream(1).size() == 1u); // no generation ran anywhere else
}

BOOST_AUTO_TEST_CASE(a_transient_failure_is_retried_with_a_new_job) {
  auto course = ordered("Erst gescheitert");
  auto first = jobs_on_stream(1).at(0);
  fail(first, "model overloaded", false);
  auto second = jobs_on_stream(2).at(1);
  BOOST_TEST(second.course_id == course);
  BOOST_TEST(second.attempt == 2);
  BOOST_TEST(second.job_id != first.job_id);
  auto failed = svc.await_event(event_types::generation_failed, course, 30s);
  BOOST_REQUIRE(failed);
  auto f = json::parse(failed->data);
  BOOST_TEST(f["error"] == "worker w1: model overloaded");
  BOOST_TEST(f["will_retry"] == true);
  complete(first); // a late result for the first job: stale
  complete(second);
  BOOST_REQUIRE(svc.await_event(event_types::generation_completed, course, 30s));
  BOOST_REQUIRE(testkit::eventually([&] { return pending() == 0; }));
  BOOST_TEST(count_of(course, event_types::generation_completed) == 1);
}

BOOST_AUTO_TEST_CASE(content_that_fails_the_checks_is_a_permanent_failure) {
  auto course = ordered("Kaputter Inhalt");
  auto job = jobs_on_stream(1).at(0);
  generation_result r;
  r.job_id = job.job_id;
  r.course_id = course;
  r.attempt = job.attempt;
  r.worker = "w1";
  r.ok = true;
  r.content_json = R"({"modules":[]})";
  add(r);
  auto failed = svc.await_event(event_types::generation_failed, course, 30s);
  BOOST_REQUIRE(failed);
  auto f = json::parse(failed->data);
  BOOST_TEST(f["error_type"] == "permanent");
  BOOST_TEST(f["will_retry"] == false);
  BOOST_TEST(f["error"].get<std::string>().rfind("worker w1: invalid content", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_result_that_cannot_be_read_goes_to_the_dead_letter_stream) {
  redis.command({"XADD", results, "*", "job_id", "x"});
  BOOST_REQUIRE(testkit::eventually([&] { return status->dead_letters >= 1; }));
  BOOST_REQUIRE(testkit::eventually([&] { return pending() == 0; }));
  auto dead = redis.entries(results + ":dead");
  BOOST_REQUIRE_EQUAL(dead.size(), 1u);
  BOOST_TEST(!testkit::field_of(dead[0].second, "reason").empty());
  // The queue as /metrics shows it: no worker ever came, the job waits.
  ordered("Wartet");
  BOOST_REQUIRE(testkit::eventually([&] { return status->jobs_waiting >= 1; }));
  BOOST_TEST(status->workers_seen.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
