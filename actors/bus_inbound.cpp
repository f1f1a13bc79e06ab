// BusInbound behaviour: a loop of self-messages (so Payment's answers are handled between reads):
// take over entries idle too long, read new ones, hand each to its handler, acknowledge after the
// effect committed or the entry was dead-lettered.
#include "actors/bus_inbound.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <cstdlib>
#include <map>
#include <set>

#include "bus/generation_queue.hpp"
#include "domain/bus_inbound.hpp"
#include "domain/generation_job.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

using bus_inbound_impl = bus_inbound_actor::extend<caf::reacts_to<resume_atom>>;

using fields_t = std::vector<std::pair<std::string, std::string>>;

struct bus_inbound_state {
  bus_inbound_settings cfg;
  std::shared_ptr<bus_inbound_status> status;
  payment_actor payment;
  distribution_actor distribution;
  course_factory_actor factory;
  std::unique_ptr<redis_connection> redis; ///< null while disconnected
  std::chrono::milliseconds backoff;
  std::chrono::steady_clock::time_point next_claim;      ///< When to look for idle entries again.
  std::chrono::steady_clock::time_point next_queue_poll; ///< When to look at the jobs queue.
  std::map<std::string, std::string> claim_cursor;       ///< Per stream: where XAUTOCLAIM stopped.
  std::set<std::string> in_flight;                       ///< Entries whose answer is awaited.

  /// The streams read: the inbound stream, and the workers' results in redis mode.
  std::vector<std::string> streams() const {
    if (cfg.results_stream.empty())
      return {cfg.stream};
    return {cfg.stream, cfg.results_stream};
  }
  static inline const char* name = "bus_inbound";
};

using bus_inbound_pointer = bus_inbound_impl::stateful_pointer<bus_inbound_state>;

void disconnect(bus_inbound_pointer self, const caf::error& why) {
  auto& st = self->state;
  st.redis.reset();
  st.status->connected = false;
  ++st.status->errors;
  log_event(log_level::warn, "bus_inbound", "redis unavailable, retrying",
            {{"error", error_context(why)}, {"retry_ms", st.backoff.count()}});
  self->delayed_send(self, st.backoff, resume_atom::value);
  st.backoff = std::min(st.backoff * 2, st.cfg.reconnect_max);
}

void connect(bus_inbound_pointer self) {
  auto& st = self->state;
  auto c = redis_connection::connect(st.cfg.redis, st.cfg.io_timeout);
  if (!c)
    return disconnect(self, c.error());
  // From the stream's start: what was published before we first came is ours too.
  for (const auto& stream : st.streams()) {
    auto group = (*c)->command({"XGROUP", "CREATE", stream, st.cfg.group, "0", "MKSTREAM"});
    if (!group && error_context(group.error()).find("BUSYGROUP") == std::string::npos)
      return disconnect(self, group.error());
  }
  st.redis = std::move(*c);
  st.backoff = st.cfg.reconnect_initial;
  st.status->connected = true;
  st.next_claim = std::chrono::steady_clock::now(); // what a dead consumer held, first
  log_event(log_level::info, "bus_inbound", "consuming",
            {{"stream", st.cfg.stream},
             {"results_stream", st.cfg.results_stream},
             {"group", st.cfg.group},
             {"consumer", st.cfg.consumer}});
  self->send(self, flush_atom::value);
}

/// Acknowledges `id`; a failure leaves it pending, to be taken over and handled again (the
/// effect is deduplicated by the message id).
void ack(bus_inbound_pointer self, const std::string& stream, const std::string& id) {
  auto& st = self->state;
  if (!st.redis)
    return;
  if (auto r = st.redis->command({"XACK", stream, st.cfg.group, id}); !r)
    disconnect(self, r.error());
}

void dead_letter(bus_inbound_pointer self, const std::string& stream, const std::string& id,
                 const fields_t& fields, const std::string& reason) {
  auto& st = self->state;
  if (!st.redis)
    return;
  std::vector<std::string> args{"XADD", stream + ":dead", "*", "reason", reason, "original_id", id};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  if (auto r = st.redis->command(args); !r)
    return disconnect(self, r.error());
  ++st.status->dead_letters;
  log_event(log_level::warn, "bus_inbound", "dead-lettered",
            {{"entry", id}, {"reason", reason}, {"stream", stream + ":dead"}});
  ack(self, stream, id);
}

