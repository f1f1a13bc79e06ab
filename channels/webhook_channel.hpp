// The `webhook` distribution channel: POSTs each published course, signed Stripe-style
// (Coursefactory-Signature) and keyed for deduplication (Idempotency-Key), to configured URLs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channels/channel.hpp"

namespace cf {

/// A channel that delivers every publication to each of `urls` (absolute http:// or https://
/// URLs), signing the JSON body with `secret` (util/signature_header.hpp). `timeout_ms` bounds
/// each delivery as a whole (connecting, sending, the complete answer: a receiver that hangs or
/// trickles its answer is cut off then). Succeeds only when every receiver answers 2xx;
/// any 5xx, 408, 429, timeout or connection error is transient; other non-2xx answers are
/// permanent.
std::shared_ptr<channel> make_webhook_channel(std::vector<std::string> urls, std::string secret,
                                              int64_t timeout_ms);

} // namespace cf
