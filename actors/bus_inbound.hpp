// BusInbound: takes what other modules publish for coursefactory on the bus (a Redis stream read
// with a consumer group) and records it as the matching HTTP path would: a payment result exactly
// as a Stripe webhook (same checks, same states), an answer of a distribution module as the
// outcome of channel bus (Distribution); each deduplicated by the message id in the same
// transaction as its effect. An entry is acknowledged only after its effect committed; one that
// cannot be used (not parseable, an unknown course, not awaiting payment) goes to the dead-letter
// stream `<stream>:dead` with the reason, and is acknowledged: it never blocks the group.
#pragma once

#include <atomic>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/distribution.hpp"
#include "actors/payment.hpp"
#include "actors/type_ids.hpp"
#include "bus/redis_connection.hpp"

namespace cf {

struct bus_inbound_settings {
  redis_address redis;
  std::string stream = "coursefactory:inbound";
  std::string group = "coursefactory";
  std::string consumer;                        ///< Unique per process (app/ derives one).
  std::chrono::milliseconds claim_idle{30000}; ///< Pending this long: taken over (XAUTOCLAIM).
  std::chrono::milliseconds block{200};        ///< One XREADGROUP waits at most this long.
  int32_t batch = 32;                          ///< Entries per read.
  int32_t max_in_flight = 64;                  ///< Entries awaiting Payment's answer at most.
  std::chrono::milliseconds io_timeout{2000};
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds answer_timeout{30000}; ///< For the actor's answer; then retried later.
};

/// Counters for /metrics. Written by the consumer only, read by any thread.
struct bus_inbound_status {
  std::atomic<bool> connected{false};
  std::atomic<uint64_t> received{0};     ///< Entries read (new and reclaimed).
  std::atomic<uint64_t> recorded{0};     ///< Effects committed.
  std::atomic<uint64_t> duplicates{0};   ///< Ids seen before: acknowledged, no effect.
  std::atomic<uint64_t> dead_letters{0}; ///< Entries moved to the dead-letter stream.
  std::atomic<uint64_t> reclaimed{0};    ///< Entries taken over from an idle consumer.
  std::atomic<uint64_t> errors{0};       ///< Failed Redis calls and unanswered effects.
};

using bus_inbound_actor = caf::typed_actor<caf::reacts_to<flush_atom>>;

/// Spawns the consumer on its own thread (Redis calls block). Payments go to `payment`,
/// distribution answers to `distribution` (null: they are dead-lettered).
bus_inbound_actor spawn_bus_inbound(caf::actor_system& sys, payment_actor payment,
                                    distribution_actor distribution, bus_inbound_settings s,
                                    std::shared_ptr<bus_inbound_status> status);

} // namespace cf
