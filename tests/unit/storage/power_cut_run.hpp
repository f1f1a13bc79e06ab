// The power-cut run of tests/unit/storage/power_cut_test.cpp (see there): the workload driven
// through the real store between cuts, and what the test knows of the log. Included by that file
// only; the checks after each cut are defined there.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/deep_to_string.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>

#include "domain/catalogue.hpp"
#include "domain/course_state.hpp"
#include "domain/upcast.hpp"
#include "storage/audit.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/power_cut_vfs.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

namespace cf::power_cut_test {

using testkit::power_cut_vfs;

#if defined(__SANITIZE_ADDRESS__)
constexpr int slowdown = 4; // the sanitizer build runs about 3x slower: fewer cuts
#else
constexpr int slowdown = 1;
#endif

inline uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

inline const char* const lifecycle[] = {
    event_types::generation_started,     event_types::generation_completed,
    event_types::payment_required,       event_types::payment_completed,
    event_types::distribution_requested, event_types::distribution_completed};
constexpr int64_t lifecycle_length = 6;

// One transaction: its events (in seq order), the checkpoint it moved, its record.
struct commit {
  std::vector<event> events;
  int64_t advance = 0;       // the "payment" checkpoint it moved to (0: none)
  int64_t wal_syncs_at = -1; // WAL syncs counted when it was acknowledged (-1: found on disk)
};

class power_cut_run {
public:
  power_cut_run(durability d, uint64_t seed) : d_(d), seed_(seed), rng_(seed) {
    vfs(); // registered before the first open names it
  }
  ~power_cut_run() { // also after a failed check: the VFS forgets this run's files
    live_.reset();
    try {
      vfs().reboot(rng_);
    } catch (const std::exception&) {
    }
  }
  power_cut_run(const power_cut_run&) = delete;
  power_cut_run& operator=(const power_cut_run&) = delete;

  // The process that recovers the log is the one that writes on (live_), as in the service: the
  // WAL is never checkpointed by a clean close, it grows from cut to cut until a checkpoint.
  void run(int cuts) {
    for (cut_ = 1; cut_ <= cuts; ++cut_) {
      if (cut_ % 40 == 1)
        start_epoch();
      if (!live_)
        live_ = open_store();
      work();
      power_cut_and_recover("");
    }
    // The store takes appends after all these recoveries, and keeps them through a clean close.
    int64_t before = static_cast<int64_t>(found_.size());
    append_one(*live_, subject_for_next());
    BOOST_TEST_CONTEXT(where()) { BOOST_TEST(*live_->head() == before + 1); }
  }

  int64_t committed_appends() const { return acknowledged_total_; }
  /// Where the cuts landed: in which kind of step, or "idle".
  const std::map<std::string, int>& landed() const { return landed_; }
  int64_t lost_appends() const { return lost_total_; }

private:
  static power_cut_vfs& vfs() { return power_cut_vfs::instance(); }

  std::string where() const {
    return "power cut " + std::to_string(cut_) + " of the run with seed " + std::to_string(seed_)
           + " (replay: CF_POWER_SEED=" + std::to_string(seed_) + ")";
  }

  // A new database every 40 cuts (the log stays small, and cuts land in its creation too).
  void start_epoch() {
    if (live_) { // the last epoch's database: closed, forgotten
      live_.reset();
      vfs().reboot(rng_);
    }
    dir_ = std::make_unique<testkit::temp_dir>();
    path_ = dir_->file("events.db");
    found_.clear();
    acked_.clear();
    in_flight_.reset();
    versions_.clear();
    open_subjects_.clear();
    payment_cp_ = 0;
    if (rng_() % 2 == 0) { // cut while the database is created and migrated
      vfs().arm(1 + static_cast<int64_t>(rng_() % 40));
      auto s = sqlite_event_store::open(path_, d_, power_cut_vfs::name);
      if (s)
        live_ = std::move(*s); // the cut came later
      else
        ++landed_["creating the database"];
      power_cut_and_recover(" (while creating the database)");
    }
  }

  void power_cut_and_recover(const char* when) {
    vfs().cut_now(); // when the work ended first: a cut while idle
    live_.reset();   // the connections go (the "process" died with the power)
    syncs_at_cut_ = vfs().wal_syncs();
    auto report = vfs().reboot(rng_);
    BOOST_TEST_CONTEXT(where() << when << "\nfiles after the cut:\n" << report) {
      recover_and_check();
    }
  }

  std::unique_ptr<sqlite_event_store> open_store() {
    auto s = sqlite_event_store::open(path_, d_, power_cut_vfs::name);
    BOOST_REQUIRE_MESSAGE(s, where() << ": cannot open: " << (s ? "" : error_context(s.error())));
    return std::move(*s);
  }

  std::string subject_for_next() {
    if (open_subjects_.empty() || rng_() % 4 == 0) {
      auto s = "c-" + std::to_string(++subjects_);
      open_subjects_.push_back(s);
      return s;
    }
    return open_subjects_[rng_() % open_subjects_.size()];
  }