void handle(bus_inbound_pointer self, const std::string& stream, const std::string& id,
            const fields_t& fields) {
  auto& st = self->state;
  if (st.in_flight.count(id) != 0)
    return; // taken over from ourselves while its answer is still awaited
  ++st.status->received;
  st.in_flight.insert(id);
  auto settle = [self, id] {
    auto& st = self->state;
    bool was_full = st.in_flight.size() >= static_cast<size_t>(st.cfg.max_in_flight);
    st.in_flight.erase(id);
    if (was_full && st.redis)
      self->send(self, flush_atom::value); // reading had paused: go on
  };
  auto failed = [self, id, settle](caf::error& err) { // stays pending: taken over after claim_idle
    settle();
    ++self->state.status->errors;
    log_event(log_level::warn, "bus_inbound", "cannot record, will retry",
              {{"entry", id}, {"error", self->system().render(err)}});
  };
  if (stream == st.cfg.results_stream) {
    auto r = parse_generation_result(fields);
    if (!r) {
      settle();
      return dead_letter(self, stream, id, fields, error_context(r.error()));
    }
    remote_generation g{r->job_id, r->course_id, r->attempt,     r->ok,    r->content_json,
                        r->error,  r->permanent, r->duration_ms, r->worker};
    self->request(st.factory, st.cfg.answer_timeout, result_atom::value, std::move(g))
        .then(
            [self, stream, id, settle](const std::string& outcome) {
              settle();
              ++(outcome == "recorded" ? self->state.status->results_recorded
                                       : self->state.status->results_stale);
              ack(self, stream, id);
            },
            failed);
    return;
  }
  auto m = parse_inbound(fields);
  if (!m || (m->what == inbound_message::kind::distribution && !st.distribution)) {
    settle();
    return dead_letter(self, stream, id, fields,
                       m ? "no distribution here takes answers" : error_context(m.error()));
  }
  auto done = [self, stream, id, fields, settle](const webhook_outcome& out) {
    settle();
    if (out.result == "ignored")
      return dead_letter(self, stream, id, fields, out.detail);
    ++(out.result == "recorded" ? self->state.status->recorded : self->state.status->duplicates);
    ack(self, stream, id);
  };
  if (m->what == inbound_message::kind::distribution) {
    distribution_answer a{m->id, m->course_id, m->request_id, m->outcome, m->url, m->reason};
    self->request(st.distribution, st.cfg.answer_timeout, answer_atom::value, std::move(a))
        .then(done, failed);
    return;
  }
  payment_notice n;
  n.event_id = m->id;
  n.outcome = m->outcome;
  n.course_id = m->course_id;
  n.transaction_id = m->transaction_id;
  n.amount_cents = m->amount_cents;
  n.currency = m->currency;
  n.reason = m->reason;
  n.scope = "bus";
  self->request(st.payment, st.cfg.answer_timeout, webhook_atom::value, n).then(done, failed);
}

/// Handles the entries of an XREADGROUP or XAUTOCLAIM entry list: [[id, [f, v, ...]], ...].
void handle_entries(bus_inbound_pointer self, const std::string& stream, const redis_value& list) {
  for (const auto& entry : list.elements) {
    if (entry.elements.size() < 2 || entry.elements[0].type != redis_value::kind::string)
      continue; // an entry deleted while pending comes back without fields
    fields_t fields;
    const auto& flat = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < flat.size(); i += 2)
      fields.emplace_back(flat[i].str, flat[i + 1].str);
    handle(self, stream, entry.elements[0].str, fields);
  }
}

/// Takes over what a consumer that went away held on `stream` (XAUTOCLAIM, from the cursor on).
/// True when the cursor wrapped (everything idle was seen). False on a Redis failure too.
bool claim(bus_inbound_pointer self, const std::string& stream, const std::string& count) {
  auto& st = self->state;
  auto& cursor = st.claim_cursor.try_emplace(stream, "0-0").first->second;
  auto claimed =
      st.redis->command({"XAUTOCLAIM", stream, st.cfg.group, st.cfg.consumer,
                         std::to_string(st.cfg.claim_idle.count()), cursor, "COUNT", count});
  if (!claimed) {
    disconnect(self, claimed.error());
    return false;
  }
  // [next cursor, entries, deleted ids]: go on from the cursor next round until it wraps.
  if (!claimed->elements.empty())
    cursor = claimed->elements[0].str.empty() ? "0-0" : claimed->elements[0].str;
  if (claimed->elements.size() >= 2) {
    st.status->reclaimed += claimed->elements[1].elements.size();
    handle_entries(self, stream, claimed->elements[1]);
  }
  return cursor == "0-0";
}

