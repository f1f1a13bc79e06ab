// Power cuts under the running actors: the in-process service (EventLog, CourseFactory, Payment,
// Distribution; durability = full) over the power-cut VFS (tests/testkit/power_cut_vfs.hpp). Each
// boot orders courses and pays for some (what POST /v1/courses answers 202 for, and the payment
// webhook 200 for), while generations, payment requests and distributions run in the background;
// the power is cut after a random number of writes and syncs; the files are left as a disk could
// have left them. After every cut: every acknowledged event is there at its seq, seq runs
// 1, 2, 3..., the hash chain verifies, SQLite's quick_check passes and the read model equals the
// fold of the log. A last boot without a cut carries every ordered course on to its page.
// CF_POWER_SEED replays the random choices (the actors' timing is not replayed).
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/deep_to_string.hpp>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "domain/catalogue.hpp"
#include "storage/audit.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/power_cut_vfs.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace std::chrono_literals;
using testkit::power_cut_vfs;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int boots = 8;
#else
constexpr int boots = 30;
#endif

// An event a caller was answered for: the 202 of an order, the 200 of a payment webhook.
struct acknowledgement {
  std::string course;
  std::string type;
  int64_t seq = 0;
};

class lifecycle_cuts {
public:
  explicit lifecycle_cuts(uint64_t seed) : seed_(seed), rng_(seed) {
    vfs(); // registered before the first open names it
  }
  ~lifecycle_cuts() { // also after a failed check: the VFS forgets this folder's files
    try {
      vfs().reboot(rng_);
    } catch (const std::exception&) {
    }
  }
  lifecycle_cuts(const lifecycle_cuts&) = delete;
  lifecycle_cuts& operator=(const lifecycle_cuts&) = delete;

  void run(int n) {
    for (boot_ = 1; boot_ <= n; ++boot_) {
      work_until_cut();
      auto report = vfs().reboot(rng_);
      BOOST_TEST_CONTEXT(where() << "\nfiles after the cut:\n" << report) { check_log(); }
    }
    finish_every_course();
  }

  size_t acknowledged() const { return acks_.size(); }

private:
  static power_cut_vfs& vfs() { return power_cut_vfs::instance(); }

  std::string where() const {
    return "power cut " + std::to_string(boot_) + " of the run with seed " + std::to_string(seed_)
           + " (replay the choices: CF_POWER_SEED=" + std::to_string(seed_) + ")";
  }

  testkit::service_options options() const {
    testkit::service_options o;
    o.db_path = path_;
    o.vfs = power_cut_vfs::name;
    return o;
  }

  // The payment webhook for `id` (answered 200 when recorded).
  bool pay(testkit::service_fixture& svc, const std::string& id, std::chrono::milliseconds wait) {
    auto required = svc.await_event(event_types::payment_required, id, wait);
    if (!required)
      return false;
    payment_notice n;
    n.event_id = "evt_" + id;
    n.outcome = "completed";
    n.course_id = id;
    n.payment_id = nlohmann::json::parse(required->data)["payment_id"].get<std::string>();
    n.transaction_id = "pi_" + id;
    n.amount_cents = 4900;
    n.currency = "eur";
    auto o = svc.call<webhook_outcome>(svc.payment(), webhook_atom::value, n);
    if (o && o->result == "recorded")
      acks_.push_back({id, event_types::payment_completed, o->seq});
    return o && o->result != "ignored";
  }

