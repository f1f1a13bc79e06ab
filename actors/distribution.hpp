// Distribution: publishes enabled courses. For each committed course.distribution.requested it
// runs the requested channels (site, webhook, ...) on a worker thread, retries transient
// failures with backoff, and records course.distribution.completed or .failed. Channel "bus"
// leaves the work to an outside module: the committed (and relayed) requested event is its order,
// and the module's answer, taken from the bus by BusInbound, decides that channel.
#pragma once

#include <caf/typed_actor.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "actors/type_ids.hpp"
#include "channels/channel.hpp"
#include "domain/retry_policy.hpp"

namespace cf {

/// An outside distribution module's answer (from the bus) to an order for channel `bus`: a
/// course.distribution.requested event whose channels name "bus".
struct distribution_answer {
  std::string message_id; ///< The answer's own id: a repeat of it changes nothing.
  std::string course_id;
  std::string request_id; ///< The id of the order (requested event) it answers.
  std::string outcome;    ///< "completed" or "failed".
  std::string url;        ///< completed: where the course is now.
  std::string error;      ///< failed: why.
  std::string scope = "bus";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, distribution_answer& x) {
  return f(caf::meta::type_name("cf.distribution_answer"), x.message_id, x.course_id, x.request_id,
           x.outcome, x.url, x.error, x.scope);
}

using distribution_actor = caf::typed_actor<
    // How many distributions are in progress (running or waiting for a retry).
    caf::replies_to<caf::get_atom>::with<int32_t>,
    // Takes an answer for channel bus. Answered "recorded" once the attempt's outcome (completed,
    // or failed per channel) committed with the answer's id, "duplicate" when that id was
    // recorded before, "ignored" (with why) when no distribution waits for that order (a late
    // answer to an order that timed out, an unknown course). Errors: storage_unavailable,
    // conflict (the course changed meanwhile): the sender should deliver it again later.
    caf::replies_to<answer_atom, distribution_answer>::with<webhook_outcome>>;

struct distribution_settings {
  log_wait log_timeout{caf::infinite};              ///< Per request to EventLog (see there).
  std::chrono::milliseconds channel_timeout{60000}; ///< One attempt over all channels.
  retry_policy retry;
  std::map<std::string, std::shared_ptr<channel>> channels; ///< By name ("site", "webhook").
  std::chrono::seconds sweep_interval{30};                  ///< How often stalled work is sought.
  std::chrono::milliseconds sweep_min_age{10000};           ///< Unchanged this long: stalled.
  /// Channel "bus" (no entry in `channels`): an order without an answer this long fails the
  /// channel (transient: retried with a new order while the retry policy allows).
  std::chrono::milliseconds bus_timeout{300000};
  /// An answer that comes before its order's job is ready waits this long, then is ignored.
  std::chrono::milliseconds early_answer_wait{10000};
  std::chrono::seconds answer_retention{30 * 86400}; ///< How long answer ids are remembered.
};

/// Spawns Distribution. It follows course.distribution.requested in `log` and, when it starts,
/// resumes every course the log shows as distributing.
distribution_actor spawn_distribution(caf::actor_system& sys, event_log_actor log,
                                      distribution_settings s);

} // namespace cf
