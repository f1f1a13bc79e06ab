// Stripe-style request signatures: header "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>">" (several v1 entries may appear; one match suffices). Used to verify payment
// webhooks and to sign what the webhook channel sends, so receivers can verify it the same way.
#pragma once

#include <caf/error.hpp>
#include <cstdint>
#include <string>

namespace cf {

/// The header value for `body` signed at `unix_seconds` with `secret`: "t=...,v1=...".
std::string sign_payload(const std::string& secret, const std::string& body, int64_t unix_seconds);

/// Verifies `header` for `body`: well-formed, |now - t| <= tolerance_seconds, and one v1 entry
/// equal (compared in constant time) to the expected HMAC. Returns no error when it is accepted,
/// else errc::invalid_argument whose context (error_context) is the reason, one word: "missing"
/// (empty header), "malformed" (no t, no v1, or a t that is not one integer), "mismatch" (no v1
/// matches) or "stale" (it matches, but t is too far from now).
[[nodiscard]] caf::error verify_signature(const std::string& secret, const std::string& header,
                                          const std::string& body, int64_t now_seconds,
                                          int64_t tolerance_seconds);

} // namespace cf