  // The subject's next lifecycle event, as the actors write it (deterministic ids and times).
  event next_event(const std::string& subject) {
    auto version = versions_[subject] + 1;
    event e;
    char id[40];
    ++events_made_;
    std::snprintf(id, sizeof id, "01890000-0000-7000-8000-%012llu",
                  static_cast<unsigned long long>(events_made_));
    e.id = id;
    e.source = "/test/power-cut";
    e.type = lifecycle[(version - 1) % lifecycle_length];
    e.subject = subject;
    e.subject_version = version;
    e.time_us = 1'700'000'000'000'000 + events_made_;
    e.correlation_id = subject;
    e.causation_id = "cause";
    nlohmann::json data{{"course_id", subject}};
    if (e.type == std::string{event_types::generation_started}) {
      data["title"] = "Kurs " + subject;
      data["user_id"] = "u-1";
      data["attempt"] = 1;
      data["parameters"] = {{"language", "de"},
                            {"dry_run", false},
                            {"price", {{"amount_cents", 4900}, {"currency", "EUR"}}}};
    } else if (e.type == std::string{event_types::generation_completed}) {
      // Contents from a few bytes to three pages: overflow pages, torn across pages.
      data["content"] = std::string(rng_() % 12000, static_cast<char>('a' + rng_() % 26));
    } else if (e.type == std::string{event_types::payment_required}) {
      data["payment_id"] = "pay-" + subject;
      data["expires_at"] = "2030-01-01T00:00:00Z";
    } else if (e.type == std::string{event_types::distribution_completed}) {
      data["url"] = "/courses/" + subject + "/";
    } else {
      data["attempt"] = 1;
    }
    e.data = data.dump();
    return e;
  }

  static idempotency_record record_for(const std::string& subject) {
    return {"courses", subject, "fingerprint", "{\"course_id\":\"" + subject + "\"}", 0, 0, false};
  }

  // The log's head as far as the test knows: what was found plus what was acknowledged since.
  int64_t known_head() const {
    auto n = static_cast<int64_t>(found_.size());
    for (const auto& c : acked_) n += static_cast<int64_t>(c.events.size());
    return n;
  }

  // The "payment" checkpoint moves to the known head (never backwards, as the store keeps it).
  int64_t next_advance() const {
    int64_t cp = payment_cp_;
    for (const auto& c : acked_) cp = std::max(cp, c.advance);
    return std::max(cp, known_head());
  }

  void acknowledged(commit c) {
    for (const auto& e : c.events) versions_[e.subject] = e.subject_version;
    c.wal_syncs_at = vfs().wal_syncs();
    acked_.push_back(std::move(c));
    ++acknowledged_total_;
  }

  void append_one(sqlite_event_store& store, const std::string& subject) {
    commit c;
    c.events.push_back(next_event(subject));
    idempotency_record rec = record_for(subject);
    bool remember = c.events[0].subject_version == 1;
    checkpoint cp{"payment", next_advance()};
    bool advance = rng_() % 3 == 0;
    if (advance)
      c.advance = cp.seq;
    auto err = store.append(c.events, remember ? &rec : nullptr, advance ? &cp : nullptr);
    if (!err)
      return acknowledged(std::move(c));
    BOOST_REQUIRE_MESSAGE(vfs().is_cut(),
                          where() << ": append failed without a cut: " << error_context(err));
    in_flight_ = std::move(c);
  }

  // Group commit as EventLog does it: several appends (distinct subjects) in one transaction.
  void append_batch(sqlite_event_store& store) {
    std::vector<append_request> batch;
    std::set<std::string> used;
    auto n = 2 + rng_() % 5;
    for (size_t i = 0; i < n; ++i) {
      auto subject = subject_for_next();
      if (!used.insert(subject).second)
        continue;
      append_request r;
      r.events.push_back(next_event(subject));
      if (r.events[0].subject_version == 1)
        r.remember = record_for(subject);
      batch.push_back(std::move(r));
    }
    auto err = store.append_batch(batch);
    commit c;
    for (auto& r : batch) {
      BOOST_REQUIRE_MESSAGE(err || !r.result, where() << ": " << error_context(r.result));
      c.events.insert(c.events.end(), r.events.begin(), r.events.end());
    }
    if (!err)
      return acknowledged(std::move(c));
    BOOST_REQUIRE_MESSAGE(vfs().is_cut(),
                          where() << ": batch failed without a cut: " << error_context(err));
    in_flight_ = std::move(c);
  }

  void save_checkpoint(sqlite_event_store& store) {
    commit c;
    c.advance = next_advance();
    auto r = store.save_checkpoint({"payment", c.advance});
    if (r)
      return acknowledged(std::move(c));
    BOOST_REQUIRE_MESSAGE(vfs().is_cut(), where() << ": " << error_context(r.error()));
    in_flight_ = std::move(c);
  }

