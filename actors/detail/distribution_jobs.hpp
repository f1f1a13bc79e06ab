// Distribution's internals, shared by its two source files: distribution.cpp (requests, channels,
// outcomes, recovery from the log) and distribution_bus.cpp (channel bus: answers, deadlines).
// Only those two include this.
#pragma once

#include <algorithm>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/channel_publisher.hpp"
#include "actors/distribution.hpp"
#include "actors/durable_subscription.hpp"

namespace cf::distribution_detail {

using distribution_impl =
    distribution_actor::extend<caf::reacts_to<notify_atom, std::vector<event>>,
                               caf::reacts_to<resume_atom, std::string>, caf::reacts_to<sweep_atom>,
                               caf::reacts_to<checkpoint_atom>,
                               // An order's deadline: (course id, order id).
                               caf::reacts_to<expire_atom, std::string, std::string>,
                               // A parked answer's wait is over: (message id).
                               caf::reacts_to<expire_atom, std::string>>;

constexpr const char* bus_channel = "bus";

// An answer taken for channel bus, with the promise to its sender, until its effect commits.
struct held_answer {
  distribution_answer answer;
  caf::typed_response_promise<webhook_outcome> promise;
};

struct job {
  published_course course;
  std::string correlation_id;
  int64_t version = 0;               // the course's version after our last append
  std::vector<std::string> pending;  // channels still to publish to
  std::vector<channel_outcome> done; // channels that succeeded
  int32_t retry_count = 0;
  std::chrono::steady_clock::time_point started;
  event cause; // the delivered request until the job's first outcome commits (seq 0: none)
  // The attempt under way: what the local channels and channel bus reported so far.
  std::optional<std::vector<channel_outcome>> local;
  std::optional<channel_outcome> bus;
  // Channel bus: the order (a committed requested event) the outside module answers; empty
  // while none is out (a retry places a new one). `answer` decided `bus` until it commits.
  std::string bus_order;
  int64_t bus_order_us = 0;
  std::optional<held_answer> answer;
};

inline bool needs_bus(const job& j) {
  return std::find(j.pending.begin(), j.pending.end(), bus_channel) != j.pending.end();
}

struct distribution_state {
  durable_consumer durable{"distribution"}; // follows distribution requests
  std::map<std::string, job> jobs;          // by course id
  std::vector<held_answer> parked;          // answers that came before their order's job
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "distribution";
};

using distribution_pointer = distribution_impl::stateful_pointer<distribution_state>;

// distribution.cpp

/// The attempt under way is over once its local channels and channel bus (when pending)
/// reported: its outcome is recorded.
void maybe_finish(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                  const std::string& course_id);

/// Carries on the last distribution request of a course from the log.
void resume_course(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                   const std::string& course_id);

// distribution_bus.cpp

/// A repeat of an answer already recorded.
webhook_outcome answer_seen_before(const distribution_answer& a);

/// Handles answer_atom: a repeat is a duplicate, else see take_answer there.
caf::result<webhook_outcome> on_answer(distribution_pointer self, event_log_actor log,
                                       const distribution_settings& s, distribution_answer a);

/// The job of `course_id` has an order out: the answers that waited for it are taken.
void adopt_parked(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                  const std::string& course_id);

/// Order `order` of `course_id` is due: without an answer, channel bus failed this attempt.
void on_order_deadline(distribution_pointer self, event_log_actor log,
                       const distribution_settings& s, const std::string& course_id,
                       const std::string& order);

/// A parked answer waited long enough: no job took it.
void on_parked_expiry(distribution_pointer self, const std::string& message_id);

} // namespace cf::distribution_detail
