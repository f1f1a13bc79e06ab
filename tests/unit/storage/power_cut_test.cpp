// Power cuts under the real store (tests/testkit/power_cut_vfs.hpp): course lifecycles are
// appended as the actors append them (single appends with expected subject versions, idempotency
// records, checkpoints moved with the events, group commits of several appends, checkpoints alone,
// WAL checkpoints from a second connection as the checkpointer thread runs them, rebuilds of the
// read model), the power is cut after a random number of writes and syncs (mid-transaction,
// mid-checkpoint, mid-rebuild, or between them), the files are left as a disk could have left
// them, and the store is opened again. Then:
// - durability = full: every acknowledged append is there, byte for byte;
// - durability = normal: what is there is the acknowledged appends in order up to some point, at
//   least every one acknowledged before the last WAL sync (a checkpoint), never a gap or a part of
//   one, nothing reordered;
// - both: at most the one interrupted append besides, whole; seq 1, 2, 3...; the hash chain
//   verifies; PRAGMA quick_check passes; idempotency records and checkpoints are exactly those of
//   the appends found; the read model equals the fold of the events; the store takes appends.
// Seeds: CF_POWER_SEED replays a run (its seed is printed on failure), CF_POWER_CUTS sets how many.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/deep_to_string.hpp>

#include "tests/unit/storage/power_cut_run.hpp"

using namespace cf;
using namespace cf::power_cut_test;

