// Reading a Stripe event (checkout.session.*, payment_intent.payment_failed) into a notice.
#include "domain/payment_notice.hpp"

#include <nlohmann/json.hpp>

namespace cf {

namespace {

using json = nlohmann::json;

std::string string_at(const json& j, const char* key) {
  auto i = j.find(key); // end() for anything but an object
  return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace

payment_notice stripe_notice(const json& ev) {
  payment_notice n;
  n.event_id = string_at(ev, "id");
  auto type = string_at(ev, "type");
  const json empty = json::object();
  const auto& obj = ev.contains("data") && ev["data"].is_object() && ev["data"].contains("object")
                            && ev["data"]["object"].is_object()
                        ? ev["data"]["object"]
                        : empty;
  const auto& meta =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"] : empty;
  n.course_id = string_at(meta, "course_id");
  n.payment_id = string_at(meta, "payment_id");
  auto paid_status = string_at(obj, "payment_status");
  bool settled =
      paid_status.empty() || paid_status == "paid" || paid_status == "no_payment_required";
  if ((type == "checkout.session.completed" && settled)
      || type == "checkout.session.async_payment_succeeded") {
    n.outcome = "completed";
    n.transaction_id = string_at(obj, "payment_intent");
    if (auto a = obj.find("amount_total"); a != obj.end() && a->is_number_integer())
      n.amount_cents = a->get<int64_t>();
    n.currency = string_at(obj, "currency");
  } else if (type == "checkout.session.async_payment_failed") {
    n.outcome = "failed";
    n.reason = "async_payment_failed";
  } else if (type == "checkout.session.expired") {
    n.outcome = "failed";
    n.reason = "expired";
  } else if (type == "payment_intent.payment_failed") {
    n.outcome = "failed";
    n.transaction_id = string_at(obj, "id");
    const auto& err = obj.contains("last_payment_error") && obj["last_payment_error"].is_object()
                          ? obj["last_payment_error"]
                          : empty;
    n.reason = string_at(err, "code");
    if (n.reason.empty())
      n.reason = string_at(err, "message");
    if (n.reason.empty())
      n.reason = "payment_failed";
  }
  return n;
}

} // namespace cf
