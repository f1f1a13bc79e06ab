// POST /v1/payments/webhook: Stripe-format payment webhooks, verified exactly as Stripe signs,
// translated into payment notices for the Payment actor.
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "actors/payment.hpp"
#include "http/limits.hpp"
#include "http/problem.hpp"
#include "http/routes.hpp"
#include "util/errc.hpp"
#include "util/signature_header.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

std::string string_at(const json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

// What a Stripe event means for us; `outcome` stays empty for event types we do not handle.
payment_notice to_notice(const json& ev) {
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

void received(httplib::Response& res, const std::string& result, const std::string& detail,
              int64_t seq = 0) {
  json body{{"received", true}, {"result", result}, {"detail", detail}};
  if (seq > 0)
    body["seq"] = seq;
  write_json(res, 200, body.dump());
}

void payment_webhook(const route_context& ctx, const httplib::Request& req,
                     httplib::Response& res) {
  if (ctx.webhook_secret.empty())
    return write_problem(res, 503, "not_configured", "no payment webhook secret is configured");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (auto err = verify_signature(ctx.webhook_secret, req.get_header_value("Stripe-Signature"),
                                  req.body, now, ctx.webhook_tolerance_s)) {
    // The reason ("missing", "malformed", "stale", "mismatch") is the whole context: it names
    // the problem type (signature_stale) that clients and tests read.
    auto reason = error_context(err);
    return write_problem(res, 400, "signature_" + reason, "Stripe-Signature rejected: " + reason);
  }
  auto ev = json::parse(req.body, nullptr, false);
  if (ev.is_discarded() || !ev.is_object())
    return write_problem(res, 400, "malformed_json", "the body is not a JSON object");
  auto notice = to_notice(ev);
  if (notice.event_id.empty())
    return write_problem(res, 400, "invalid_event", "the event has no id");
  if (notice.outcome.empty()) // other types; a completed session whose money is not settled yet
    return received(res, "ignored", "event type not handled: " + string_at(ev, "type"));
  if (notice.course_id.empty())
    return received(res, "ignored", "no metadata.course_id");
  auto outcome = ask<webhook_outcome>(ctx, ctx.actors.payment, webhook_atom::value, notice);
  if (!outcome)
    return fail(ctx, res, outcome.error());
  received(res, outcome->result, outcome->detail, outcome->seq);
}

} // namespace

void register_payment_routes(httplib::Server& srv, const route_context& ctx) {
  const auto* c = &ctx;
  post_bounded(srv, "/v1/payments/webhook",
               [c](const auto& req, auto& res) { payment_webhook(*c, req, res); });
  reject_other_methods(srv, "/v1/payments/webhook", "POST");
}

} // namespace cf
