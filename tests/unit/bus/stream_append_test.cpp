// The Redis adapter and the exactly-once appender, against a real redis-server.
#include "bus/stream_append.hpp"

#include <boost/test/unit_test.hpp>

#include "bus/redis_connection.hpp"
#include "tests/testkit/redis_server.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

std::vector<stream_entry> entries(int64_t from, int64_t to) {
  std::vector<stream_entry> out;
  for (auto s = from; s <= to; ++s)
    out.push_back({s, {{"seq", std::to_string(s)}, {"data", "{\"n\":" + std::to_string(s) + "}"}}});
  return out;
}

std::vector<std::string> seqs_on(const testkit::redis_server& r, const std::string& stream) {
  std::vector<std::string> out;
  for (const auto& [id, fields] : r.entries(stream))
    out.push_back(testkit::field_of(fields, "seq"));
  return out;
}

std::unique_ptr<redis_connection> connect_to(const testkit::redis_server& r) {
  auto conn = redis_connection::connect(r.address(), 5000ms);
  BOOST_REQUIRE(conn);
  return std::move(*conn);
}

struct connected {
  testkit::redis_server redis;
  std::unique_ptr<redis_connection> c = connect_to(redis);
  stream_target target{"t:events", "t:events:seq", 0};
  /// Appends `batch` with a fresh appender on c (as after a reconnect).
  caf::expected<int64_t> append_after(const std::vector<stream_entry>& batch) {
    auto a = stream_appender::start(*c, target);
    if (!a)
      return a.error();
    return a->append(batch);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(bus)

BOOST_AUTO_TEST_CASE(redis_urls_are_parsed_and_bad_ones_named) {
  auto a = parse_redis_url("redis://127.0.0.1:6380/2");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->host == "127.0.0.1");
  BOOST_TEST(a->port == 6380);
  BOOST_TEST(a->db == 2);
  auto d = parse_redis_url("redis://cache.local");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->port == 6379);
  BOOST_TEST(d->db == 0);
  for (std::string bad : {"http://x", "redis://", "redis://h:0", "redis://h:70000", "redis://h:x",
                          "redis://h/db", "redis://u:p@h", "redis://h:6379/"}) {
    auto r = parse_redis_url(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(!r);
    BOOST_TEST(is(r.error(), errc::invalid_argument));
  }
}

BOOST_FIXTURE_TEST_CASE(a_batch_sent_twice_is_appended_once, connected) {
  auto first = append_after(entries(1, 3));
  BOOST_REQUIRE(first);
  BOOST_TEST(*first == 3);
  auto again = append_after(entries(1, 3));
  BOOST_REQUIRE(again);
  BOOST_TEST(*again == 3);
  auto overlap = append_after(entries(2, 5)); // 2 and 3 are there already
  BOOST_REQUIRE(overlap);
  BOOST_TEST(*overlap == 5);
  std::vector<std::string> want{"1", "2", "3", "4", "5"};
  BOOST_TEST(seqs_on(redis, "t:events") == want, boost::test_tools::per_element());
  auto last = last_appended_seq(*c, target);
  BOOST_REQUIRE(last);
  BOOST_TEST(*last == 5);
  // Fields arrive in order, byte for byte.
  auto e = redis.entries("t:events").front().second;
  std::vector<std::string> fields{"seq", "1", "data", "{\"n\":1}"};
  BOOST_TEST(e == fields, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_batch_that_would_leave_a_gap_appends_nothing, connected) {
  BOOST_REQUIRE(append_after(entries(1, 2)));
  auto gap = append_after(entries(4, 6));
  BOOST_REQUIRE(!gap);
  BOOST_TEST(is(gap.error(), errc::conflict));
  BOOST_TEST(error_context(gap.error()).find("GAP") != std::string::npos);
  std::vector<std::string> want{"1", "2"};
  BOOST_TEST(seqs_on(redis, "t:events") == want, boost::test_tools::per_element());
  BOOST_TEST(*last_appended_seq(*c, target) == 2);
}

BOOST_FIXTURE_TEST_CASE(a_batch_with_a_gap_or_out_of_order_inside_appends_nothing, connected) {
  BOOST_REQUIRE(append_after(entries(1, 2)));
  auto gap = entries(3, 3);
  gap.push_back(entries(5, 5).front());
  auto refused = append_after(gap);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(is(refused.error(), errc::conflict));
  auto backwards = entries(4, 4);
  backwards.insert(backwards.begin(), entries(5, 5).front()); // 5, 4: 5 follows 2
  target.gaps_allowed = true; // a stream of some types: gaps fine, disorder not
  BOOST_TEST(is(append_after(backwards).error(), errc::conflict));
  BOOST_TEST(seqs_on(redis, "t:events").size() == 2u);
  BOOST_TEST(redis.command({"GET", "t:events:seq"}).str == "2");
  auto with_gaps = append_after(gap); // 3, 5
  BOOST_REQUIRE(with_gaps);
  BOOST_TEST(*with_gaps == 5);
}

// An XADD can fail inside the EXEC on a real stream too: another writer took the largest
// possible id, so no later id exists. The guard sees that the stream's last entry is not the
// batch's and keeps the seq: nothing is skipped once the stream is repaired.
BOOST_FIXTURE_TEST_CASE(a_failed_xadd_inside_the_transaction_keeps_the_seq, connected) {
  BOOST_REQUIRE(append_after(entries(1, 2)));
  redis.command({"XADD", "t:events", "18446744073709551615-18446744073709551615", "seq", "x"});
  auto refused = append_after(entries(3, 4));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(is(refused.error(), errc::conflict));
  BOOST_TEST(redis.command({"GET", "t:events:seq"}).str == "2");
  redis.command({"XDEL", "t:events", "18446744073709551615-18446744073709551615"});
  redis.command({"DEL", "t:events"}); // the only way back from the largest id
  auto again = append_after(entries(3, 4));
  BOOST_REQUIRE(again);
  std::vector<std::string> want{"3", "4"};
  BOOST_TEST(seqs_on(redis, "t:events") == want, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(maxlen_trims_the_stream_approximately, connected) {
  target.maxlen = 10;
  for (int64_t s = 1; s <= 1000; s += 100) BOOST_REQUIRE(append_after(entries(s, s + 99)));
  auto len = redis.command({"XLEN", "t:events"}).integer;
  BOOST_TEST(len >= 10);
  BOOST_TEST(len < 1000); // MAXLEN ~ trims whole radix-tree nodes (100 entries by default)
  BOOST_TEST(*last_appended_seq(*c, target) == 1000);
}

// The crash case with two processes: an appender that still believes the stream ends at 3 (it
// appended 1-3, then another relay on the same stream appended 4-5) sends 4-6. The other
// relay's SET moved the watched key, so its EXEC appends nothing, and it appends only 6 on what
// it then reads; a stale appender never doubles an entry.
BOOST_FIXTURE_TEST_CASE(a_stale_appender_doubles_nothing_another_one_appended, connected) {
  auto stale = stream_appender::start(*c, target);
  BOOST_REQUIRE(stale);
  BOOST_REQUIRE(stale->append(entries(1, 3)));
  auto other_conn = connect_to(redis);
  auto other = stream_appender::start(*other_conn, target);
  BOOST_REQUIRE(other);
  BOOST_TEST(other->last() == 3);
  BOOST_REQUIRE(other->append(entries(4, 5)));
  BOOST_TEST(stale->last() == 3); // it has not heard of 4-5
  auto last = stale->append(entries(4, 6));
  BOOST_REQUIRE(last);
  BOOST_TEST(*last == 6);
  std::vector<std::string> want{"1", "2", "3", "4", "5", "6"};
  BOOST_TEST(seqs_on(redis, "t:events") == want, boost::test_tools::per_element());
  auto again = other->append(entries(5, 6)); // and the other way round: 6 is there already
  BOOST_REQUIRE(again);
  BOOST_TEST(*again == 6);
  BOOST_TEST(seqs_on(redis, "t:events").size() == 6u);
}

// Every XADD into a key of another type fails inside the EXEC while the SET of the seq would
// go through (a Redis transaction does not roll back): the appender refuses before, and the seq
// stays where it was.
BOOST_FIXTURE_TEST_CASE(a_stream_key_of_another_type_is_refused_and_the_seq_kept, connected) {
  redis.command({"SET", "t:events", "not a stream"});
  auto a = stream_appender::start(*c, target);
  BOOST_REQUIRE(!a);
  BOOST_TEST(is(a.error(), errc::conflict));
  BOOST_TEST(error_context(a.error()).find("not a stream") != std::string::npos);
  redis.command({"DEL", "t:events"});
  auto b = stream_appender::start(*c, target);
  BOOST_REQUIRE(b);
  BOOST_REQUIRE(b->append(entries(1, 2)));
  redis.command({"DEL", "t:events"}); // changed behind the appender's back, after its TYPE
  redis.command({"SET", "t:events", "not a stream"});
  auto refused = b->append(entries(3, 4));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(is(refused.error(), errc::conflict));
  BOOST_TEST(redis.command({"GET", "t:events:seq"}).str == "2");
}

BOOST_AUTO_TEST_CASE(an_absent_or_vanished_server_is_storage_unavailable) {
  redis_address addr;
  {
    testkit::redis_server r;
    addr = r.address();
    auto c = redis_connection::connect(addr, 2000ms);
    BOOST_REQUIRE(c);
    r.stop();
    auto after = (*c)->command({"PING"});
    BOOST_REQUIRE(!after);
    BOOST_TEST(is(after.error(), errc::storage_unavailable));
    BOOST_TEST((*c)->broken());
  }
  auto none = redis_connection::connect(addr, 2000ms);
  BOOST_REQUIRE(!none);
  BOOST_TEST(is(none.error(), errc::storage_unavailable));
}

BOOST_FIXTURE_TEST_CASE(a_redis_error_reply_is_invalid_argument, connected) {
  auto r = c->command({"NOSUCHCOMMAND"});
  BOOST_REQUIRE(!r);
  BOOST_TEST(is(r.error(), errc::invalid_argument));
  BOOST_TEST(!c->broken());
  BOOST_TEST(c->command({"PING"})->str == "PONG");
}

BOOST_FIXTURE_TEST_CASE(a_pipeline_answers_each_command_in_order_errors_as_values, connected) {
  std::string key = "t:k";
  auto r = c->pipeline({{"SET", key, "1"}, {"NOSUCHCOMMAND"}, {"INCR", key}, {"GET", key}});
  BOOST_REQUIRE(r);
  BOOST_REQUIRE(r->size() == 4u);
  BOOST_TEST((*r)[0].str == "OK");
  BOOST_TEST(((*r)[1].type == redis_value::kind::error));
  BOOST_TEST((*r)[2].integer == 2);
  BOOST_TEST((*r)[3].str == "2");
  BOOST_TEST(!c->broken());
}

BOOST_AUTO_TEST_SUITE_END()
