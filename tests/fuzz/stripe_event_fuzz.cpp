// libFuzzer target: the Stripe event parser (domain/payment_notice.*), the part of
// POST /v1/payments/webhook after the signature. Properties: any JSON value reads without an
// exception; a notice has no outcome or one of ours; what the Payment actor stores of a notice
// (its fields, in a course.payment.* event) serializes and reads back. Input: the webhook body.
#include <cstdint>

#include "domain/course_events.hpp"
#include "domain/payment_notice.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/json_text.hpp"

using namespace cf;
using namespace cf::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ev = parse_json_exact(text_of(data, size)); // as the route reads it
  if (ev.is_discarded())
    return 0;
  auto n = stripe_notice(ev);
  expect(n.outcome.empty() || n.outcome == "completed" || n.outcome == "failed",
         "an outcome of another kind", n.outcome);
  must_dump(nlohmann::json{{"event_id", n.event_id},
                           {"course_id", n.course_id},
                           {"payment_id", n.payment_id},
                           {"transaction_id", n.transaction_id},
                           {"amount_cents", n.amount_cents},
                           {"currency", n.currency},
                           {"reason", n.reason}},
            "the notice's fields");
  event_origin o{n.course_id, 2, "corr", n.event_id};
  if (n.outcome == "completed") {
    payment_completed_data d{n.payment_id, n.transaction_id, n.amount_cents, n.currency};
    auto back = read_payment_completed(make_event(o, d));
    expect(back && back->transaction_id == d.transaction_id && back->currency == d.currency
               && back->amount_cents == d.amount_cents,
           "course.payment.completed does not read back");
  } else if (n.outcome == "failed") {
    payment_failed_data d{n.payment_id, n.reason};
    auto back = read_payment_failed(make_event(o, d));
    expect(back && back->reason == d.reason, "course.payment.failed does not read back");
  }
  return 0;
}
