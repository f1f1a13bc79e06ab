// The pay command: read the course, build and sign a Stripe-format event, POST it.
#include "app/pay_command.hpp"

#include <httplib.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/token_command.hpp"
#include "config/settings.hpp"
#include "util/crypto.hpp"
#include "util/errc.hpp"
#include "util/signature_header.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace {

constexpr const char* pay_usage =
    "usage: coursefactory pay COURSE_ID [--url http://127.0.0.1:8080] [--fail REASON]\n"
    "                         [--token TOKEN] [--config FILE] [--state-dir DIR]\n"
    "                         [--payment-stripe-webhook-secret S]\n\n"
    "Sends the running service a signed Stripe webhook that completes (or, with --fail, fails)\n"
    "the course's pending payment, for local installs without a Stripe account. The secret is\n"
    "found as the service finds it (flag, COURSEFACTORY_PAYMENT_STRIPE_WEBHOOK_SECRET, config\n"
    "file, payment.stripe_webhook_secret_file in state.dir). The course is read with --token "
    "(courses:read), by\n"
    "default the admin token the service wrote next to that file.\n";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

std::string make_stripe_event(const std::string& course_id, const std::string& payment_id,
                              int64_t amount_cents, const std::string& currency,
                              const std::string& fail_reason) {
  using json = nlohmann::json;
  auto created = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  json metadata{{"course_id", course_id}, {"payment_id", payment_id}};
  json object;
  std::string type;
  if (fail_reason.empty()) {
    type = "checkout.session.completed";
    object = {{"id", "cs_local_" + make_uuid_v7()},
              {"object", "checkout.session"},
              {"amount_total", amount_cents},
              {"currency", lower(currency)},
              {"payment_intent", "pi_local_" + make_uuid_v7()},
              {"payment_status", "paid"},
              {"metadata", metadata}};
  } else {
    type = "payment_intent.payment_failed";
    object = {{"id", "pi_local_" + make_uuid_v7()},
              {"object", "payment_intent"},
              {"amount", amount_cents},
              {"currency", lower(currency)},
              {"last_payment_error", {{"code", fail_reason}, {"message", fail_reason}}},
              {"metadata", metadata}};
  }
  return json{{"id", "evt_local_" + make_uuid_v7()},
              {"object", "event"},
              {"type", type},
              {"created", created},
              {"livemode", false},
              {"data", {{"object", object}}}}
      .dump();
}

int run_pay_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << pay_usage;
    return args.empty() ? 2 : 0;
  }
  auto course_id = args[0];
  std::string url = "http://127.0.0.1:8080", fail_reason, token;
  std::vector<std::string> rest;
  for (size_t i = 1; i < args.size(); ++i) {
    if ((args[i] == "--url" || args[i] == "--fail") && i + 1 < args.size())
      (args[i] == "--url" ? url : fail_reason) = args[i + 1], ++i;
    else if (args[i] == "--token" && i + 1 < args.size())
      token = args[++i];
    else
      rest.push_back(args[i]);
  }
  auto cmd = read_command_line("pay", rest);
  if (!cmd)
    return 2;
  std::string secret = cmd->s.stripe_webhook_secret;
  if (secret.empty()) {
    auto from_file = load_or_create_secret(cmd->s.stripe_webhook_secret_file, false);
    if (!from_file) {
      std::cerr << "coursefactory pay: " << error_context(from_file.error()) << "\n";
      return 1;
    }
    secret = std::move(*from_file);
  }
  if (token.empty()) // without one, the GET below says 401 and why
    if (auto admin = load_or_create_secret(admin_token_file(cmd->s), false))
      token = std::move(*admin);
  httplib::Client cli{url};
  cli.set_connection_timeout(5);
  if (!token.empty())
    cli.set_bearer_token_auth(token);
  auto course = cli.Get(("/v1/courses/" + course_id).c_str());
  if (!course) {
    std::cerr << "coursefactory pay: cannot reach " << url << "\n";
    return 1;
  }
  if (course->status != 200) {
    std::cerr << "coursefactory pay: GET /v1/courses/" << course_id << " answered "
              << course->status << ": " << course->body << "\n";
    return 1;
  }
  auto c = nlohmann::json::parse(course->body, nullptr, false);
  if (c.is_discarded() || c.value("status", "") != "awaiting_payment") {
    std::cerr << "coursefactory pay: the course is not awaiting payment (status "
              << (c.is_discarded() ? "?" : c.value("status", "?")) << ")\n";
    return 1;
  }
  const auto& price = c["price"];
  auto body = make_stripe_event(course_id, c.value("payment_id", ""),
                                price.value("amount_cents", int64_t{0}),
                                price.value("currency", ""), fail_reason);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  httplib::Headers headers{{"Stripe-Signature", sign_payload(secret, body, now)}};
  auto res = cli.Post("/v1/payments/webhook", headers, body, "application/json");
  if (!res) {
    std::cerr << "coursefactory pay: cannot reach " << url << "\n";
    return 1;
  }
  std::cout << res->status << " " << res->body << "\n";
  return res->status == 200 ? 0 : 1;
}

} // namespace cf
