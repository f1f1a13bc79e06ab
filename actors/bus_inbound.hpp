// BusInbound: takes what other modules publish for coursefactory on the bus (a Redis stream read
// with a consumer group) and records it as the matching HTTP path would: a payment result exactly
// as a Stripe webhook (same checks, same states), an answer of a distribution module as the
// outcome of channel bus (Distribution); each deduplicated by the message id in the same
// transaction as its effect; in generation.mode = redis also the workers' results stream (each
// result recorded by CourseFactory as a local generation's). An entry is acknowledged only after
// its effect committed; one that cannot be used (not parseable, an unknown course, not awaiting
// payment) goes to the dead-letter stream `<stream>:dead` with the reason, and is acknowledged:
// it never blocks the group.
#pragma once

#include <atomic>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/course_factory.hpp"
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
  /// generation.mode = redis: the workers' results stream, read with the same group (empty:
  /// none), and the jobs stream whose queue /v1/health and /metrics report.
  std::string results_stream;
  std::string jobs_stream;
  std::chrono::milliseconds queue_poll{2000}; ///< How often the jobs queue is looked at.
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
  // generation.mode = redis (see bus/generation_queue.hpp for the keys):
  std::atomic<bool> generation_remote{false}; ///< The results stream is read.
  std::atomic<uint64_t> results_recorded{0};  ///< Worker results that committed their outcome.
  std::atomic<uint64_t> results_stale{0};     ///< Late or repeated results: no effect.
  std::atomic<int64_t> jobs_waiting{-1};      ///< Jobs no worker took yet (-1: unknown).
  std::atomic<int64_t> jobs_in_flight{-1};    ///< Jobs a worker holds (-1: unknown).
  std::atomic<int64_t> workers_seen{-1};      ///< Workers heard from in the last minute.
  std::atomic<int64_t> jobs_reclaimed{-1};    ///< Jobs taken over from quiet workers, all time.

  /// Each worker heard from in the last 10 minutes (at most 100): name -> last heartbeat (Unix
  /// ms). Written by the consumer, read by /metrics: under `mu`.
  std::map<std::string, int64_t> workers_last_seen() const {
    std::lock_guard<std::mutex> guard{mu};
    return last_seen;
  }
  void set_workers_last_seen(std::map<std::string, int64_t> m) {
    std::lock_guard<std::mutex> guard{mu};
    last_seen = std::move(m);
  }

private:
  mutable std::mutex mu;
  std::map<std::string, int64_t> last_seen;
};

using bus_inbound_actor = caf::typed_actor<caf::reacts_to<flush_atom>>;

/// Spawns the consumer on its own thread (Redis calls block). Payments go to `payment`,
/// distribution answers to `distribution` (null: they are dead-lettered), workers' results to
/// `factory` (with s.results_stream).
bus_inbound_actor spawn_bus_inbound(caf::actor_system& sys, payment_actor payment,
                                    distribution_actor distribution, course_factory_actor factory,
                                    bus_inbound_settings s,
                                    std::shared_ptr<bus_inbound_status> status);

} // namespace cf
