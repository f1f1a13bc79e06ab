// EventLog behaviour: commits, queries and fan-out of committed events to subscribers.
#include "actors/event_log.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errc.hpp"
#include "actors/uuid.hpp"
#include "storage/sqlite_event_store.hpp"

namespace cf {

namespace {

struct subscription {
  subscriber_actor who;
  std::string pattern;
  std::string consumer; // durable subscriptions only
};

struct event_log_state {
  std::shared_ptr<sqlite_event_store> store;
  std::vector<subscription> subscribers;
  int64_t last_time_us = 0; // commit times never go backwards, even if the clock does
  static inline const char* name = "event_log";
};

using event_log_pointer = event_log_actor::stateful_pointer<event_log_state>;

void publish(event_log_pointer self, const std::vector<event>& committed) {
  for (auto& sub : self->state.subscribers) {
    std::vector<event> matching;
    for (const auto& e : committed)
      if (type_matches(sub.pattern, e.type))
        matching.push_back(e);
    if (!matching.empty())
      self->send(sub.who, notify_atom::value, std::move(matching));
  }
}

// Sends every stored event after `after` matching `pattern` to `who`, in pages.
caf::error catch_up(event_log_pointer self, const subscriber_actor& who, const std::string& pattern,
                    int64_t after) {
  event_query q;
  q.type = pattern;
  q.after_seq = after;
  q.limit = 1000;
  for (;;) {
    auto page = self->state.store->query(q);
    if (!page)
      return page.error();
    if (!page->events.empty())
      self->send(who, notify_atom::value, page->events);
    if (page->next_after == 0)
      return {};
    q.after_seq = page->next_after;
  }
}

caf::result<std::vector<event>> append(event_log_pointer self, std::vector<event>& events,
                                       const idempotency_record* remember,
                                       const checkpoint* advance = nullptr) {
  auto& st = self->state;
  auto& m = metrics::global();
  auto started = std::chrono::steady_clock::now();
  for (auto& e : events) {
    if (e.id.empty())
      e.id = make_uuid_v7();
    st.last_time_us = std::max(st.last_time_us, now_us());
    e.time_us = st.last_time_us;
  }
  auto err = st.store->append(events, remember, advance);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  m.commit_seconds.observe(seconds);
  if (err) {
    m.append_errors.add(err.category() == caf::atom("cf") ? to_string(static_cast<errc>(err.code()))
                                                          : "other");
    return err;
  }
  m.batch_events.observe(static_cast<double>(events.size()));
  for (const auto& e : events) m.events_appended.add(e.type);
  m.append_seconds.observe(seconds);
  publish(self, events);
  return std::move(events);
}

// Catch-up and registration happen in one handler: no append can slip in between, so the
// subscriber sees every event exactly once here, in sequence order (after < 0: live only).
caf::error subscribe(event_log_pointer self, subscriber_actor who, const std::string& pattern,
                     int64_t after, const std::string& consumer = {}) {
  if (!is_valid_type_pattern(pattern))
    return make_error(errc::invalid_argument, "bad type pattern: " + pattern);
  if (auto err = after >= 0 ? catch_up(self, who, pattern, after) : caf::error{})
    return err;
  self->monitor(who);
  self->state.subscribers.push_back({std::move(who), pattern, consumer});
  return {};
}

caf::expected<log_stats> stats(event_log_pointer self) {
  auto& store = *self->state.store;
  log_stats out;
  auto head = store.head();
  if (!head)
    return head.error();
  out.head = *head;
  auto counts = store.course_counts();
  if (!counts)
    return counts.error();
  for (auto& [status, n] : *counts) out.courses_by_status.push_back({status, n});
  for (const auto& sub : self->state.subscribers) {
    if (sub.consumer.empty())
      continue;
    auto cp = store.load_checkpoint(sub.consumer);
    if (!cp)
      return cp.error();
    auto pending = store.count_events({sub.pattern, "", *cp, 1});
    if (!pending)
      return pending.error();
    out.consumers.push_back({sub.consumer, *cp, *pending});
  }
  return out;
}

event_log_actor::behavior_type event_log(event_log_pointer self,
                                         std::shared_ptr<sqlite_event_store> store) {
  self->state.store = std::move(store);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const subscription& s) { return s.who.address() == msg.source; }),
               subs.end());
  });
  return {
      [=](append_atom, std::vector<event>& events) -> caf::result<std::vector<event>> {
        return append(self, events, nullptr);
      },
      [=](append_atom, std::vector<event>& events,
          idempotency_record& remember) -> caf::result<std::vector<event>> {
        remember.created_us = now_us();
        return append(self, events, &remember);
      },
      [=](append_atom, std::vector<event>& events, const checkpoint& advance)
          -> caf::result<std::vector<event>> { return append(self, events, nullptr, &advance); },
      [=](checkpoint_atom, const checkpoint& cp) -> caf::result<int64_t> {
        auto stored = self->state.store->save_checkpoint(cp);
        if (!stored)
          return stored.error();
        return *stored;
      },
      [=](checkpoint_atom) -> caf::result<std::vector<checkpoint>> {
        auto all = self->state.store->checkpoints();
        if (!all)
          return all.error();
        return std::move(*all);
      },
      [=](recall_atom, const std::string& scope, const std::string& key,
          int64_t not_before_us) -> caf::result<idempotency_record> {
        auto r = self->state.store->recall(scope, key, not_before_us);
        if (!r)
          return r.error();
        return std::move(*r);
      },
      [=](query_atom, const event_query& q) -> caf::result<event_page> {
        auto page = self->state.store->query(q);
        if (!page)
          return page.error();
        return std::move(*page);
      },
      [=](caf::get_atom, const std::string& id) -> caf::result<course_view> {
        auto view = self->state.store->course(id);
        if (!view)
          return view.error();
        return std::move(*view);
      },
      [=](list_atom, const course_query& q) -> caf::result<course_page> {
        auto page = self->state.store->courses(q);
        if (!page)
          return page.error();
        return std::move(*page);
      },
      [=](head_atom) -> caf::result<int64_t> {
        auto h = self->state.store->head();
        if (!h)
          return h.error();
        return *h;
      },
      [=](subscribe_atom, subscriber_actor who, const std::string& pattern,
          int64_t after) -> caf::result<int64_t> {
        auto head = self->state.store->head();
        if (!head)
          return head.error();
        if (auto err = subscribe(self, std::move(who), pattern, after))
          return err;
        return *head;
      },
      [=](subscribe_atom, subscriber_actor who, const std::string& pattern,
          const std::string& consumer) -> caf::result<int64_t> {
        auto from = self->state.store->load_checkpoint(consumer);
        if (!from)
          return from.error();
        if (auto err = subscribe(self, std::move(who), pattern, *from, consumer))
          return err;
        return *from;
      },
      [=](stats_atom) -> caf::result<log_stats> {
        auto r = stats(self);
        if (!r)
          return r.error();
        return std::move(*r);
      },
  };
}

} // namespace

event_log_actor spawn_event_log(caf::actor_system& sys, std::shared_ptr<sqlite_event_store> store) {
  return sys.spawn<caf::detached>(event_log, std::move(store));
}

} // namespace cf
