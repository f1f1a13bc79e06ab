// The worker's side of the generation streams, against a real redis-server: the group, new and
// reclaimed jobs with their delivery counts, acks, results, dead letters and heartbeats.
#include "bus/generation_queue.hpp"

#include <boost/test/unit_test.hpp>
#include <thread>

#include "tests/testkit/redis_server.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

struct queue_fixture {
  testkit::redis_server redis;
  generation_streams s = streams("w-1");

  static generation_streams streams(const std::string& worker) {
    generation_streams s;
    s.jobs = "t:generation:jobs";
    s.results = "t:generation:results";
    s.worker = worker;
    return s;
  }

  std::unique_ptr<redis_connection> connect() {
    auto c = redis_connection::connect(redis.address(), 5000ms);
    BOOST_REQUIRE(c);
    return std::move(*c);
  }

  std::string add_job(const std::string& n) {
    auto r = redis.command({"XADD", s.jobs, "*", "id", "job-" + n, "data", "{\"n\":" + n + "}"});
    return r.str;
  }

  int64_t pending() {
    auto r = redis.command({"XPENDING", s.jobs, s.group});
    return r.elements.at(0).integer;
  }
};

std::string value_of(const stream_fields& f, const std::string& name) {
  for (const auto& [k, v] : f)
    if (k == name)
      return v;
  return "";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(generation_queue, queue_fixture)

BOOST_AUTO_TEST_CASE(workers_key_replaces_the_last_jobs_part) {
  generation_streams d;
  BOOST_TEST(d.workers() == "coursefactory:generation:workers");
  BOOST_TEST(d.dead_letters() == "coursefactory:generation:jobs:dead");
  d.jobs = "a:jobs:b:jobs";
  BOOST_TEST(d.workers() == "a:jobs:b:workers");
  d.jobs = "queue";
  BOOST_TEST(d.workers() == "queue:workers");
}

BOOST_AUTO_TEST_CASE(the_group_reads_jobs_added_before_and_after_it_exists) {
  auto c = connect();
  auto early = add_job("1");
  BOOST_REQUIRE(!ensure_group(*c, s));
  BOOST_REQUIRE(!ensure_group(*c, s)); // BUSYGROUP is fine
  auto late = add_job("2");
  auto jobs = read_new_jobs(*c, s, 10, 100ms);
  BOOST_REQUIRE(jobs);
  BOOST_REQUIRE_EQUAL(jobs->size(), 2u);
  BOOST_TEST((*jobs)[0].entry_id == early);
  BOOST_TEST((*jobs)[1].entry_id == late);
  BOOST_TEST(value_of((*jobs)[0].fields, "id") == "job-1");
  BOOST_TEST(value_of((*jobs)[1].fields, "data") == "{\"n\":2}");
  BOOST_TEST((*jobs)[0].deliveries == 1);
  auto none = read_new_jobs(*c, s, 10, 50ms);
  BOOST_REQUIRE(none);
  BOOST_TEST(none->empty());
  BOOST_TEST(pending() == 2);
}

BOOST_AUTO_TEST_CASE(count_limits_a_read) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  for (auto n : {"1", "2", "3"}) add_job(n);
  auto jobs = read_new_jobs(*c, s, 2, 50ms);
  BOOST_REQUIRE(jobs);
  BOOST_TEST(jobs->size() == 2u);
  auto rest = read_new_jobs(*c, s, 2, 50ms);
  BOOST_REQUIRE(rest);
  BOOST_TEST(rest->size() == 1u);
}

BOOST_AUTO_TEST_CASE(idle_jobs_are_reclaimed_with_their_delivery_counts) {
  auto a = connect();
  auto b = connect();
  BOOST_REQUIRE(!ensure_group(*a, s));
  auto id = add_job("1");
  BOOST_REQUIRE(read_new_jobs(*a, s, 1, 50ms)->size() == 1u); // w-1 holds it and dies
  auto other = streams("w-2");
  auto fresh = reclaim_jobs(*b, other, 60s, "0-0", 10);
  BOOST_REQUIRE(fresh);
  BOOST_TEST(fresh->jobs.empty()); // not idle long enough
  auto taken = reclaim_jobs(*b, other, 0ms, "0-0", 10);
  BOOST_REQUIRE(taken);
  BOOST_REQUIRE_EQUAL(taken->jobs.size(), 1u);
  BOOST_TEST(taken->jobs[0].entry_id == id);
  BOOST_TEST(value_of(taken->jobs[0].fields, "id") == "job-1");
  BOOST_TEST(taken->jobs[0].deliveries == 2);
  BOOST_TEST(taken->next_cursor == "0-0");
  auto again = reclaim_jobs(*a, s, 0ms, "0-0", 10);
  BOOST_REQUIRE(again);
  BOOST_REQUIRE_EQUAL(again->jobs.size(), 1u);
  BOOST_TEST(again->jobs[0].deliveries == 3);
  auto owner = redis.command({"XPENDING", s.jobs, s.group, "-", "+", "10"});
  BOOST_TEST(owner.elements.at(0).elements.at(1).str == "w-1");
}

