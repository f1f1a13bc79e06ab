// Inbound bus messages: both envelopes, both spellings, every field checked.
#include "domain/bus_inbound.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "domain/json_schema.hpp"
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

json optional_text(const char* description) {
  return {{"type", {"string", "null"}}, {"description", description}};
}

json make_schemas() {
  const json id_text{{"type", "string"}, {"minLength", 1}};
  const json course{{"type", "string"}, {"minLength", 1}, {"description", "The course id."}};
  json paid{
      {"type", "object"},
      {"description", "A payment module's completed payment. Other members are ignored."},
      {"properties",
       {{"course_id", course},
        {"transaction_id",
         {{"type", "string"}, {"minLength", 1}, {"description", "The payment module's id."}}},
        {"amount_cents", {{"type", "integer"}, {"minimum", 0}, {"description", "Minor units."}}},
        {"amount",
         {{"type", "number"},
          {"minimum", 0},
          {"maximum", 1e13},
          {"description", "Major units, at most two decimals (instead of amount_cents)."}}},
        {"currency",
         {{"type", "string"}, {"minLength", 3}, {"maxLength", 3}, {"description", "ISO 4217."}}}}},
      {"required", {"course_id", "transaction_id", "currency"}},
      {"anyOf", {{{"required", {"amount_cents"}}}, {{"required", {"amount"}}}}}};
  json failed{{"type", "object"},
              {"description", "A payment module's failed payment."},
              {"properties",
               {{"course_id", course},
                {"transaction_id", optional_text("The payment module's id.")},
                {"reason", optional_text("Why; \"failed\" when absent.")}}},
              {"required", {"course_id"}}};
  json answer{
      {"type", "object"},
      {"description", "A distribution module's answer to a course.distribution.requested."},
      {"properties",
       {{"course_id", course},
        {"request_id", optional_text("The order's event id.")},
        {"distribution_id", optional_text("Another name of request_id.")},
        {"url", optional_text("Where the course is now (completed).")},
        {"error", optional_text("What went wrong (failed); \"failed\" when absent.")}}},
      {"required", {"course_id"}},
      {"anyOf",
       {{{"required", {"request_id"}}, {"properties", {{"request_id", id_text}}}},
        {{"required", {"distribution_id"}}, {"properties", {{"distribution_id", id_text}}}}}}};
  json types = json::array();
  json payloads = json::object();
  for (const char* t : {"payment.completed", "course.payment.completed"}) {
    types.push_back(t);
    payloads[t] = paid;
  }
  for (const char* t : {"payment.failed", "course.payment.failed"}) {
    types.push_back(t);
    payloads[t] = failed;
  }
  for (const char* t : {"course.distribution.completed", "course.distribution.failed"}) {
    types.push_back(t);
    payloads[t] = answer;
  }
  auto envelope = [&](const char* payload, const char* description) {
    return json{{"type", "object"},
                {"description", description},
                {"properties",
                 {{"id", {{"type", "string"}, {"minLength", 1}, {"description", "Deduplicates."}}},
                  {"type", {{"enum", types}}},
                  {payload, {{"type", "object"}}}}},
                {"required", {"id", "type", payload}}};
  };
  return {{"cloudevents", envelope("data", "Field data: a CloudEvent (JSON), payload in data.")},
          {"platform", envelope("payload", "Field event: the platform envelope (JSON).")},
          {"payloads", std::move(payloads)}};
}

} // namespace

const json& inbound_schemas() {
  static const json instance = make_schemas();
  return instance;
}

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
  const auto& schemas = inbound_schemas();
  const auto& envelope = schemas[payload_key[0] == 'd' ? "cloudevents" : "platform"];
  if (auto err = check_json_schema(envelope, doc); !err.empty())
    return bad(err);
  if (auto err = check_json_schema(schemas["payloads"][doc["type"].get<std::string>()],
                                   doc[payload_key], "payload");
      !err.empty())
    return bad(err);
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
