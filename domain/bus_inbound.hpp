// What other modules send coursefactory on the bus: payment results (from a payment module) and
// answers to distribution requests (from a distribution module), read from a stream entry in
// either of the relay's formats (field `data`: CloudEvents JSON; field `event`: the platform's
// envelope). Outside input: every field is checked here, before anything acts on it.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cf {

/// One inbound message, in our words.
struct inbound_message {
  enum class kind { payment, distribution };
  kind what = kind::payment;
  std::string id;             ///< The message's own id: what deduplicates it.
  std::string type;           ///< As sent, e.g. "payment.completed".
  std::string outcome;        ///< "completed" or "failed".
  std::string course_id;      ///< The course it is about.
  std::string transaction_id; ///< payment: the payment module's transaction.
  int64_t amount_cents = 0;   ///< payment completed: what was paid, in minor units.
  std::string currency;       ///< payment completed: ISO 4217.
  std::string reason;         ///< failed: why.
  std::string request_id;     ///< distribution: the course.distribution.requested event's id.
  std::string url;            ///< distribution completed: where the course is now.
};

/// The JSON Schemas every inbound message is checked against before anything else (published in
/// docs/asyncapi.json): {"cloudevents": the `data` field's object, "platform": the `event`
/// field's object, "payloads": {"<type>": the payload's schema}}. Beyond them only the amount's
/// two decimals are checked (a float rule JSON Schema cannot state exactly).
const nlohmann::json& inbound_schemas();

/// Reads a stream entry's fields. Payment types: payment.completed, payment.failed and the
/// course.payment.* spellings; payload course_id, transaction_id, amount_cents (an integer) or
/// amount (a number of major units with at most two decimals), currency (three letters), reason.
/// Distribution types: course.distribution.completed and .failed; payload course_id,
/// request_id (or distribution_id), url, error (or reason). Errors: errc::invalid_argument naming
/// the first problem (not JSON, an unknown type, the first violation of the schemas).
caf::expected<inbound_message> parse_inbound(
    const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace cf
