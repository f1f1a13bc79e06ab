// Cryptographic building blocks on OpenSSL libcrypto: SHA-256, HMAC-SHA256, a constant-time
// comparison, and the secret files that key the webhook signatures (util/signature_header.hpp).
#pragma once

#include <caf/expected.hpp>
#include <string>

namespace cf {

/// Lower-case hex of HMAC-SHA256(key, message); empty only if libcrypto fails.
std::string hmac_sha256_hex(const std::string& key, const std::string& message);

/// Lower-case hex of SHA-256(data); empty only if libcrypto fails.
std::string sha256_hex(const std::string& data);

/// True when `a` and `b` are equal. For equal sizes the time taken does not depend on where they
/// differ (use it for MACs and secrets); different sizes return false at once.
bool equal_in_constant_time(const std::string& a, const std::string& b);

/// Reads the secret on the first line of `path`, or (with `create`, when the file cannot be read)
/// creates the file and its folder with a new random "whsec_..." secret, readable by its owner
/// only. Returns the secret. Errors (context: a sentence naming `path`): invalid_argument (the
/// file is empty), not_found (no file and `create` is false), storage_unavailable (the file
/// exists but cannot be read, or cannot be created or written).
[[nodiscard]] caf::expected<std::string> load_or_create_secret(const std::string& path,
                                                               bool create = true);

/// Lower-case hex of `bytes` random bytes from /dev/urandom. Errors: storage_unavailable.
[[nodiscard]] caf::expected<std::string> random_hex(size_t bytes);

/// Creates `path` (and its folder) with `content`, readable by its owner only (mode 0600) from
/// the first byte on; never overwrites. Errors: storage_unavailable (it exists, or cannot be
/// created or written), with a sentence naming `path`.
[[nodiscard]] caf::error create_private_file(const std::string& path, const std::string& content);

} // namespace cf
