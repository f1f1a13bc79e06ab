// What a payment provider's webhook says about a payment, in our words, and the reading of a
// Stripe event into one (the pure part of POST /v1/payments/webhook, testable without a server).
#pragma once

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace cf {

/// What a verified provider webhook says about a payment, in our words.
struct payment_notice {
  std::string event_id;         ///< The provider's event id: a repeat of it changes nothing.
  std::string outcome;          ///< "completed" or "failed".
  std::string course_id;        ///< From the checkout session's metadata.
  std::string payment_id;       ///< Ours, when the provider echoes it (metadata); may be empty.
  std::string transaction_id;   ///< The provider's payment id (Stripe: payment_intent).
  int64_t amount_cents = 0;     ///< What was paid, in minor units.
  std::string currency;         ///< ISO-4217, any case.
  std::string reason;           ///< Why it failed (outcome "failed").
  std::string scope = "stripe"; ///< Who sent it: event ids are unique per scope ("stripe", "bus").
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, payment_notice& x) {
  return f(caf::meta::type_name("cf.payment_notice"), x.event_id, x.outcome, x.course_id,
           x.payment_id, x.transaction_id, x.amount_cents, x.currency, x.reason, x.scope);
}

/// What the Stripe event `ev` (any JSON value) means for us. `outcome` stays empty for event
/// types we do not handle (and for a completed session whose money is not settled yet); fields
/// that are missing or of another type read as empty. Never throws.
payment_notice stripe_notice(const nlohmann::json& ev);

} // namespace cf
