// Payment: asks for payment when a priced course is generated, records what the payment provider
// reports (verified webhooks), and fails payments that are not completed before they expire.
#pragma once

#include <caf/typed_actor.hpp>
#include <chrono>
#include <string>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "domain/payment_notice.hpp"

namespace cf {

/// What became of a notice.
struct webhook_outcome {
  std::string result; ///< "recorded", "duplicate" (seen before) or "ignored".
  std::string detail; ///< Why it was ignored, or the recorded event's type.
  int64_t seq = 0;    ///< The recorded event's sequence number.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_outcome& x) {
  return f(caf::meta::type_name("cf.webhook_outcome"), x.result, x.detail, x.seq);
}

using payment_actor = caf::typed_actor<
    // Records a provider notice as course.payment.completed or course.payment.failed (an amount
    // or currency other than required fails with reason amount_mismatch). A notice for an
    // unknown course, another payment, or a course not awaiting payment is ignored. Errors:
    // storage_unavailable, conflict (the course changed meanwhile: the provider should retry).
    caf::replies_to<webhook_atom, payment_notice>::with<webhook_outcome>>;

struct payment_settings {
  log_wait log_timeout{caf::infinite};               ///< Per request to EventLog (see there).
  std::chrono::seconds expiry{86400};                ///< A payment not completed by then fails.
  std::chrono::seconds notice_retention{30 * 86400}; ///< How long provider event ids are kept.
  std::chrono::seconds sweep_interval{30};           ///< How often stalled work is looked for.
  std::chrono::milliseconds sweep_min_age{10000};    ///< Courses unchanged this long are stalled.
};

/// Spawns Payment. It follows course.generation.completed in `log` and re-arms the expiry timers
/// of payments that are pending in the log when it starts.
payment_actor spawn_payment(caf::actor_system& sys, event_log_actor log, payment_settings s = {});

} // namespace cf