  void work_until_cut() {
    testkit::service_fixture svc{options()};
    vfs().arm(1 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(ops_estimate_)));
    auto ops_before = vfs().ops();
    for (int i = 0; i < 3 && !vfs().is_cut(); ++i) {
      bool priced = rng_() % 2 == 0;
      auto title = "Kurs " + std::to_string(++ordered_);
      auto accepted = svc.call<course_accepted>(svc.factory(), create_atom::value,
                                                testkit::sample_request(title, priced ? 4900 : 0),
                                                std::string{});
      if (!accepted) {
        BOOST_REQUIRE_MESSAGE(vfs().is_cut(), where() << ": " << error_context(accepted.error()));
        break;
      }
      acks_.push_back({accepted->course_id, event_types::generation_started, accepted->seq});
      courses_[accepted->course_id] = priced;
    }
    // Pay for some of the priced courses not paid yet; let the background work run a moment.
    for (auto& [id, priced] : courses_)
      if (priced && !vfs().is_cut() && rng_() % 2 == 0 && pay(svc, id, 2s))
        priced = false;
    if (!vfs().is_cut() && !courses_.empty())
      svc.await_event(event_types::distribution_completed, courses_.rbegin()->first, 500ms);
    if (!vfs().is_cut())
      ops_estimate_ = std::max(ops_estimate_, vfs().ops() - ops_before);
    vfs().cut_now();
  } // the actors stop, the connections close: the "process" died with the power

  // Opens the log through the VFS as the next process would (recovery), checks it, and cuts the
  // power again before closing, so that the WAL is not checkpointed by a clean close: it grows
  // from boot to boot as in a service that never stops, and the checkpointer thread gets cut too.
  void check_log() {
    auto store = check_open_log();
    vfs().cut_now();
    store.reset();
    vfs().reboot(rng_);
  }

  std::unique_ptr<sqlite_event_store> check_open_log() {
    auto opened = sqlite_event_store::open(path_, durability::full, power_cut_vfs::name);
    BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : error_context(opened.error())));
    auto& store = **opened;
    for (const auto& a : acks_) {
      auto page = store.query(event_query{"", "", a.seq - 1, 1});
      BOOST_REQUIRE(page);
      BOOST_REQUIRE_MESSAGE(page->events.size() == 1u && page->events[0].seq == a.seq
                                && page->events[0].subject == a.course
                                && page->events[0].type == a.type,
                            "acknowledged " << a.type << " of " << a.course << " (seq " << a.seq
                                            << ") is not in the log");
    }
    auto head = store.head();
    BOOST_REQUIRE(head);
    auto report = verify_log(path_);
    BOOST_REQUIRE_MESSAGE(report, (report ? "" : error_context(report.error())));
    BOOST_REQUIRE_MESSAGE(report->ok(),
                          "chain broken at " << report->broken_seq << ": " << report->reason);
    BOOST_REQUIRE_EQUAL(report->events, *head); // seq 1..head without a gap
    {
      SQLite::Database db{path_, SQLite::OPEN_READONLY};
      BOOST_REQUIRE_EQUAL(db.execAndGet("PRAGMA quick_check").getString(), "ok");
    }
    // The read model is the fold of the log, course by course.
    std::map<std::string, course_summary> folded;
    for (event_query q{"", "", 0, 1000};;) {
      auto page = store.query(q);
      BOOST_REQUIRE(page);
      for (const auto& e : page->events)
        BOOST_REQUIRE(!apply_event(folded[e.subject], e, nlohmann::json::parse(e.data)));
      if (page->next_after == 0)
        break;
      q.after_seq = page->next_after;
    }
    for (const auto& [id, c] : folded) {
      auto stored = store.summary(id);
      BOOST_REQUIRE_MESSAGE(stored, "course " << id << " missing from the read model");
      BOOST_REQUIRE_EQUAL(caf::deep_to_string(*stored), caf::deep_to_string(c));
    }
    BOOST_REQUIRE_EQUAL(*store.load_checkpoint("courses"), *head);
    return std::move(*opened);
  }

  // Power stays on: every course ordered is carried on to its published page (priced ones once
  // paid), whatever the cuts interrupted.
  void finish_every_course() {
    testkit::service_fixture svc{options()};
    for (auto& [id, priced] : courses_) {
      BOOST_TEST_CONTEXT(where() << ", after the last cut: course " << id) {
        if (priced)
          BOOST_REQUIRE(pay(svc, id, testkit::patience));
        BOOST_TEST(svc.await_event(event_types::distribution_completed, id).has_value());
      }
    }
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  int boot_ = 0;
  testkit::temp_dir dir_;
  std::string path_ = dir_.file("events.db");
  std::vector<acknowledgement> acks_;
  std::map<std::string, bool> courses_; // ordered (202): whether it still waits for a payment
  int ordered_ = 0;
  int64_t ops_estimate_ = 200;
};

} // namespace

BOOST_AUTO_TEST_SUITE(power_cut)

BOOST_AUTO_TEST_CASE(lifecycles_through_the_actors_keep_every_acknowledged_event) {
  const char* env = std::getenv("CF_POWER_SEED");
  uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 15042026;
  lifecycle_cuts run{seed};
  run.run(boots);
  BOOST_TEST_MESSAGE("power_cut lifecycles, seed " << seed << ": " << boots << " cuts, "
                                                   << run.acknowledged() << " acknowledged events");
  BOOST_TEST(run.acknowledged() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
