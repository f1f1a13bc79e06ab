// BusRelay behaviour. It pulls committed events from the log after the stream's last seq, page by
// page, and appends each page exactly once (bus/stream_append.hpp). A live notification from the
// log that follows the stream's last seq is appended as it came; any other only rings the bell
// (its events are not kept), so memory stays bounded however long Redis is away.
#include "actors/bus_relay.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <optional>

#include "bus/stream_append.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"

namespace cf {

namespace {

// resume: the reconnect chain (one at a time, from disconnect); sweep: the idle heartbeat (one
// at a time, armed by connect); flush: the next page; checkpoint: store the position.
using bus_relay_impl =
    bus_relay_actor::extend<caf::reacts_to<resume_atom>, caf::reacts_to<flush_atom>,
                            caf::reacts_to<checkpoint_atom>, caf::reacts_to<sweep_atom>>;

struct bus_relay_state {
  bus_relay_settings cfg;
  std::shared_ptr<bus_relay_status> status;
  event_log_actor log;
  stream_target target;
  std::unique_ptr<redis_connection> redis; ///< null while disconnected
  std::optional<stream_appender> appender; ///< on `redis`; empty while disconnected
  int64_t relayed = 0;                     ///< The stream's last seq, as Redis last said.
  int64_t saved = 0;                       ///< The checkpoint stored in the log.
  bool pulling = false;                    ///< A page is being read or appended.
  bool saving = false;                     ///< A checkpoint_atom to self is on its way.
  bool heartbeat_armed = false;            ///< A sweep_atom to self is on its way.
  std::chrono::milliseconds backoff;       ///< Before the next connect attempt.
  static inline const char* name = "bus_relay";
};

using bus_relay_pointer = bus_relay_impl::stateful_pointer<bus_relay_state>;

void pull(bus_relay_pointer self);

void disconnect(bus_relay_pointer self, const caf::error& why) {
  auto& st = self->state;
  st.appender.reset();
  st.redis.reset();
  st.pulling = false;
  st.status->connected = false;
  ++st.status->errors;
  log_event(log_level::warn, "bus_relay", "redis unavailable, retrying",
            {{"error", error_context(why)}, {"retry_ms", st.backoff.count()}});
  self->delayed_send(self, st.backoff, resume_atom::value);
  st.backoff = std::min(st.backoff * 2, st.cfg.reconnect_max);
}

/// Connects and reads the stream's last seq (watching it): where relaying resumes.
void connect(bus_relay_pointer self) {
  auto& st = self->state;
  auto c = redis_connection::connect(st.cfg.redis, st.cfg.io_timeout);
  if (!c)
    return disconnect(self, c.error());
  auto appender = stream_appender::start(**c, st.target);
  if (!appender)
    return disconnect(self, appender.error());
  auto last = appender->last();
  if (last > st.status->head_seq.load()) // appending would skip this log's events up to last
    return disconnect(
        self, make_error(errc::conflict, st.target.seq_key + " holds seq " + std::to_string(last)
                                             + ", past this log's head "
                                             + std::to_string(st.status->head_seq.load())
                                             + ": another log writes to the stream, or this log "
                                               "was restored from an older copy"));
  st.redis = std::move(*c);
  st.appender = std::move(*appender);
  st.relayed = last;
  st.backoff = st.cfg.reconnect_initial;
  st.status->relayed_seq = st.relayed;
  st.status->connected = true;
  log_event(log_level::info, "bus_relay", "relaying",
            {{"stream", st.target.stream}, {"after_seq", st.relayed}});
  if (!st.heartbeat_armed) {
    st.heartbeat_armed = true;
    self->delayed_send(self, st.cfg.heartbeat, sweep_atom::value);
  }
  pull(self);
}

void save_soon(bus_relay_pointer self) {
  auto& st = self->state;
  if (st.saving || st.relayed <= st.saved)
    return;
  st.saving = true;
  self->delayed_send(self, st.cfg.checkpoint_delay, checkpoint_atom::value);
}

/// Appends `events` (in seq order) past the stream's last seq. False: disconnected.
bool append_events(bus_relay_pointer self, const std::vector<event>& events) {
  auto& st = self->state;
  st.status->oldest_pending_us = events.front().time_us;
  std::vector<stream_entry> batch;
  batch.reserve(events.size());
  for (const auto& e : events) batch.push_back({e.seq, bus_fields(e, st.cfg.envelope)});
  auto last = st.appender->append(batch);
  if (!last) {
    disconnect(self, last.error());
    return false;
  }
  st.status->relayed_events += static_cast<uint64_t>(std::max<int64_t>(0, *last - st.relayed));
  st.relayed = *last;
  st.status->relayed_seq = st.relayed;
  st.status->head_seq = std::max(st.status->head_seq.load(), st.relayed);
  st.status->oldest_pending_us = 0;
  save_soon(self);
  return true;
}

/// Appends `page` and goes on with the next one while pages come full.
void relay_page(bus_relay_pointer self, const event_page& page) {
  auto& st = self->state;
  if (page.events.empty() || !append_events(self, page.events)) {
    st.pulling = false;
    st.status->oldest_pending_us = 0;
    return;
  }
  if (page.next_after != 0) {
    st.status->oldest_pending_us = page.events.back().time_us; // more follow
    self->send(self, flush_atom::value); // the next page, after what else is queued
  } else if (st.status->head_seq > st.relayed) {
    // Commits rang while this page was read (pull ignores the bell then): read on.
    self->send(self, flush_atom::value);
  } else {
    st.pulling = false;
  }
}

/// Reads the page after the stream's last seq from the log and relays it.
void pull(bus_relay_pointer self) {
  auto& st = self->state;
  if (!st.redis || st.pulling)
    return;
  st.pulling = true;
  event_query q{st.cfg.pattern, "", st.relayed, st.cfg.batch};
  self->request(st.log, st.cfg.log_timeout, query_atom::value, q)
      .then([self](event_page& page) { relay_page(self, page); },
            [self](caf::error& err) {
              ++self->state.status->errors;
              log_event(log_level::warn, "bus_relay", "cannot read the log, retrying",
                        {{"error", self->system().render(err)}});
              self->delayed_send(self, self->state.cfg.reconnect_max, flush_atom::value);
            });
}

bus_relay_impl::behavior_type bus_relay(bus_relay_pointer self, event_log_actor log,
                                        bus_relay_settings cfg,
                                        std::shared_ptr<bus_relay_status> status) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.status = std::move(status);
  st.log = std::move(log);
  st.target = {st.cfg.stream, st.cfg.stream + ":seq", st.cfg.maxlen, !st.cfg.pattern.empty()};
  st.backoff = st.cfg.reconnect_initial;
  // The bell: live commits only (after = -1); what to relay is read from the log itself.
  self->request(st.log, st.cfg.log_timeout, subscribe_atom::value,
                caf::actor_cast<subscriber_actor>(self), st.cfg.pattern, int64_t{-1})
      .then(
          [self](int64_t head) {
            self->state.status->head_seq = head;
            connect(self);
          },
          [self](caf::error& err) {
            log_event(log_level::error, "bus_relay", "cannot subscribe",
                      {{"error", self->system().render(err)}});
            self->quit(err);
          });
  return {
      [self](notify_atom, const std::vector<event>& events) {
        auto& st = self->state;
        if (events.empty())
          return;
        st.status->head_seq = std::max(st.status->head_seq.load(), events.back().seq);
        // Caught up and these follow the stream's last seq: append them as they came, without
        // reading them back from the log (EventLog's one thread is the service's bottleneck).
        // Anything else (behind, a gap, disconnected) reads the log instead.
        if (st.redis && !st.pulling && st.cfg.pattern.empty()
            && events.front().seq == st.relayed + 1)
          append_events(self, events);
        else if (events.back().seq > st.relayed)
          pull(self);
      },
      [self](resume_atom) {
        if (!self->state.redis)
          connect(self);
      },
      [self](sweep_atom) {
        // Connected and idle: a PING notices a Redis that went away while nothing was relayed,
        // so that health says so before the next commit does. Disconnected: the reconnect
        // chain has taken over, and connect arms the heartbeat again.
        auto& st = self->state;
        st.heartbeat_armed = false;
        if (!st.redis)
          return;
        if (!st.pulling)
          if (auto pong = st.redis->command({"PING"}); !pong)
            return disconnect(self, pong.error());
        st.heartbeat_armed = true;
        self->delayed_send(self, st.cfg.heartbeat, sweep_atom::value);
      },
      [self](flush_atom) {
        self->state.pulling = false;
        pull(self);
      },
      [self](checkpoint_atom) {
        auto& st = self->state;
        st.saving = false;
        auto seq = st.relayed;
        self->request(st.log, st.cfg.log_timeout, checkpoint_atom::value,
                      checkpoint{st.cfg.consumer, seq})
            .then([self](int64_t stored) { self->state.saved = stored; },
                  [self](caf::error& err) {
                    log_event(log_level::warn, "bus_relay", "cannot store checkpoint",
                              {{"error", self->system().render(err)}});
                  });
      },
  };
}

} // namespace

bus_relay_actor spawn_bus_relay(caf::actor_system& sys, event_log_actor log, bus_relay_settings s,
                                std::shared_ptr<bus_relay_status> status) {
  return sys.spawn<caf::detached>(bus_relay, std::move(log), std::move(s), std::move(status));
}

} // namespace cf
