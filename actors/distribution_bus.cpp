// Distribution, channel bus: the answers an outside distribution module sends (through
// BusInbound) to the orders in the log, and the orders' deadlines.
#include <caf/actor_system.hpp>

#include "actors/detail/distribution_jobs.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"

namespace cf::distribution_detail {

webhook_outcome answer_seen_before(const distribution_answer& a) {
  return {"duplicate", "answer " + a.message_id + " seen before", 0};
}

namespace {

webhook_outcome ignored(std::string why) { return {"ignored", std::move(why), 0}; }

webhook_outcome not_waiting(const distribution_answer& a) {
  return ignored("no distribution of course " + a.course_id + " waits for order " + a.request_id);
}

// An answer for channel bus: it decides the attempt's bus outcome when it answers the order the
// course's job waits on; it waits (parked) when that job is not ready yet.
void take_answer(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 held_answer h) {
  const auto& a = h.answer;
  auto i = self->state.jobs.find(a.course_id);
  if (i != self->state.jobs.end() && !i->second.bus_order.empty()) {
    auto& j = i->second;
    if (!needs_bus(j) || j.bus_order != a.request_id) {
      h.promise.deliver(not_waiting(a));
      return;
    }
    if (j.answer && j.answer->answer.message_id == a.message_id) {
      j.answer->promise = h.promise; // delivered again while its outcome commits
      return;
    }
    if (j.answer || j.bus) {
      h.promise.deliver(ignored("order " + a.request_id + " was answered or timed out"));
      return;
    }
    channel_outcome o{bus_channel, a.outcome == "completed", false, a.url, ""};
    o.detail = o.ok ? "answered by " + a.message_id : a.error;
    auto course_id = a.course_id; // `a` is moved with `h`
    j.bus = std::move(o);
    j.answer = std::move(h);
    return maybe_finish(self, log, s, course_id);
  }
  // No job yet (the answer overtook our own notice of the order, or a restart), or one between
  // orders: it waits a while for the job.
  if (i == self->state.jobs.end())
    resume_course(self, log, s, a.course_id);
  self->delayed_send(self, s.early_answer_wait, expire_atom::value, a.message_id);
  self->state.parked.push_back(std::move(h)); // `a` is gone from here on
}

} // namespace

void adopt_parked(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                  const std::string& course_id) {
  auto& parked = self->state.parked;
  auto mine = std::stable_partition(parked.begin(), parked.end(), [&](const held_answer& h) {
    return h.answer.course_id != course_id;
  });
  std::vector<held_answer> taken(std::make_move_iterator(mine),
                                 std::make_move_iterator(parked.end()));
  parked.erase(mine, parked.end());
  for (auto& h : taken) take_answer(self, log, s, std::move(h));
}

caf::result<webhook_outcome> on_answer(distribution_pointer self, event_log_actor log,
                                       const distribution_settings& s, distribution_answer a) {
  auto rp = self->make_response_promise<webhook_outcome>();
  auto not_before = now_us() - s.answer_retention.count() * 1000000;
  self->request(log, s.log_timeout, recall_atom::value, a.scope, a.message_id, not_before)
      .then(
          [=](const idempotency_record& seen) mutable {
            if (seen.found) {
              rp.deliver(answer_seen_before(a));
              return;
            }
            take_answer(self, log, s, held_answer{a, rp});
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

void on_order_deadline(distribution_pointer self, event_log_actor log,
                       const distribution_settings& s, const std::string& course_id,
                       const std::string& order) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end() || i->second.bus_order != order || i->second.bus
      || i->second.answer || !needs_bus(i->second))
    return;
  auto why = "no answer to order " + order + " in " + std::to_string(s.bus_timeout.count());
  i->second.bus = channel_outcome{bus_channel, false, false, "", why + " ms"};
  maybe_finish(self, log, s, course_id);
}

void on_parked_expiry(distribution_pointer self, const std::string& message_id) {
  auto& parked = self->state.parked;
  auto i = std::find_if(parked.begin(), parked.end(),
                        [&](const held_answer& h) { return h.answer.message_id == message_id; });
  if (i == parked.end())
    return;
  i->promise.deliver(not_waiting(i->answer));
  parked.erase(i);
}

} // namespace cf::distribution_detail
