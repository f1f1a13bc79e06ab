// How an actor consumes the log durably: it subscribes from its stored checkpoint, hands each
// delivered event to its handler once (a repeat delivery after a restart is filtered here, a
// repeat effect by the handler's own idempotency), and stores its checkpoint either with the
// effect's events (append with a checkpoint) or, for events that needed no effect, on its own
// a moment later. Used by CourseFactory, Payment and Distribution alike.
//
// The actor's state has a member `durable` of type durable_consumer, and its behaviour handles
// `checkpoint_atom` by calling save_checkpoint(self, log, timeout).
#pragma once

#include <caf/event_based_actor.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "actors/checkpoint_tracker.hpp"
#include "actors/event_log.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"

namespace cf {

struct durable_consumer {
  explicit durable_consumer(std::string name) : tracker(std::move(name)) {}
  checkpoint_tracker tracker;
  bool save_pending = false;                   // a checkpoint_atom to self is on its way
  std::chrono::milliseconds save_delay{200};   // how long finished events wait to be stored
  std::chrono::milliseconds retry_delay{1000}; // before a failed event is handled again
};

/// Subscribes `self` to committed events of `pattern` from its consumer's checkpoint: events
/// after it come first (catch-up), then live ones. `self` quits when that fails.
template <class Self>
void subscribe_durably(Self self, const event_log_actor& log, const std::string& pattern,
                       log_wait timeout) {
  self->request(log, timeout, subscribe_atom::value, caf::actor_cast<subscriber_actor>(self),
                pattern, self->state.durable.tracker.consumer())
      .then([self](int64_t from) { self->state.durable.tracker.saved(from); },
            [self](caf::error& err) {
              log_event(log_level::error, self->name(), "cannot subscribe",
                        {{"error", self->system().render(err)}});
              self->quit(err);
            });
}

/// Calls `handle(e)` for each event of `events` that needs handling (see
/// checkpoint_tracker::begin).
template <class Self, class Handler>
void consume(Self self, const std::vector<event>& events, Handler handle) {
  for (const auto& e : events)
    if (self->state.durable.tracker.begin(e.seq))
      handle(e);
}

/// Stores the checkpoint when finished events moved it; answers checkpoint_atom.
template <class Self>
void save_checkpoint(Self self, const event_log_actor& log, log_wait timeout) {
  auto& d = self->state.durable;
  d.save_pending = false;
  auto cp = d.tracker.unsaved();
  if (!cp)
    return;
  self->request(log, timeout, checkpoint_atom::value, *cp)
      .then([self](int64_t stored) { self->state.durable.tracker.saved(stored); },
            [self](caf::error& err) { // the next finished event tries again
              log_event(log_level::warn, self->name(), "cannot store checkpoint",
                        {{"error", self->system().render(err)}});
            });
}

/// Event `seq` is handled without an effect committed with it: its checkpoint is stored soon.
template <class Self>
void finish_event(Self self, int64_t seq) {
  auto& d = self->state.durable;
  d.tracker.finish(seq);
  // Also after an effect that committed a checkpoint: effects that commit out of order each
  // carry the checkpoint known when they were sent, so the last may lag behind.
  if (!d.save_pending && d.tracker.unsaved()) {
    d.save_pending = true;
    self->delayed_send(self, d.save_delay, checkpoint_atom::value);
  }
}

/// Handling `e` failed for a passing reason: it is delivered to `self` again after a while.
template <class Self>
void retry_event(Self self, const event& e) {
  auto& d = self->state.durable;
  d.tracker.retry(e.seq);
  self->delayed_send(self, d.retry_delay, notify_atom::value, std::vector<event>{e});
}

/// The checkpoint to commit with the effect of `seq`; call committed_event once it committed.
template <class Self>
checkpoint checkpoint_after(Self self, int64_t seq) {
  return self->state.durable.tracker.after(seq);
}

/// The effect of `seq` committed together with checkpoint `cp`.
template <class Self>
void committed_event(Self self, int64_t seq, const checkpoint& cp) {
  self->state.durable.tracker.saved(cp.seq);
  finish_event(self, seq);
}

/// Commits `events`, the effect of handling delivered event `cause`, together with the
/// checkpoint past it, then calls `then(committed)`. A conflict means the effect is in the log
/// already (a repeat delivery): `cause` is finished. Any other error hands `cause` back for
/// another try (retry_event). Either way `failed()` is called then.
template <class Self, class Then, class Failed>
void commit_effect(Self self, const event_log_actor& log, log_wait timeout, const event& cause,
                   std::vector<event> events, Then then, Failed failed) {
  auto cp = checkpoint_after(self, cause.seq);
  self->request(log, timeout, append_atom::value, std::move(events), cp)
      .then(
          [=](std::vector<event>& committed) {
            committed_event(self, cause.seq, cp);
            then(committed);
          },
          [=](caf::error& err) {
            if (is(err, errc::conflict)) {
              finish_event(self, cause.seq);
            } else {
              log_event(log_level::warn, self->name(), "cannot record effect, trying again",
                        {{"course_id", cause.subject},
                         {"correlation_id", cause.correlation_id},
                         {"seq", cause.seq},
                         {"type", cause.type},
                         {"error", self->system().render(err)}});
              retry_event(self, cause);
            }
            failed();
          });
}

template <class Self, class Then>
void commit_effect(Self self, const event_log_actor& log, log_wait timeout, const event& cause,
                   std::vector<event> events, Then then) {
  commit_effect(self, log, timeout, cause, std::move(events), std::move(then), [] {});
}

} // namespace cf