namespace cf::power_cut_test {

void power_cut_run::recover_and_check() {
  auto store = open_store();
  auto base = static_cast<int64_t>(found_.size());
  auto tail = read_log(*store, base);
  auto head = store->head();
  BOOST_REQUIRE(head);
  BOOST_REQUIRE_MESSAGE(*head >= base, "the log lost events that were found after an earlier cut");
  // Which acknowledged commits are there: a prefix of them, each whole and byte for byte.
  size_t at = 0, whole = 0, with_events = 0; // commits whole; of them, up to the last with events
  for (const auto& c : acked_) {
    if (at + c.events.size() > tail.size())
      break;
    bool same = true;
    for (size_t i = 0; i < c.events.size() && same; ++i) {
      auto expected = as_read(c.events[i], base + static_cast<int64_t>(at + i) + 1);
      same = expected.seq == tail[at + i].seq && expected == tail[at + i];
    }
    if (!same)
      break;
    at += c.events.size();
    ++whole;
    if (!c.events.empty())
      with_events = whole;
  }
  if (d_ == durability::full) {
    BOOST_REQUIRE_MESSAGE(whole == acked_.size(), "durability=full lost acknowledged appends: "
                                                      << acked_.size() - whole << " of "
                                                      << acked_.size() << " missing or changed"
                                                      << describe(base, tail));
  } else {
    for (size_t i = whole; i < acked_.size(); ++i)
      BOOST_REQUIRE_MESSAGE(acked_[i].wal_syncs_at >= syncs_at_cut_,
                            "durability=normal lost an append acknowledged before a WAL sync");
  }
  lost_total_ += static_cast<int64_t>(acked_.size() - whole);
  // Besides: nothing, or (when nothing acknowledged is missing) the interrupted append, whole.
  if (at < tail.size()) {
    BOOST_REQUIRE_MESSAGE(whole == acked_.size() && in_flight_,
                          "events found that no append made, or after a lost one");
    BOOST_REQUIRE_EQUAL(tail.size() - at, in_flight_->events.size());
    for (size_t i = 0; i < in_flight_->events.size(); ++i) {
      auto expected = as_read(in_flight_->events[i], base + static_cast<int64_t>(at + i) + 1);
      BOOST_REQUIRE_MESSAGE(expected == tail[at + i], "the interrupted append is changed");
    }
    at = tail.size();
  }
  BOOST_REQUIRE_EQUAL(*head, base + static_cast<int64_t>(tail.size()));
  for (size_t i = 0; i < tail.size(); ++i)
    BOOST_REQUIRE_EQUAL(tail[i].seq, base + static_cast<int64_t>(i) + 1);
  // Checkpoints: the projection's is the head. Payment's moved with the commits found: at least
  // to where those that must be there moved it, at most to where the interrupted one would.
  BOOST_REQUIRE_EQUAL(*store->load_checkpoint("courses"), *head);
  int64_t low = payment_cp_, high = payment_cp_;
  for (size_t i = 0; i < acked_.size(); ++i)
    if (d_ == durability::full || acked_[i].wal_syncs_at < syncs_at_cut_ || i < with_events)
      low = std::max(low, acked_[i].advance);
  for (const auto& c : acked_) high = std::max(high, c.advance);
  if (in_flight_)
    high = std::max(high, in_flight_->advance);
  auto stored_cp = store->load_checkpoint("payment");
  BOOST_REQUIRE(stored_cp);
  BOOST_REQUIRE_MESSAGE(*stored_cp >= low && *stored_cp <= high,
                        "payment checkpoint " << *stored_cp << " not in " << low << ".." << high);
  BOOST_REQUIRE_LE(*stored_cp, *head);
  // The chain and SQLite's own check.
  auto report = verify_log(path_);
  BOOST_REQUIRE_MESSAGE(report, (report ? "" : error_context(report.error())));
  BOOST_REQUIRE_MESSAGE(report->ok(),
                        "chain broken at " << report->broken_seq << ": " << report->reason);
  BOOST_REQUIRE_EQUAL(report->events, *head);
  {
    SQLite::Database db{path_, SQLite::OPEN_READONLY, 2000, power_cut_vfs::name};
    BOOST_REQUIRE_EQUAL(db.execAndGet("PRAGMA quick_check").getString(), "ok");
  }
  // The model from now on: what is on disk.
  std::set<std::string> touched;
  for (const auto& e : tail) touched.insert(e.subject);
  for (const auto& c : acked_)
    for (const auto& e : c.events) touched.insert(e.subject);
  if (in_flight_)
    for (const auto& e : in_flight_->events) touched.insert(e.subject);
  found_.insert(found_.end(), tail.begin(), tail.end());
  for (const auto& s : touched) versions_[s] = 0;
  for (const auto& e : found_)
    if (touched.count(e.subject) != 0)
      versions_[e.subject] = e.subject_version;
  payment_cp_ = *stored_cp;
  acked_.clear();
  in_flight_.reset();
  // Idempotency records: exactly those of the courses whose first event is there.
  for (const auto& s : touched) {
    auto r = store->recall("courses", s, 0);
    BOOST_REQUIRE(r);
    BOOST_REQUIRE_MESSAGE(r->found == (versions_[s] > 0), "idempotency record of " << s);
  }
  check_read_model(*store, touched);
  live_ = std::move(store);
}

void power_cut_run::check_read_model(sqlite_event_store& store,
                                     const std::set<std::string>& subjects) {
  std::map<std::string, course_summary> folded;
  for (const auto& e : found_)
    if (subjects.count(e.subject) != 0)
      BOOST_REQUIRE(!apply_event(folded[e.subject], e, nlohmann::json::parse(e.data)));
  for (const auto& s : subjects) {
    auto stored = store.summary(s);
    if (folded.count(s) == 0) {
      BOOST_REQUIRE_MESSAGE(!stored && is(stored.error(), errc::not_found), "course " << s);
      continue;
    }
    BOOST_REQUIRE_MESSAGE(stored, "course " << s);
    BOOST_REQUIRE_EQUAL(caf::deep_to_string(*stored), caf::deep_to_string(folded[s]));
  }
}

void run_cuts(durability d, uint64_t default_seed, int default_cuts) {
  auto seed = env_number("CF_POWER_SEED", default_seed);
  auto cuts = static_cast<int>(env_number("CF_POWER_CUTS", default_cuts / slowdown));
  power_cut_run run{d, seed};
  run.run(cuts);
  std::string where;
  for (const auto& [kind, n] : run.landed()) where += " " + kind + ": " + std::to_string(n) + ";";
  BOOST_TEST_MESSAGE("power_cut seed " << seed << ": " << cuts << " cuts, "
                                       << run.committed_appends() << " acknowledged commits, "
                                       << run.lost_appends() << " of them lost; cuts during"
                                       << where);
  // The cuts landed inside transactions and checkpoints, not only between them.
  for (const char* kind : {"append", "group commit", "WAL checkpoint"})
    BOOST_TEST(run.landed().count(kind) == 1u, "no cut landed during a " << kind);
}

} // namespace cf::power_cut_test

BOOST_AUTO_TEST_SUITE(power_cut)

BOOST_AUTO_TEST_CASE(durability_full_keeps_every_acknowledged_append_through_power_cuts) {
  run_cuts(durability::full, 20261204, 300);
}

BOOST_AUTO_TEST_CASE(durability_normal_loses_at_most_the_appends_since_the_last_wal_sync) {
  run_cuts(durability::normal, 4122026, 300);
}

BOOST_AUTO_TEST_SUITE_END()
