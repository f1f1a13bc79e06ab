// EventLog behaviour: commits, queries and fan-out of committed events to subscribers.
#include "actors/event_log.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "storage/sqlite_event_store.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace {

struct subscription {
  subscriber_actor who;
  std::string pattern;
  std::string consumer; // durable subscriptions only
};

// An append waiting for the next group commit.
struct pending_append {
  append_request request;
  caf::typed_response_promise<std::vector<event>> promise;
  std::chrono::steady_clock::time_point received;
};

// Group commit: appends that arrive while one commit runs wait in the mailbox; each goes to
// `pending` and the first asks for a flush (a message to self, so it runs after every message
// already queued). The flush commits them all in one transaction. When idle, the flush follows
// the append at once: no added wait. A batch never grows beyond this many events.
constexpr size_t max_batch_events = 1024;

struct event_log_state {
  std::shared_ptr<sqlite_event_store> store;
  std::vector<subscription> subscribers;
  std::vector<pending_append> pending;
  size_t pending_events = 0;
  bool flush_requested = false;
  int64_t last_time_us = 0; // commit times never go backwards, even if the clock does
  std::shared_ptr<storage_health> health;
  caf::error failed; // the latch (spawn_event_log): set at the first storage_failed, for good
  int64_t commits = 0;
  int64_t die_after_commits = 0;
  bool write_scheduled = false; // a sweep_atom to self will write the read model's waiting rows
  static inline const char* name = "event_log";
};

// Its own flush message on top of the public interface.
using event_log_impl =
    event_log_actor::extend<caf::reacts_to<flush_atom>, caf::reacts_to<sweep_atom>>;

// The read model's rows wait for a later commit (sqlite_event_store::append); when the appends
// stop, this long after a commit they are written on their own.
constexpr auto read_model_idle_write = std::chrono::milliseconds{300};
using event_log_pointer = event_log_impl::stateful_pointer<event_log_state>;

