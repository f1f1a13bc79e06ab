// `coursefactory pay`: completes a course's payment on a local install without Stripe, by
// sending the running service a Stripe-format webhook signed with the configured secret.
#pragma once

#include <string>
#include <vector>

namespace cf {

/// Runs `coursefactory pay COURSE_ID [options]`; returns the process exit code. Prints the
/// service's answer.
int run_pay_command(const std::vector<std::string>& args);

/// Builds the Stripe event body `pay` sends: a checkout.session.completed for the given
/// course and payment (or, with `fail_reason`, a payment_intent.payment_failed).
std::string make_stripe_event(const std::string& course_id, const std::string& payment_id,
                              int64_t amount_cents, const std::string& currency,
                              const std::string& fail_reason = {});

} // namespace cf
