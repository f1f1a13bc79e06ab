// Durable subscriptions: the consumer-side tracker, checkpoints committed with effects in the
// store, catch-up from a stored checkpoint in EventLog, and a real consumer (Payment) stopped
// mid-stream and started again, resuming from its checkpoint without losing or doubling effects.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/checkpoint_tracker.hpp"
#include "domain/catalogue.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

// Seqs delivered to a probe subscriber, shared with the test thread.
using delivered = testkit::watched<std::vector<int64_t>>;

subscriber_actor spawn_probe(caf::actor_system& sys, std::shared_ptr<delivered> out) {
  return sys.spawn([out](subscriber_actor::pointer) -> subscriber_actor::behavior_type {
    return {[out](notify_atom, const std::vector<event>& events) {
      out->update([&](std::vector<int64_t>& seqs) {
        for (const auto& e : events) seqs.push_back(e.seq);
      });
    }};
  });
}

size_t count_of(testkit::service_fixture& svc, const std::string& type,
                const std::string& subject) {
  size_t n = 0;
  for (const auto& t : svc.types_of(subject)) n += t == type ? 1 : 0;
  return n;
}

// A channel that is down: every publication fails as transient, and is counted.
class down_channel : public channel {
public:
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  std::string name() const override { return "down"; }
  caf::expected<channel_result> publish(const published_course&) override {
    ++*calls;
    return make_error(errc::channel_transient, "down for the test");
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(checkpoints)

BOOST_AUTO_TEST_CASE(tracker_moves_only_past_finished_events) {
  checkpoint_tracker t{"c"};
  BOOST_TEST(!t.unsaved());
  BOOST_TEST(t.begin(3));
  BOOST_TEST(t.begin(7));
  BOOST_TEST(t.begin(9));
  BOOST_TEST(!t.begin(7));         // being handled: a repeat delivery does nothing
  BOOST_TEST(!t.begin(2));         // older than anything delivered
  BOOST_TEST(t.after(3).seq == 6); // 7 still open
  BOOST_TEST(t.after(7).seq == 2); // 3 still open
  t.finish(7);
  BOOST_TEST(t.unsaved()->seq == 2); // 3 is open: the checkpoint stops before it
  BOOST_TEST(t.after(3).seq == 8);
  t.finish(3);
  BOOST_REQUIRE(t.unsaved());
  BOOST_TEST(t.unsaved()->seq == 8);
  BOOST_TEST(t.unsaved()->consumer == "c");
  t.saved(8);
  BOOST_TEST(!t.unsaved());
  t.retry(9); // failed: open, and handled again on its next delivery
  BOOST_TEST(t.after(9).seq == 9);
  BOOST_TEST(!t.unsaved());
  BOOST_TEST(t.begin(9));
  BOOST_TEST(!t.begin(9));
  t.finish(9);
  BOOST_TEST(t.unsaved()->seq == 9);
  BOOST_TEST(t.open() == 0u);
}

BOOST_AUTO_TEST_CASE(store_commits_checkpoint_with_the_events_or_not_at_all) {
  testkit::temp_dir dir;
  auto opened = sqlite_event_store::open(dir.file("events.db"));
  BOOST_REQUIRE(opened);
  auto& store = **opened;
  BOOST_TEST(*store.load_checkpoint("payment") == 0);
  std::vector<event> first{testkit::stored_event(event_types::generation_started, "c1")};
  checkpoint cp{"payment", 5};
  BOOST_REQUIRE(!store.append(first, nullptr, &cp));
  BOOST_TEST(*store.load_checkpoint("payment") == 5);
  BOOST_TEST(*store.load_checkpoint("courses") == first.front().seq); // the projection's own
  // A conflicting append writes nothing: neither events nor the checkpoint.
  auto clash = testkit::stored_event(event_types::generation_completed, "c1");
  clash.subject_version = 7;
  std::vector<event> second{clash};
  checkpoint later{"payment", 9};
  BOOST_TEST(is(store.append(second, nullptr, &later), errc::conflict));
  BOOST_TEST(*store.load_checkpoint("payment") == 5);
  BOOST_TEST(*store.count() == 1);
  // Checkpoints never move backwards.
  BOOST_TEST(*store.save_checkpoint({"payment", 3}) == 5);
  BOOST_TEST(*store.save_checkpoint({"payment", 12}) == 12);
  BOOST_TEST(is(store.save_checkpoint({"", 1}).error(), errc::invalid_argument));
  auto all = store.checkpoints();
  BOOST_REQUIRE(all);
  // The projection and the three consumers, which a new log starts at 0.
  BOOST_TEST(all->size() == 4u);
}

BOOST_AUTO_TEST_CASE(durable_subscription_resumes_exactly_after_the_checkpoint) {
  testkit::service_fixture svc;
  // Six events of a type nobody else follows, interleaved with others. Catalogue types: the log
  // refuses to read a type this build does not know.
  std::vector<int64_t> wanted;
  for (int i = 0; i < 6; ++i) {
    auto appended = svc.call<std::vector<event>>(
        svc.log(), append_atom::value,
        std::vector<event>{
            testkit::stored_event(event_types::distribution_completed, "p" + std::to_string(i)),
            testkit::stored_event(event_types::payment_failed, "q" + std::to_string(i))});
    BOOST_REQUIRE(appended);
    wanted.push_back(appended->front().seq);
  }
  // The consumer had finished up to the third ping.
  BOOST_REQUIRE(
      svc.call<int64_t>(svc.log(), checkpoint_atom::value, checkpoint{"probe", wanted[2]}));
  auto out = std::make_shared<delivered>();
  auto probe = spawn_probe(svc.sys(), out);
  auto from =
      svc.call<int64_t>(svc.log(), subscribe_atom::value, probe,
                        std::string{event_types::distribution_completed}, std::string{"probe"});
  BOOST_REQUIRE(from);
  BOOST_TEST(*from == wanted[2]);
  // Catch-up delivers the pings after the checkpoint, in order; then live ones follow.
  auto live = svc.call<std::vector<event>>(
      svc.log(), append_atom::value,
      std::vector<event>{testkit::stored_event(event_types::distribution_completed, "p-live")});
  BOOST_REQUIRE(live);
  std::vector<int64_t> expected{wanted[3], wanted[4], wanted[5], live->front().seq};
  BOOST_REQUIRE(out->await([](const std::vector<int64_t>& seqs) { return seqs.size() >= 4; }));
  BOOST_TEST(out->get() == expected, boost::test_tools::per_element());
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(payment_stopped_mid_stream_resumes_from_its_checkpoint) {
  testkit::service_fixture svc;
  std::vector<std::string> before, during;
  for (int i = 0; i < 3; ++i) {
    auto a = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                       testkit::sample_request("Vorher " + std::to_string(i), 1900),
                                       std::string{});
    BOOST_REQUIRE(a);
    before.push_back(a->course_id);
  }
  int64_t last_completed = 0;
  for (const auto& id : before) {
    BOOST_REQUIRE(svc.await_event(event_types::payment_required, id));
    last_completed =
        std::max(last_completed, svc.await_event(event_types::generation_completed, id)->seq);
  }
  // Each payment.required commits the checkpoint known when it was sent; one that came out of
  // order is followed by a checkpoint of its own a moment later.
  BOOST_REQUIRE(svc.await_checkpoint("payment", last_completed));
  auto at_stop = svc.checkpoint_of("payment");
  BOOST_TEST(at_stop == last_completed);

  // Payment stops; courses go on being generated meanwhile.
  {
    caf::scoped_actor self{svc.sys()};
    self->send_exit(svc.payment(), caf::exit_reason::kill);
    self->wait_for(svc.payment());
  }
  for (int i = 0; i < 3; ++i) {
    auto a = svc.call<course_accepted>(
        svc.factory(), create_atom::value,
        testkit::sample_request("Waehrenddessen " + std::to_string(i), 1900), std::string{});
    BOOST_REQUIRE(a);
    during.push_back(a->course_id);
  }
  for (const auto& id : during) {
    auto completed = svc.await_event(event_types::generation_completed, id);
    BOOST_REQUIRE(completed);
    last_completed = std::max(last_completed, completed->seq);
  }
  // No waiting needed to see nothing happen: Payment, the only writer of payment.required and of
  // its checkpoint, is gone (wait_for above), and these courses were created after it went.
  for (const auto& id : during) BOOST_TEST(count_of(svc, event_types::payment_required, id) == 0u);
  BOOST_TEST(svc.checkpoint_of("payment") == at_stop);

  // A new Payment catches up from the checkpoint: the missed courses get their request, the
  // earlier ones no second one.
  auto restarted = spawn_payment(svc.sys(), svc.log());
  for (const auto& id : during)
    BOOST_TEST(svc.await_event(event_types::payment_required, id).has_value());
  // The barrier: the checkpoint passed every completed generation, so each was handled and its
  // effect (if any) committed; a second request for an earlier course would be in the log now.
  BOOST_REQUIRE(svc.await_checkpoint("payment", last_completed));
  BOOST_TEST(svc.checkpoint_of("payment") == last_completed);
  for (const auto& id : before) BOOST_TEST(count_of(svc, event_types::payment_required, id) == 1u);
  for (const auto& id : during) BOOST_TEST(count_of(svc, event_types::payment_required, id) == 1u);
  caf::anon_send_exit(restarted, caf::exit_reason::user_shutdown);
}

// A distribution request delivered again after its first outcome committed (the checkpoint was
// held back by an older request still running when the service died) must not run again as if
// new: its failure already planned a retry at retry_at, with the retry count so far.
BOOST_AUTO_TEST_CASE(a_request_delivered_again_after_its_outcome_waits_for_the_planned_retry) {
  testkit::temp_dir dir;
  auto down = std::make_shared<down_channel>();
  testkit::service_options o;
  o.db_path = dir.file("events.db");
  o.factory.channels = {"down"};
  o.distribution.channels["down"] = down;
  o.distribution.retry.initial_delay = 60s; // the planned retry lies far beyond this test
  o.distribution.retry.max_delay = 60s;
  int64_t requested_seq = 0;
  std::string id;
  {
    testkit::service_fixture svc{o};
    auto a = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                       testkit::sample_request("Verteilt"), std::string{});
    BOOST_REQUIRE(a);
    id = a->course_id;
    auto requested = svc.await_event(event_types::distribution_requested, id);
    BOOST_REQUIRE(requested);
    requested_seq = requested->seq;
    BOOST_REQUIRE(svc.await_event(event_types::distribution_failed, id));
  }
  BOOST_TEST(down->calls->load() == 1);
  {
    SQLite::Database db{o.db_path, SQLite::OPEN_READWRITE};
    db.exec("UPDATE checkpoints SET seq = " + std::to_string(requested_seq - 1)
            + " WHERE consumer = 'distribution'");
  }
  testkit::service_fixture svc{o};
  // The barriers: the checkpoint passed the request delivered again, so Distribution has
  // handled it (had it published as if new, the outcome would have committed with that
  // checkpoint, after the channel's call); and the job it resumed from the log is planned.
  BOOST_REQUIRE(svc.await_checkpoint("distribution", requested_seq));
  BOOST_REQUIRE(testkit::eventually([&] {
    auto jobs = svc.call<int32_t>(svc.distribution(), caf::get_atom::value);
    return jobs && *jobs == 1;
  }));
  BOOST_TEST(down->calls->load() == 1); // not published again before retry_at
  BOOST_TEST(count_of(svc, event_types::distribution_failed, id) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
