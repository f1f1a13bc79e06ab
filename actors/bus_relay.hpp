// BusRelay: puts every committed event on the shared bus (a Redis stream), exactly once, in
// sequence order, without gaps. The stream keeps the last relayed seq beside it (see
// bus/stream_append.hpp), so a crash between an append and anything we store cannot double an
// entry. The log stays the source of truth: while Redis is away the service works on, the relay
// reconnects with backoff and catches up.
#pragma once

#include <atomic>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "bus/redis_connection.hpp"
#include "domain/bus_format.hpp"

namespace cf {

struct bus_relay_settings {
  redis_address redis;
  std::string stream = "coursefactory:events";
  /// Which events (a type pattern as event_query's; empty: all). With a pattern the stream's
  /// seqs have gaps (see stream_target::gaps_allowed): the generation jobs relay.
  std::string pattern;
  std::string consumer = "bus_relay"; ///< Its checkpoint's name in the log.
  bus_envelope envelope = bus_envelope::cloudevents;
  int64_t maxlen = 0;                         ///< MAXLEN ~ on every append; 0: never trimmed.
  int32_t batch = 256;                        ///< Events per append (one MULTI/EXEC) at most.
  std::chrono::milliseconds io_timeout{2000}; ///< Per Redis call, and to connect.
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds checkpoint_delay{200}; ///< How often the position is stored.
  std::chrono::milliseconds heartbeat{1000};       ///< PING while idle, to notice Redis leave.
  log_wait log_timeout{caf::infinite};
};

/// What the relay tells /v1/health and /metrics. Written by the relay only, read by any thread.
struct bus_relay_status {
  std::atomic<bool> connected{false};
  std::atomic<int64_t> relayed_seq{0};       ///< The last seq on the stream (Redis' own record).
  std::atomic<int64_t> head_seq{0};          ///< The last committed seq the relay has heard of.
  std::atomic<int64_t> oldest_pending_us{0}; ///< Commit time of the first unrelayed event; 0: none.
  std::atomic<uint64_t> relayed_events{0};   ///< Entries this process appended.
  std::atomic<uint64_t> errors{0};           ///< Failed connects and appends.
};

/// The name of the relay's checkpoint in the log (its position, for lag; the stream's own seq
/// key is what decides what gets appended).
inline constexpr const char* bus_relay_consumer = "bus_relay";

using bus_relay_actor = caf::typed_actor<caf::reacts_to<notify_atom, std::vector<event>>>;

/// Spawns the relay on its own thread (Redis calls block). It subscribes to `log` and appends
/// to `s.stream`; `status` is updated as it goes.
bus_relay_actor spawn_bus_relay(caf::actor_system& sys, event_log_actor log, bus_relay_settings s,
                                std::shared_ptr<bus_relay_status> status);

} // namespace cf
