// What the append benchmarks share (bench/append_bench.cpp, bench/relay_bench.cpp): the event a
// producer appends, opening the store, and the event-based producer actors that drive EventLog.
// One copy, so that the relay's on/off rows and row 1 of bench/RESULTS.md measure the same load.
#pragma once

#include <algorithm>
#include <atomic>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_request.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/uuid.hpp"

namespace cf::bench {

using clock_type = std::chrono::steady_clock;

inline constexpr const char* factory_source = "/coursefactory/course-factory";

inline double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

inline course_request sample_request() {
  course_request r;
  r.title = "Benchmarking basics";
  r.description = "How to measure a service honestly.";
  r.audiences = {"engineers"};
  r.lesson_count = 1;
  r.user_id = "bench";
  r.amount_cents = 4900;
  r.currency = "EUR";
  return r;
}

/// What CourseFactory stores as course.generation.started for a new course.
inline event started_event(const std::string& course_id) {
  event e;
  e.source = factory_source;
  e.type = event_types::generation_started;
  e.subject = course_id;
  e.subject_version = 1;
  e.correlation_id = make_uuid_v7();
  e.causation_id = e.correlation_id;
  auto req = sample_request();
  e.data = nlohmann::json{
      {"course_id", course_id},
      {"title", req.title},
      {"user_id", req.user_id},
      {"parameters", to_json(req)},
      {"attempt",
       1}}.dump();
  return e;
}

/// Opens (creating and migrating) the store at `path`; says why on failure.
inline std::unique_ptr<sqlite_event_store> open_store(const std::string& path, durability d) {
  auto store = sqlite_event_store::open(path, d);
  if (!store) {
    std::cerr << "bench: cannot open " << path << "\n";
    return nullptr;
  }
  return std::move(*store);
}

/// An actor system sized as the service's: one scheduler thread per core.
inline void size_scheduler(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads",
          static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

/// The counters of a set of producers, shared with them (they outlive no one: see wait()).
struct producer_counts {
  std::atomic<int64_t> appended{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int> running{0};

  /// Blocks until every producer has quit (at its deadline).
  void wait() const {
    while (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
};

/// Spawns `producers` event-based actors on CAF's scheduler, as CourseFactory, Payment and
/// Distribution are: each appends one course.generation.started event of a new course to `log`
/// and sends its next append when the answer arrives (one outstanding each), until `deadline`.
/// No OS thread per producer is woken per answer.
inline std::shared_ptr<producer_counts> spawn_producers(caf::actor_system& sys,
                                                        const event_log_actor& log, int producers,
                                                        clock_type::time_point deadline) {
  auto counts = std::make_shared<producer_counts>();
  counts->running = producers;
  for (int i = 0; i < producers; ++i)
    sys.spawn([=](caf::event_based_actor* self) {
      auto next = std::make_shared<std::function<void()>>();
      *next = [=] {
        if (clock_type::now() >= deadline) {
          self->quit();
          return;
        }
        std::vector<event> one{started_event(make_uuid_v7())};
        self->request(log, caf::infinite, append_atom::value, std::move(one))
            .then(
                [=](std::vector<event>&) {
                  ++counts->appended;
                  (*next)();
                },
                [=](caf::error&) {
                  ++counts->failed;
                  (*next)();
                });
      };
      (*next)();
      // Breaks the self-reference, and counts the producer out once it has really stopped.
      self->attach_functor([next, counts] {
        *next = nullptr;
        --counts->running;
      });
    });
  return counts;
}

} // namespace cf::bench
