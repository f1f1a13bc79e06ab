// POST /v1/payments/webhook: Stripe-format payment webhooks, verified exactly as Stripe signs,
// translated into payment notices for the Payment actor.
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "actors/payment.hpp"
#include "domain/payment_notice.hpp"
#include "http/limits.hpp"
#include "http/problem.hpp"
#include "http/routes.hpp"
#include "util/errc.hpp"
#include "util/json_text.hpp"
#include "util/signature_header.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

std::string string_at(const json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
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
  auto ev = parse_json_exact(req.body);
  if (ev.is_discarded() || !ev.is_object())
    return write_problem(res, 400, "malformed_json", "the body is not a JSON object");
  auto notice = stripe_notice(ev);
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
