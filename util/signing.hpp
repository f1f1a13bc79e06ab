// Stripe-style request signatures: header "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>">" (several v1 entries may appear; one match suffices). Used to verify payment
// webhooks and to sign what the webhook channel sends, so receivers can verify it the same way.
#pragma once

#include <cstdint>
#include <string>

namespace cf {

/// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(const std::string& key, const std::string& message);

/// Lower-case hex of SHA-256(data).
std::string sha256_hex(const std::string& data);

/// The header value for `body` signed at `unix_seconds` with `secret`: "t=...,v1=...".
std::string sign_payload(const std::string& secret, const std::string& body, int64_t unix_seconds);

/// Why a signature was rejected; ok when it was accepted.
enum class signature_check { ok, missing, malformed, stale, mismatch };

/// Verifies `header` for `body`: well-formed, |now - t| <= tolerance_seconds, and one v1 entry
/// equal (compared in constant time) to the expected HMAC.
signature_check verify_signature(const std::string& secret, const std::string& header,
                                 const std::string& body, int64_t now_seconds,
                                 int64_t tolerance_seconds);

/// "ok", "missing", "malformed", "stale" or "mismatch".
const char* to_string(signature_check x);

} // namespace cf
