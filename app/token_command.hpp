// `coursefactory token create|list|revoke`, and the admin token the service makes on its first
// start.
#pragma once

#include <string>
#include <vector>

#include "config/settings.hpp"
#include "storage/token_store.hpp"

namespace cf {

/// Runs `coursefactory token ARGS...`. Returns the exit code: 0 done, 1 failed (storage, a name
/// taken or unknown), 2 usage error (nothing written).
int run_token_command(const std::vector<std::string>& args);

/// Where the service keeps its admin token: "admin-token" in the folder of the payment webhook
/// secret's file (payment.stripe_webhook_secret_file; state.dir by default).
std::string admin_token_file(const settings& s);

/// A new random token: "cf_" and 64 hex digits (256 bits from /dev/urandom).
/// Errors: storage_unavailable.
[[nodiscard]] caf::expected<std::string> make_token();

/// When `store` holds no token at all, creates the token "admin" (scope admin, no expiry) and
/// writes it to `file` (mode 0600, replacing a stale file) before storing its hash; logs the
/// file's path, never the token. Does nothing when a token exists.
/// Errors: storage_unavailable (the file or the store could not be written).
[[nodiscard]] caf::error ensure_admin_token(sqlite_token_store& store, const std::string& file);

} // namespace cf