BOOST_AUTO_TEST_CASE(a_touched_job_is_not_idle_and_keeps_its_delivery_count) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  auto id = add_job("1");
  BOOST_REQUIRE(read_new_jobs(*c, s, 1, 50ms)->size() == 1u);
  // Idle for a moment as seen by Redis (PEL idle times are in ms): wait until it says so.
  auto idle = [&] {
    return redis.command({"XPENDING", s.jobs, s.group, "-", "+", "1"})
        .elements.at(0)
        .elements.at(2)
        .integer;
  };
  while (idle() < 300) std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE(!touch_job(*c, s, id));
  BOOST_TEST(idle() < 300);
  auto other = streams("w-2");
  auto r = reclaim_jobs(*c, other, 300ms, "0-0", 10);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->jobs.empty());
  auto row = redis.command({"XPENDING", s.jobs, s.group, "-", "+", "1"}).elements.at(0);
  BOOST_TEST(row.elements.at(1).str == "w-1");
  BOOST_TEST(row.elements.at(3).integer == 1);
}

BOOST_AUTO_TEST_CASE(an_acked_job_is_neither_pending_nor_reclaimed) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  auto id = add_job("1");
  BOOST_REQUIRE(read_new_jobs(*c, s, 1, 50ms)->size() == 1u);
  BOOST_REQUIRE(!ack_job(*c, s, id));
  BOOST_TEST(pending() == 0);
  auto r = reclaim_jobs(*c, s, 0ms, "0-0", 10);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->jobs.empty());
}

BOOST_AUTO_TEST_CASE(a_job_deleted_while_pending_is_not_reclaimed) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  auto id = add_job("1");
  BOOST_REQUIRE(read_new_jobs(*c, s, 1, 50ms)->size() == 1u);
  redis.command({"XDEL", s.jobs, id});
  auto r = reclaim_jobs(*c, s, 0ms, "0-0", 10);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->jobs.empty());
}

BOOST_AUTO_TEST_CASE(results_are_appended_in_the_shared_format) {
  auto c = connect();
  generation_result r;
  r.job_id = "job-1";
  r.course_id = "c-1";
  r.attempt = 2;
  r.worker = "w-1";
  r.ok = false;
  r.error = "generator timed out";
  r.duration_ms = 17;
  auto id = add_result(*c, s, r);
  BOOST_REQUIRE(id);
  auto entries = redis.entries(s.results);
  BOOST_REQUIRE_EQUAL(entries.size(), 1u);
  BOOST_TEST(entries[0].first == *id);
  stream_fields f;
  const auto& flat = entries[0].second;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) f.emplace_back(flat[i], flat[i + 1]);
  auto back = parse_generation_result(f);
  BOOST_REQUIRE(back);
  BOOST_TEST(back->job_id == "job-1");
  BOOST_TEST(back->attempt == 2);
  BOOST_TEST(!back->ok);
  BOOST_TEST(!back->permanent);
  BOOST_TEST(back->error == "generator timed out");
}

BOOST_AUTO_TEST_CASE(unusable_jobs_go_to_the_dead_letters_and_are_acked) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  auto id = add_job("1");
  auto jobs = read_new_jobs(*c, s, 1, 50ms);
  BOOST_REQUIRE(jobs && jobs->size() == 1u);
  BOOST_REQUIRE(!dead_letter(*c, s, jobs->front(), "field type is missing"));
  BOOST_TEST(pending() == 0);
  auto dead = redis.entries(s.dead_letters());
  BOOST_REQUIRE_EQUAL(dead.size(), 1u);
  std::vector<std::string> want{
      "reason", "field type is missing", "original_id", id, "id", "job-1", "data", "{\"n\":1}"};
  BOOST_TEST(dead[0].second == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(heartbeats_record_the_last_time_seen) {
  auto c = connect();
  BOOST_REQUIRE(!heartbeat(*c, s, 1700000000123));
  BOOST_REQUIRE(!heartbeat(*c, streams("w-2"), 1700000000456));
  BOOST_TEST(redis.command({"HGET", "t:generation:workers", "w-1"}).str == "1700000000123");
  BOOST_TEST(redis.command({"HGET", "t:generation:workers", "w-2"}).str == "1700000000456");
}

BOOST_AUTO_TEST_CASE(a_stopped_redis_is_storage_unavailable) {
  auto c = connect();
  BOOST_REQUIRE(!ensure_group(*c, s));
  redis.stop();
  auto r = read_new_jobs(*c, s, 1, 50ms);
  BOOST_REQUIRE(!r);
  BOOST_TEST(is(r.error(), errc::storage_unavailable));
  BOOST_TEST(c->broken());
  redis.start();
}

BOOST_AUTO_TEST_SUITE_END()