  // A WAL checkpoint from a second connection, as storage/wal_checkpointer.cpp runs it (PASSIVE),
  // or one that also starts the WAL over (TRUNCATE).
  void wal_checkpoint() {
    try {
      SQLite::Database db{path_, SQLite::OPEN_READWRITE, 2000, power_cut_vfs::name};
      db.exec(rng_() % 2 == 0 ? "PRAGMA wal_checkpoint(PASSIVE)"
                              : "PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const SQLite::Exception& ex) {
      BOOST_REQUIRE_MESSAGE(vfs().is_cut(), where() << ": WAL checkpoint: " << ex.what());
    }
  }

  void work() {
    auto& store = live_;
    in_flight_.reset();
    // The cut lands after 1 to ~1.2x the operations a boot of this length took so far.
    int steps = 1 + static_cast<int>(rng_() % 30);
    auto estimate = static_cast<int64_t>(ops_per_step_ * steps * 1.2) + 1;
    vfs().arm(1 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(estimate)));
    auto ops_before = vfs().ops();
    int done = 0;
    for (; done < steps && !vfs().is_cut(); ++done) {
      auto pick = rng_() % 100;
      const char* kind = "append";
      if (pick < 55) {
        append_one(*store, subject_for_next());
      } else if (pick < 80) {
        kind = "group commit";
        append_batch(*store);
      } else if (pick < 87) {
        kind = "checkpoint save";
        save_checkpoint(*store);
      } else if (pick < 97) {
        kind = "WAL checkpoint";
        wal_checkpoint();
      } else {
        kind = "rebuild";
        if (auto r = store->rebuild(); !r)
          BOOST_REQUIRE_MESSAGE(vfs().is_cut(), where()
                                                    << ": rebuild: " << error_context(r.error()));
      }
      if (vfs().is_cut())
        ++landed_[kind];
    }
    if (!vfs().is_cut())
      ++landed_["idle"];
    if (done > 0)
      ops_per_step_ = 0.8 * ops_per_step_ + 0.2 * double(vfs().ops() - ops_before) / done;
  }

  std::vector<event> read_log(sqlite_event_store& store, int64_t after) {
    std::vector<event> out;
    event_query q{"", "", after, 1000};
    for (;;) {
      auto page = store.query(q);
      BOOST_REQUIRE_MESSAGE(page, where()
                                      << ": query: " << (page ? "" : error_context(page.error())));
      out.insert(out.end(), page->events.begin(), page->events.end());
      if (page->next_after == 0)
        return out;
      q.after_seq = page->next_after;
    }
  }

  // `e` as the store reads it back at `seq` (upcast to its type's current schema version).
  static event as_read(event e, int64_t seq) {
    e.seq = seq;
    if (auto err = upcast(e))
      BOOST_FAIL("cannot upcast " << e.type << ": " << error_context(err));
    return e;
  }

  // What was acknowledged and what was found (for failure messages).
  std::string describe(int64_t base, const std::vector<event>& tail) const {
    std::string out = "\nfound after seq " + std::to_string(base) + ": "
                      + std::to_string(tail.size()) + " events; acknowledged since the last cut:";
    for (const auto& c : acked_) {
      out += "\n  commit of " + std::to_string(c.events.size()) + " events";
      if (!c.events.empty())
        out += " from seq " + std::to_string(c.events[0].seq);
      out += ", acknowledged after WAL sync " + std::to_string(c.wal_syncs_at);
    }
    if (!acked_.empty() && !acked_[0].events.empty() && !tail.empty()) {
      auto expected = as_read(acked_[0].events[0], base + 1);
      out += "\nfirst expected: " + caf::deep_to_string(expected).substr(0, 600)
             + "\nfirst found:    " + caf::deep_to_string(tail[0]).substr(0, 600);
    }
    return out + "\nWAL syncs before the cut: " + std::to_string(syncs_at_cut_);
  }

  void recover_and_check();
  void check_read_model(sqlite_event_store& store, const std::set<std::string>& subjects);

  durability d_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  int cut_ = 0;
  std::unique_ptr<testkit::temp_dir> dir_;
  std::unique_ptr<sqlite_event_store> live_; // open from recovery to the next cut
  std::string path_;
  std::vector<event> found_;        // the log as last recovered (durable from then on)
  std::vector<commit> acked_;       // acknowledged since the last reboot
  std::optional<commit> in_flight_; // the one the cut interrupted
  std::map<std::string, int64_t> versions_;
  std::vector<std::string> open_subjects_;
  int64_t payment_cp_ = 0;
  int64_t subjects_ = 0;
  uint64_t events_made_ = 0;
  double ops_per_step_ = 10;
  int64_t syncs_at_cut_ = 0;
  std::map<std::string, int> landed_;
  int64_t acknowledged_total_ = 0;
  int64_t lost_total_ = 0;
};

} // namespace cf::power_cut_test
