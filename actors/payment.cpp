// Payment behaviour: generation.completed (priced, not a dry run) -> payment.required with an
// expiry timer; provider notices -> payment.completed or payment.failed, each exactly once.
#include "actors/payment.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <iostream>
#include <optional>

#include "actors/durable_subscription.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace {

using payment_impl =
    payment_actor::extend<caf::reacts_to<notify_atom, std::vector<event>>,
                          caf::reacts_to<expire_atom, std::string, std::string>,
                          caf::reacts_to<sweep_atom>, caf::reacts_to<checkpoint_atom>>;

struct payment_state {
  durable_consumer durable{"payment"}; // follows completed generations
  static inline const char* name = "payment";
};

using payment_pointer = payment_impl::stateful_pointer<payment_state>;

// The origin of an event Payment records about course `c`: its next version.
event_origin next_of(const course_summary& c, const std::string& correlation,
                     const std::string& causation) {
  return {c.id, c.version + 1, correlation, causation};
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Arms the expiry timer of a payment from its stored expiry (wall time). The timer itself runs on
// the monotonic clock; the wait is at most the configured expiry however the wall clock moved
// since the expiry was stored (a restart after a jump back must not wait for years).
void arm_expiry(payment_pointer self, const payment_settings& s, const std::string& course_id,
                const std::string& payment_id, int64_t expires_us) {
  auto limit = std::chrono::duration_cast<std::chrono::microseconds>(s.expiry).count();
  auto left = time_left_us(expires_us, now_us(), limit);
  self->delayed_send(self, std::chrono::microseconds{left}, expire_atom::value, course_id,
                     payment_id);
}

void log_failure(payment_pointer self, const std::string& what, const caf::error& err,
                 const std::string& course_id = "", const std::string& correlation = "") {
  if (!is(err, errc::conflict)) // conflict: the course moved on; nothing to do
    log_event(log_level::warn, "payment", what,
              {{"course_id", course_id},
               {"correlation_id", correlation},
               {"error", self->system().render(err)}});
}

// The payment.required event for generated course `c`, when it is priced and not a dry run.
// Its expected subject version makes a repeat (live event and recovery sweep both firing) a
// harmless conflict.
std::optional<event> payment_request(const payment_settings& s, const course_summary& c,
                                     const std::string& correlation, const std::string& causation) {
  if (c.dry_run || c.amount_cents <= 0 || c.status != course_status::generated)
    return std::nullopt;
  payment_required_data data;
  data.payment_id = make_uuid_v7();
  data.amount_cents = c.amount_cents;
  data.currency = c.currency;
  data.expires_us = now_us() + s.expiry.count() * 1000000;
  return make_event(next_of(c, correlation, causation), data);
}

// A committed payment.required: its expiry timer runs from now on.
void arm_expiry_of(payment_pointer self, const payment_settings& s, const event& required) {
  auto data = read_payment_required(required);
  if (!data) // cannot happen for the event just built; the startup sweep re-arms from the log
    return log_failure(self, "cannot read payment.required", data.error(), required.subject,
                       required.correlation_id);
  arm_expiry(self, s, required.subject, data->payment_id, data->expires_us);
}

// A generated course (delivered durably): ask for payment if it is priced and not a dry run,
// committing the request with the checkpoint. Nothing to do when the course moved on.
void on_generated(payment_pointer self, const payment_settings& s, event_log_actor log,
                  const event& completed) {
  self->request(log, s.log_timeout, summary_atom::value, completed.subject)
      .then(
          [=](const course_summary& c) {
            auto e = c.version == completed.subject_version
                         ? payment_request(s, c, completed.correlation_id, completed.id)
                         : std::nullopt;
            if (!e)
              return finish_event(self, completed.seq);
            commit_effect(
                self, log, s.log_timeout, completed, {*e},
                [=](std::vector<event>& committed) { arm_expiry_of(self, s, committed.front()); });
          },
          [=](caf::error& err) {
            log_failure(self, "cannot read course", err, completed.subject,
                        completed.correlation_id);
            retry_event(self, completed);
          });
}

// Turns a notice into the event it means for course `c`, or explains why it means nothing.
std::optional<event> judge(const payment_notice& n, const course_summary& c, std::string& why) {
  // Money taken after we gave up (our expiry, a declined first card) still enables the course.
  bool late_completion = n.outcome == "completed" && c.status == course_status::payment_failed
                         && !c.payment_id.empty();
  if (c.status != course_status::awaiting_payment && !late_completion) {
    why = "the course is " + c.status + ", not awaiting payment";
    return std::nullopt;
  }
  if (!n.payment_id.empty() && n.payment_id != c.payment_id) {
    why = "unknown payment " + n.payment_id;
    return std::nullopt;
  }
  auto correlation = make_uuid_v7();
  if (n.outcome == "completed") {
    if (n.amount_cents == c.amount_cents && upper(n.currency) == c.currency) {
      payment_completed_data paid;
      paid.payment_id = c.payment_id;
      paid.transaction_id = n.transaction_id;
      paid.amount_cents = n.amount_cents;
      paid.currency = upper(n.currency);
      return make_event(next_of(c, correlation, n.event_id), paid);
    }
    return make_event(next_of(c, correlation, n.event_id),
                      payment_failed_data{c.payment_id, "amount_mismatch"});
  }
  if (n.outcome == "failed")
    return make_event(next_of(c, correlation, n.event_id),
                      payment_failed_data{c.payment_id, n.reason.empty() ? "failed" : n.reason});
  why = "unknown outcome " + n.outcome;
  return std::nullopt;
}

caf::result<webhook_outcome> on_notice(payment_pointer self, const payment_settings& s,
                                       event_log_actor log, payment_notice n) {
  auto rp = self->make_response_promise<webhook_outcome>();
  auto not_before = now_us() - s.notice_retention.count() * 1000000;
  idempotency_record rec;
  rec.scope = n.scope;
  rec.key = n.event_id;
  rec.fingerprint = n.event_id;
  rec.not_before_us = not_before;
  auto fail = [rp](caf::error& err) mutable { rp.deliver(std::move(err)); };
  self->request(log, s.log_timeout, recall_atom::value, rec.scope, rec.key, not_before)
      .then(
          [=](const idempotency_record& seen) mutable {
            if (seen.found) {
              rp.deliver(webhook_outcome{"duplicate", "event " + n.event_id + " seen before", 0});
              return;
            }
            self->request(log, s.log_timeout, summary_atom::value, n.course_id)
                .then(
                    [=](const course_summary& c) mutable {
                      std::string why;
                      auto e = judge(n, c, why);
                      if (!e) {
                        // A twin of this notice may have committed between our recall and this
                        // read (its record commits with its event): then it is a duplicate.
                        self->request(log, s.log_timeout, recall_atom::value, rec.scope, rec.key,
                                      not_before)
                            .then(
                                [=](const idempotency_record& twin) mutable {
                                  if (twin.found)
                                    rp.deliver(webhook_outcome{
                                        "duplicate", "event " + n.event_id + " seen before", 0});
                                  else
                                    rp.deliver(webhook_outcome{"ignored", why, 0});
                                },
                                fail);
                        return;
                      }
                      auto type = e->type;
                      rec.response = type;
                      self->request(log, s.log_timeout, append_atom::value, std::vector<event>{*e},
                                    rec)
                          .then(
                              [=](const std::vector<event>& committed) mutable {
                                rp.deliver(
                                    webhook_outcome{"recorded", type, committed.front().seq});
                              },
                              [=](caf::error& err) mutable {
                                if (is(err, errc::duplicate)) {
                                  rp.deliver(webhook_outcome{
                                      "duplicate", "event " + n.event_id + " seen before", 0});
                                  return;
                                }
                                rp.deliver(std::move(err));
                              });
                    },
                    [=](caf::error& err) mutable {
                      if (is(err, errc::not_found)) {
                        rp.deliver(webhook_outcome{"ignored", "unknown course " + n.course_id, 0});
                        return;
                      }
                      rp.deliver(std::move(err));
                    });
          },
          fail);
  return rp;
}

constexpr int64_t expiry_retry_us = 5'000'000;

void on_expire(payment_pointer self, const payment_settings& s, event_log_actor log,
               const std::string& course_id, const std::string& payment_id) {
  // A failure to read or record (not a conflict: the course moved on) tries again shortly.
  auto again = [=](const char* what, const caf::error& err) {
    log_failure(self, what, err, course_id);
    if (!is(err, errc::conflict))
      arm_expiry(self, s, course_id, payment_id, now_us() + expiry_retry_us);
  };
  self->request(log, s.log_timeout, summary_atom::value, course_id)
      .then(
          [=](const course_summary& c) {
            if (c.status != course_status::awaiting_payment || payment_id.empty()
                || c.payment_id != payment_id)
              return;
            // The timer ran its length on the monotonic clock: the payment has expired, even
            // when the wall clock, set back meanwhile, says expires_at is still ahead.
            auto e = make_event(next_of(c, make_uuid_v7(), payment_id),
                                payment_failed_data{payment_id, "expired"});
            self->request(log, s.log_timeout, append_atom::value, std::vector<event>{e})
                .then([](const std::vector<event>&) {},
                      [=](caf::error& err) { again("cannot record payment expiry", err); });
          },
          [=](caf::error& err) {
            if (!is(err, errc::not_found))
              again("cannot read course", err);
          });
}

// Sweeps the log, page by page, for work this actor owns: pending payments get their expiry
// timers back, and priced courses left at generated (an append that failed for good) get their
// payment request. `min_age_us` spares courses that changed a moment ago.
void sweep(payment_pointer self, const payment_settings& s, event_log_actor log, const char* status,
           std::string after, int64_t min_age_us) {
  course_query q{status, std::move(after), 500, status == std::string{course_status::generated}};
  self->request(log, s.log_timeout, list_atom::value, q)
      .then(
          [=](const course_page& page) {
            auto now = now_us();
            for (const auto& c : page.items) {
              if (changed_within(c.updated_us, now, min_age_us))
                continue;
              if (c.status == course_status::awaiting_payment) {
                arm_expiry(self, s, c.id, c.payment_id, c.payment_expires_us);
              } else if (auto e = payment_request(s, c, make_uuid_v7(), "")) {
                self->request(log, s.log_timeout, append_atom::value, std::vector<event>{*e})
                    .then(
                        [=](std::vector<event>& committed) {
                          arm_expiry_of(self, s, committed.front());
                        },
                        [=](caf::error& err) {
                          log_failure(self, "cannot record payment.required", err, c.id);
                        });
              }
            }
            if (!page.next_after.empty())
              sweep(self, s, log, status, page.next_after, min_age_us);
          },
          [=](caf::error& err) { log_failure(self, "cannot sweep courses", err); });
}

payment_impl::behavior_type payment(payment_pointer self, event_log_actor log, payment_settings s) {
  subscribe_durably(self, log, event_types::generation_completed, s.log_timeout);
  // Pending payments get their expiry timers back. Generated courses missed while stopped come
  // by the subscription's catch-up; the periodic sweep is for appends that failed meanwhile.
  sweep(self, s, log, course_status::awaiting_payment, "", 0);
  self->delayed_send(self, s.sweep_interval, sweep_atom::value);
  return {
      [=](webhook_atom, payment_notice& n) { return on_notice(self, s, log, std::move(n)); },
      [=](notify_atom, const std::vector<event>& events) {
        consume(self, events, [=](const event& e) { on_generated(self, s, log, e); });
      },
      [=](checkpoint_atom) { save_checkpoint(self, log, s.log_timeout); },
      [=](expire_atom, const std::string& course_id, const std::string& payment_id) {
        on_expire(self, s, log, course_id, payment_id);
      },
      [=](sweep_atom) {
        sweep(self, s, log, course_status::generated, "", s.sweep_min_age.count() * 1000);
        self->delayed_send(self, s.sweep_interval, sweep_atom::value);
      },
  };
}

} // namespace

payment_actor spawn_payment(caf::actor_system& sys, event_log_actor log, payment_settings s) {
  return sys.spawn(payment, std::move(log), s);
}

} // namespace cf