// Sends each subscriber the events of the committed requests (no result) that it follows, in
// seq order: one copy per subscriber of what it follows, nothing else.
void publish(event_log_pointer self, const std::vector<append_request>& requests) {
  for (auto& sub : self->state.subscribers) {
    std::vector<event> matching;
    for (const auto& r : requests)
      if (!r.result)
        for (const auto& e : r.events)
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

std::string error_name(const caf::error& err) {
  return err.category() == caf::atom("cf") ? to_string(static_cast<errc>(err.code())) : "other";
}

// Records how a write went in the health; a failed sync closes the latch.
void note_write(event_log_pointer self, const caf::error& err) {
  auto& st = self->state;
  auto& h = *st.health;
  if (!err) {
    h.last_error_us = 0;
    return;
  }
  if (is(err, errc::storage_full) || is(err, errc::storage_unavailable)) {
    auto full = is(err, errc::storage_full);
    (full ? h.full_errors : h.unavailable_errors) += 1;
    h.last_error_full = full;
    h.last_error_us = now_us();
    return;
  }
  if (!is(err, errc::storage_failed) || st.failed)
    return;
  st.failed = err;
  h.sync_errors += 1;
  h.failed = true;
  log_event(log_level::error, "event_log",
            "a sync to disk failed: no more writes in this process; restart to recover from disk",
            {{"error", error_context(err)}});
  if (h.on_failed)
    h.on_failed(err);
}

// Commits every pending append in one transaction, answers each, then publishes the committed
// events to subscribers in seq order. After the latch closed, answers each with its error.
void flush(event_log_pointer self) {
  auto& st = self->state;
  st.flush_requested = false;
  if (st.pending.empty())
    return;
  auto batch = std::move(st.pending);
  st.pending.clear();
  st.pending_events = 0;
  if (st.failed) {
    for (auto& p : batch) p.promise.deliver(st.failed);
    return;
  }
  std::vector<append_request> requests;
  requests.reserve(batch.size());
  for (auto& p : batch) requests.push_back(std::move(p.request));
  auto& m = metrics::global();
  auto started = std::chrono::steady_clock::now();
  auto failed = st.store->append_batch(requests);
  note_write(self, failed);
  auto done = std::chrono::steady_clock::now();
  m.commit_seconds.observe(std::chrono::duration<double>(done - started).count());
  // Subscribers first, from the requests themselves: the answers then take their events.
  publish(self, requests);
  size_t committed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& r = requests[i];
    m.append_seconds.observe(std::chrono::duration<double>(done - batch[i].received).count());
    if (r.result) {
      m.append_errors.add(error_name(r.result));
      batch[i].promise.deliver(r.result);
      continue;
    }
    for (const auto& e : r.events) m.events_appended.add(e.type);
    committed += r.events.size();
    batch[i].promise.deliver(std::move(r.events));
  }
  if (!failed)
    m.batch_events.observe(static_cast<double>(committed));
  if (!st.write_scheduled && st.store->unwritten_courses() > 0) {
    st.write_scheduled = true;
    self->delayed_send(self, read_model_idle_write, sweep_atom::value);
  }
  if (!failed && st.die_after_commits > 0 && ++st.commits >= st.die_after_commits)
    throw std::runtime_error("test fault: EventLog dies after " + std::to_string(st.commits)
                             + " commits"); // event_log_options::die_after_commits
}

// Stamps the events and queues them for the next group commit; the answer comes from flush.
caf::typed_response_promise<std::vector<event>> enqueue(event_log_pointer self,
                                                        std::vector<event>& events,
                                                        std::optional<idempotency_record> remember,
                                                        std::optional<checkpoint> advance) {
  auto& st = self->state;
  for (auto& e : events) {
    if (e.id.empty())
      e.id = make_uuid_v7();
    st.last_time_us = std::max(st.last_time_us, now_us());
    e.time_us = st.last_time_us;
  }
  auto promise = self->make_response_promise<std::vector<event>>();
  if (st.failed) {
    promise.deliver(st.failed);
    return promise;
  }
  st.pending_events += events.size();
  st.pending.push_back(
      {append_request{std::move(events), std::move(remember), std::move(advance), {}}, promise,
       std::chrono::steady_clock::now()});
  if (st.pending_events >= max_batch_events) {
    flush(self);
  } else if (!st.flush_requested) {
    st.flush_requested = true;
    self->send(self, flush_atom::value);
  }
  return promise;
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

// A store's answer as a handler's reply: the value, or the store's error unchanged.
template <class T>
caf::result<T> reply(caf::expected<T>&& answer) {
  if (!answer)
    return std::move(answer.error());
  return std::move(*answer);
}

// A checkpoint is a write like an append: refused after the latch, and noted.
caf::result<int64_t> save_checkpoint(event_log_pointer self, const checkpoint& cp) {
  auto& st = self->state;
  if (st.failed)
    return st.failed;
  auto stored = st.store->save_checkpoint(cp);
  note_write(self, stored ? caf::error{} : stored.error());
  return reply(std::move(stored));
}

event_log_impl::behavior_type event_log(event_log_pointer self,
                                        std::shared_ptr<sqlite_event_store> store,
                                        event_log_options options) {
  self->state.store = std::move(store);
  self->state.health =
      options.health ? std::move(options.health) : std::make_shared<storage_health>();
  self->state.die_after_commits = options.die_after_commits;
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const subscription& s) { return s.who.address() == msg.source; }),
               subs.end());
  });
  return {
      [=](append_atom, std::vector<event>& events) {
        return enqueue(self, events, std::nullopt, std::nullopt);
      },
      [=](append_atom, std::vector<event>& events, idempotency_record& remember) {
        remember.created_us = now_us();
        return enqueue(self, events, std::move(remember), std::nullopt);
      },
      [=](append_atom, std::vector<event>& events, const checkpoint& advance) {
        return enqueue(self, events, std::nullopt, advance);
      },
      [=](flush_atom) { flush(self); },
      [=](sweep_atom) {
        auto& st = self->state;
        st.write_scheduled = false;
        // Only a failure is noted: a small write that went through says nothing about appends.
        if (!st.failed && st.store->unwritten_courses() > 0)
          if (auto err = st.store->write_read_model())
            note_write(self, err);
      },
      [=](checkpoint_atom, const checkpoint& cp) -> caf::result<int64_t> {
        return save_checkpoint(self, cp);
      },
      [=](checkpoint_atom) -> caf::result<std::vector<checkpoint>> {
        return reply(self->state.store->checkpoints());
      },
      [=](recall_atom, const std::string& scope, const std::string& key,
          int64_t not_before_us) -> caf::result<idempotency_record> {
        return reply(self->state.store->recall(scope, key, not_before_us));
      },
      [=](query_atom, const event_query& q) -> caf::result<event_page> {
        return reply(self->state.store->query(q));
      },
      [=](caf::get_atom, const std::string& id) -> caf::result<course_view> {
        return reply(self->state.store->course(id));
      },
      [=](summary_atom, const std::string& id) -> caf::result<course_summary> {
        return reply(self->state.store->summary(id));
      },
      [=](list_atom, const course_query& q) -> caf::result<course_page> {
        return reply(self->state.store->courses(q));
      },
      [=](head_atom) -> caf::result<int64_t> { return reply(self->state.store->head()); },
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
      [=](stats_atom) -> caf::result<log_stats> { return reply(stats(self)); },
  };
}

} // namespace

event_log_actor spawn_event_log(caf::actor_system& sys, std::shared_ptr<sqlite_event_store> store,
                                event_log_options options) {
  return caf::actor_cast<event_log_actor>(
      sys.spawn<caf::detached>(event_log, std::move(store), std::move(options)));
}

} // namespace cf
