// Inbound bus messages: both envelopes, both spellings, every field checked.
#include "domain/bus_inbound.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "util/errc.hpp"
#include "util/json_text.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

caf::error bad(const std::string& why) { return make_error(errc::invalid_argument, why); }

const std::string* field(const std::vector<std::pair<std::string, std::string>>& fields,
                         const std::string& name) {
  for (const auto& [k, v] : fields)
    if (k == name)
      return &v;
  return nullptr;
}

/// A string member, "" when absent; an error when present with another type.
caf::expected<std::string> text(const json& obj, const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required)
      return bad(std::string{"payload."} + key + " is missing");
    return std::string{};
  }
  if (!it->is_string())
    return bad(std::string{"payload."} + key + " is not a string");
  if (required && it->get<std::string>().empty())
    return bad(std::string{"payload."} + key + " is empty");
  return it->get<std::string>();
}

caf::expected<int64_t> amount_of(const json& p) {
  if (auto it = p.find("amount_cents"); it != p.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
      return bad("payload.amount_cents is not a non-negative integer");
    return it->get<int64_t>();
  }
  if (auto it = p.find("amount"); it != p.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1e13)
      return bad("payload.amount is not a non-negative number");
    double cents = it->get<double>() * 100;
    if (std::fabs(cents - std::round(cents)) > 1e-6)
      return bad("payload.amount has more than two decimals");
    return static_cast<int64_t>(std::llround(cents));
  }
  return bad("payload.amount_cents (or amount) is missing");
}

} // namespace

caf::expected<inbound_message> parse_inbound(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  json doc;
  const char* payload_key = nullptr;
  if (const auto* data = field(fields, "data")) {
    doc = parse_json_exact(*data);
    payload_key = "data";
  } else if (const auto* env = field(fields, "event")) {
    doc = parse_json_exact(*env);
    payload_key = "payload";
  } else {
    return bad("the entry has neither a data nor an event field");
  }
  if (doc.is_discarded() || !doc.is_object())
    return bad(std::string{"the "} + (payload_key[0] == 'd' ? "data" : "event")
               + " field is not a JSON object");
  inbound_message m;
  auto id = text(doc, "id", true);
  auto type = text(doc, "type", true);
  if (!id)
    return bad("id is missing or not a string");
  if (!type)
    return bad("type is missing or not a string");
  m.id = *id;
  m.type = *type;
  auto p = doc.find(payload_key);
  if (p == doc.end() || !p->is_object())
    return bad(std::string{payload_key} + " is missing or not an object");
  const auto& payload = *p;
  auto course = text(payload, "course_id", true);
  if (!course)
    return course.error();
  m.course_id = *course;
  if (m.type == "payment.completed" || m.type == "course.payment.completed"
      || m.type == "payment.failed" || m.type == "course.payment.failed") {
    m.what = inbound_message::kind::payment;
    m.outcome = m.type.find("completed") != std::string::npos ? "completed" : "failed";
    auto tx = text(payload, "transaction_id", m.outcome == "completed");
    if (!tx)
      return tx.error();
    m.transaction_id = *tx;
    if (m.outcome == "completed") {
      auto amount = amount_of(payload);
      if (!amount)
        return amount.error();
      m.amount_cents = *amount;
      auto currency = text(payload, "currency", true);
      if (!currency)
        return currency.error();
      if (currency->size() != 3)
        return bad("payload.currency is not a three-letter code");
      m.currency = *currency;
    } else {
      auto reason = text(payload, "reason", false);
      if (!reason)
        return reason.error();
      m.reason = reason->empty() ? "failed" : *reason;
    }
    return m;
  }
  if (m.type == "course.distribution.completed" || m.type == "course.distribution.failed") {
    m.what = inbound_message::kind::distribution;
    m.outcome = m.type == "course.distribution.completed" ? "completed" : "failed";
    auto req = text(payload, "request_id", false);
    if (!req)
      return req.error();
    if (req->empty()) {
      req = text(payload, "distribution_id", true);
      if (!req)
        return bad("payload.request_id (or distribution_id) is missing");
    }
    m.request_id = *req;
    auto url = text(payload, "url", false);
    if (!url)
      return url.error();
    m.url = *url;
    auto error = text(payload, "error", false);
    if (!error)
      return error.error();
    m.reason = error->empty() ? "failed" : *error;
    return m;
  }
  return bad("unknown type " + m.type);
}

} // namespace cf
