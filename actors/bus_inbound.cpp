// BusInbound behaviour: a loop of self-messages (so Payment's answers are handled between reads):
// take over entries idle too long, read new ones, hand each to its handler, acknowledge after the
// effect committed or the entry was dead-lettered.
#include "actors/bus_inbound.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <set>

#include "domain/bus_inbound.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"

namespace cf {

namespace {

using bus_inbound_impl = bus_inbound_actor::extend<caf::reacts_to<resume_atom>>;

using fields_t = std::vector<std::pair<std::string, std::string>>;

struct bus_inbound_state {
  bus_inbound_settings cfg;
  std::shared_ptr<bus_inbound_status> status;
  payment_actor payment;
  distribution_actor distribution;
  std::unique_ptr<redis_connection> redis; ///< null while disconnected
  std::chrono::milliseconds backoff;
  std::chrono::steady_clock::time_point next_claim; ///< When to look for idle entries again.
  std::string claim_cursor = "0-0";                 ///< Where the last XAUTOCLAIM stopped.
  std::set<std::string> in_flight;                  ///< Entries whose answer is awaited.
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
  auto group = (*c)->command({"XGROUP", "CREATE", st.cfg.stream, st.cfg.group, "0", "MKSTREAM"});
  if (!group && error_context(group.error()).find("BUSYGROUP") == std::string::npos)
    return disconnect(self, group.error());
  st.redis = std::move(*c);
  st.backoff = st.cfg.reconnect_initial;
  st.status->connected = true;
  st.next_claim = std::chrono::steady_clock::now(); // what a dead consumer held, first
  log_event(log_level::info, "bus_inbound", "consuming",
            {{"stream", st.cfg.stream}, {"group", st.cfg.group}, {"consumer", st.cfg.consumer}});
  self->send(self, flush_atom::value);
}

/// Acknowledges `id`; a failure leaves it pending, to be taken over and handled again (the
/// effect is deduplicated by the message id).
void ack(bus_inbound_pointer self, const std::string& id) {
  auto& st = self->state;
  if (!st.redis)
    return;
  if (auto r = st.redis->command({"XACK", st.cfg.stream, st.cfg.group, id}); !r)
    disconnect(self, r.error());
}

void dead_letter(bus_inbound_pointer self, const std::string& id, const fields_t& fields,
                 const std::string& reason) {
  auto& st = self->state;
  if (!st.redis)
    return;
  std::vector<std::string> args{"XADD", st.cfg.stream + ":dead", "*", "reason",
                                reason, "original_id",           id};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  if (auto r = st.redis->command(args); !r)
    return disconnect(self, r.error());
  ++st.status->dead_letters;
  log_event(log_level::warn, "bus_inbound", "dead-lettered",
            {{"entry", id}, {"reason", reason}, {"stream", st.cfg.stream + ":dead"}});
  ack(self, id);
}

void handle(bus_inbound_pointer self, const std::string& id, const fields_t& fields) {
  if (self->state.in_flight.count(id) != 0)
    return; // taken over from ourselves while its answer is still awaited
  ++self->state.status->received;
  auto m = parse_inbound(fields);
  if (!m)
    return dead_letter(self, id, fields, error_context(m.error()));
  auto& st = self->state;
  if (m->what == inbound_message::kind::distribution && !st.distribution)
    return dead_letter(self, id, fields, "no distribution here takes answers");
  st.in_flight.insert(id);
  auto settle = [self, id] {
    auto& st = self->state;
    bool was_full = st.in_flight.size() >= static_cast<size_t>(st.cfg.max_in_flight);
    st.in_flight.erase(id);
    if (was_full && st.redis)
      self->send(self, flush_atom::value); // reading had paused: go on
  };
  auto done = [self, id, fields, settle](const webhook_outcome& out) {
    settle();
    if (out.result == "ignored")
      return dead_letter(self, id, fields, out.detail);
    ++(out.result == "recorded" ? self->state.status->recorded : self->state.status->duplicates);
    ack(self, id);
  };
  auto failed = [self, id, settle](caf::error& err) { // stays pending: taken over after claim_idle
    settle();
    ++self->state.status->errors;
    log_event(log_level::warn, "bus_inbound", "cannot record, will retry",
              {{"entry", id}, {"error", self->system().render(err)}});
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
void handle_entries(bus_inbound_pointer self, const redis_value& list) {
  for (const auto& entry : list.elements) {
    if (entry.elements.size() < 2 || entry.elements[0].type != redis_value::kind::string)
      continue; // an entry deleted while pending comes back without fields
    fields_t fields;
    const auto& flat = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < flat.size(); i += 2)
      fields.emplace_back(flat[i].str, flat[i + 1].str);
    handle(self, entry.elements[0].str, fields);
  }
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
    auto claimed = st.redis->command({"XAUTOCLAIM", st.cfg.stream, st.cfg.group, st.cfg.consumer,
                                      std::to_string(st.cfg.claim_idle.count()), st.claim_cursor,
                                      "COUNT", count});
    if (!claimed)
      return disconnect(self, claimed.error());
    // [next cursor, entries, deleted ids]: go on from the cursor next round until it wraps.
    if (!claimed->elements.empty())
      st.claim_cursor = claimed->elements[0].str.empty() ? "0-0" : claimed->elements[0].str;
    if (st.claim_cursor == "0-0")
      st.next_claim = now + std::max(st.cfg.claim_idle / 2, std::chrono::milliseconds{10});
    if (claimed->elements.size() >= 2) {
      st.status->reclaimed += claimed->elements[1].elements.size();
      handle_entries(self, claimed->elements[1]);
    }
  }
  if (!st.redis)
    return;
  auto read = st.redis->command({"XREADGROUP", "GROUP", st.cfg.group, st.cfg.consumer, "COUNT",
                                 count, "BLOCK", std::to_string(st.cfg.block.count()), "STREAMS",
                                 st.cfg.stream, ">"});
  if (!read)
    return disconnect(self, read.error());
  for (const auto& stream : read->elements) // nil (timed out) has none
    if (stream.elements.size() >= 2)
      handle_entries(self, stream.elements[1]);
  if (st.redis)
    self->send(self, flush_atom::value); // the next round, after the answers that came in
}

bus_inbound_impl::behavior_type bus_inbound(bus_inbound_pointer self, payment_actor payment,
                                            distribution_actor distribution,
                                            bus_inbound_settings cfg,
                                            std::shared_ptr<bus_inbound_status> status) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.status = std::move(status);
  st.payment = std::move(payment);
  st.distribution = std::move(distribution);
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
                                    distribution_actor distribution, bus_inbound_settings s,
                                    std::shared_ptr<bus_inbound_status> status) {
  return sys.spawn<caf::detached>(bus_inbound, std::move(payment), std::move(distribution),
                                  std::move(s), std::move(status));
}

} // namespace cf
