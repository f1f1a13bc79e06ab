// CourseFactory's internals, shared by its two source files: course_factory.cpp (requests,
// local generation, retries, recovery, payments) and course_factory_remote.cpp (results of
// generations that workers ran, generation.mode = redis). Only those two include this.
#pragma once

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "actors/course_factory.hpp"
#include "actors/durable_subscription.hpp"
#include "actors/generation_worker.hpp"

namespace cf::factory_detail {

// Messages CourseFactory sends itself: a scheduled generation retry; committed events it follows.
using factory_impl =
    course_factory_actor::extend<caf::reacts_to<resume_atom, std::string, int32_t, int32_t>,
                                 caf::reacts_to<sweep_atom>, caf::reacts_to<checkpoint_atom>,
                                 caf::reacts_to<notify_atom, std::vector<event>>>;

struct factory_state {
  durable_consumer durable{"course_factory"}; // follows completed payments
  std::set<std::string> keys_in_flight;       // idempotency keys whose request is being processed
  std::set<std::string> generating;           // courses whose generator runs right now
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "course_factory";
};

using factory_pointer = factory_impl::stateful_pointer<factory_state>;

struct context {
  event_log_actor log;
  std::shared_ptr<generator> gen;
  course_factory_settings settings;
};

// course_factory.cpp

/// Appends `events`, then `then(committed)`. On error `failed(err)` when given; failures other
/// than a conflict are logged (the course keeps its state; recovery picks it up).
void record(factory_pointer self, const context& ctx, std::vector<event> events,
            std::function<void(std::vector<event>&)> then = nullptr,
            std::function<void(caf::error&)> failed = nullptr);

/// Records generation attempt `attempt` (started by `started`) as completed with `r`; a free
/// course's distribution is requested in the same commit. `done(none)` once committed, or with
/// the append's error.
void record_generated(factory_pointer self, const context& ctx, const event& started,
                      const course_request& req, int32_t attempt, const generated_course& r,
                      const std::string& generator_name, std::function<void(caf::error)> done);

/// Records generation attempt `attempt` as failed; while transient and the retry policy allows
/// (counting from `first`, the round's first attempt), a retry is scheduled (a new started
/// event at its time). `done` as above.
void record_generation_failed(factory_pointer self, const context& ctx, const event& started,
                              int32_t attempt, int32_t first, std::string message, bool permanent,
                              std::function<void(caf::error)> done);

/// The first attempt of the current round of generation retries: each round (the first, and
/// each user's retry after a final failure) has the whole retry budget, also across restarts.
int32_t round_start(const std::vector<event>& history);

// course_factory_remote.cpp

/// Handles result_atom (see course_factory.hpp).
caf::result<std::string> on_remote_result(factory_pointer self, const context& ctx,
                                          remote_generation g);

} // namespace cf::factory_detail
