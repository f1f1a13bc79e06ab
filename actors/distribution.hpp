// Distribution: publishes enabled courses. For each committed course.distribution.requested it
// runs the requested channels (site, webhook, ...) on a worker thread, retries transient
// failures with backoff, and records course.distribution.completed or .failed.
#pragma once

#include <caf/typed_actor.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "channels/channel.hpp"
#include "domain/retry_policy.hpp"

namespace cf {

using distribution_actor = caf::typed_actor<
    // How many distributions are in progress (running or waiting for a retry).
    caf::replies_to<caf::get_atom>::with<int32_t>>;

struct distribution_settings {
  log_wait log_timeout{caf::infinite};              ///< Per request to EventLog (see there).
  std::chrono::milliseconds channel_timeout{60000}; ///< One attempt over all channels.
  retry_policy retry;
  std::map<std::string, std::shared_ptr<channel>> channels; ///< By name ("site", "webhook").
  std::chrono::seconds sweep_interval{30};                  ///< How often stalled work is sought.
  std::chrono::milliseconds sweep_min_age{10000};           ///< Unchanged this long: stalled.
};

/// Spawns Distribution. It follows course.distribution.requested in `log` and, when it starts,
/// resumes every course the log shows as distributing.
distribution_actor spawn_distribution(caf::actor_system& sys, event_log_actor log,
                                      distribution_settings s);

} // namespace cf