/// generation.mode = redis: how many jobs wait, how many workers hold, how many workers were
/// heard from in the last minute (their heartbeats in `<prefix>:workers`).
void poll_queue(bus_inbound_pointer self) {
  auto& st = self->state;
  auto groups = st.redis->command({"XINFO", "GROUPS", st.cfg.jobs_stream});
  int64_t waiting = -1, held = -1;
  if (groups) // [[name, generators, consumers, n, pending, n, last-delivered-id, id, ...], ...]
    for (const auto& g : groups->elements) {
      bool ours = false;
      for (size_t i = 0; i + 1 < g.elements.size(); i += 2) {
        const auto& k = g.elements[i].str;
        const auto& v = g.elements[i + 1];
        if (k == "name")
          ours = v.str == "generators";
        else if (ours && k == "pending")
          held = v.integer;
        else if (ours && k == "lag")
          waiting = v.type == redis_value::kind::integer ? v.integer : -1;
      }
    }
  if (held < 0) { // no worker ever came (no group, or no stream yet): every job waits
    held = 0;
    if (auto len = st.redis->command({"XLEN", st.cfg.jobs_stream}); len)
      waiting = len->integer;
  }
  st.status->jobs_waiting = waiting;
  st.status->jobs_in_flight = held;
  generation_streams keys;
  keys.jobs = st.cfg.jobs_stream;
  auto workers = st.redis->command({"HGETALL", keys.workers()});
  if (!workers)
    return;
  auto now_ms = now_us() / 1000;
  int64_t seen = 0;
  std::map<std::string, int64_t> recent; // bounded: a label per worker of the last 10 minutes
  for (size_t i = 0; i + 1 < workers->elements.size(); i += 2) {
    auto at = std::atoll(workers->elements[i + 1].str.c_str());
    seen += at >= now_ms - 60000;
    if (at >= now_ms - 600000 && recent.size() < 100)
      recent[workers->elements[i].str] = at;
  }
  st.status->workers_seen = seen;
  st.status->set_workers_last_seen(std::move(recent));
  if (auto reclaimed = st.redis->command({"GET", keys.reclaims()}); reclaimed)
    st.status->jobs_reclaimed = reclaimed->is_nil() ? 0 : std::atoll(reclaimed->str.c_str());
}

/// One round: take over idle entries now and then, then read new ones (waiting up to `block`).
/// At most `max_in_flight` entries wait for their answer; reading pauses while that many do.
void poll(bus_inbound_pointer self) {
  auto& st = self->state;
  if (!st.redis)
    return;
  auto room = st.cfg.max_in_flight - static_cast<int32_t>(st.in_flight.size());
  if (room <= 0)
    return; // an answer's settle() resumes the rounds
  auto count = std::to_string(std::min(room, st.cfg.batch));
  auto now = std::chrono::steady_clock::now();
  if (now >= st.next_claim) {
    bool wrapped = true;
    for (const auto& stream : st.streams())
      if (st.redis)
        wrapped = claim(self, stream, count) && wrapped;
    if (wrapped)
      st.next_claim = now + std::max(st.cfg.claim_idle / 2, std::chrono::milliseconds{10});
  }
  if (st.redis && !st.cfg.jobs_stream.empty() && now >= st.next_queue_poll) {
    poll_queue(self);
    st.next_queue_poll = now + st.cfg.queue_poll;
  }
  if (!st.redis)
    return;
  std::vector<std::string> args{
      "XREADGROUP", "GROUP", st.cfg.group, st.cfg.consumer,
      "COUNT",      count,   "BLOCK",      std::to_string(st.cfg.block.count()),
      "STREAMS"};
  auto streams = st.streams();
  args.insert(args.end(), streams.begin(), streams.end());
  args.insert(args.end(), streams.size(), ">");
  auto read = st.redis->command(args);
  if (!read)
    return disconnect(self, read.error());
  for (const auto& stream : read->elements) // nil (timed out) has none
    if (stream.elements.size() >= 2)
      handle_entries(self, stream.elements[0].str, stream.elements[1]);
  if (st.redis)
    self->send(self, flush_atom::value); // the next round, after the answers that came in
}

bus_inbound_impl::behavior_type bus_inbound(bus_inbound_pointer self, payment_actor payment,
                                            distribution_actor distribution,
                                            course_factory_actor factory, bus_inbound_settings cfg,
                                            std::shared_ptr<bus_inbound_status> status) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.status = std::move(status);
  st.payment = std::move(payment);
  st.distribution = std::move(distribution);
  st.factory = std::move(factory);
  st.status->generation_remote = !st.cfg.results_stream.empty();
  st.backoff = st.cfg.reconnect_initial;
  self->send(self, resume_atom::value);
  return {
      [self](flush_atom) { poll(self); },
      [self](resume_atom) {
        if (!self->state.redis)
          connect(self);
      },
  };
}

} // namespace

bus_inbound_actor spawn_bus_inbound(caf::actor_system& sys, payment_actor payment,
                                    distribution_actor distribution, course_factory_actor factory,
                                    bus_inbound_settings s,
                                    std::shared_ptr<bus_inbound_status> status) {
  return sys.spawn<caf::detached>(bus_inbound, std::move(payment), std::move(distribution),
                                  std::move(factory), std::move(s), std::move(status));
}

} // namespace cf
