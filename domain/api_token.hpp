// API tokens and their scopes: who may call which part of the HTTP API. Only a token's hash is
// ever stored; storage/token_store.hpp keeps them, http/auth.hpp checks requests against them.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cf {

/// What a token may do, as bits. `admin` is all of them.
namespace scopes {
inline constexpr uint32_t courses_write = 1; ///< "courses:write": create and retry courses.
inline constexpr uint32_t courses_read = 2;  ///< "courses:read": course state and listings.
inline constexpr uint32_t events_read = 4;   ///< "events:read": the event API and its streams.
inline constexpr uint32_t metrics_read = 8;  ///< "metrics:read": GET /metrics.
inline constexpr uint32_t admin = courses_write | courses_read | events_read | metrics_read;
} // namespace scopes

/// One stored token. The token itself is never kept: `hash` is token_hash() of it.
struct api_token {
  std::string name;       ///< Unique; names the caller in every event it causes.
  std::string hash;       ///< Lower-case hex SHA-256 of the token.
  uint32_t scopes = 0;    ///< Bits of cf::scopes.
  int64_t created_us = 0; ///< UTC microseconds since the Unix epoch.
  int64_t expires_us = 0; ///< 0: never expires.
  int64_t revoked_us = 0; ///< 0: not revoked.
};

/// "courses:read,events:read" (any order, commas, optional spaces; "admin" for all) to scope
/// bits. Errors: invalid_argument naming the unknown scope, or for an empty list.
[[nodiscard]] caf::expected<uint32_t> parse_scopes(const std::string& list);

/// Scope bits as a list: "admin" for all of them, else the names joined by commas in the order
/// of cf::scopes ("courses:write,courses:read").
std::string scopes_text(uint32_t bits);

/// A usable token name: 1-64 characters of [A-Za-z0-9._-]. Names appear in events and logs.
bool is_valid_token_name(const std::string& name);

/// The stored form of `token`: lower-case hex SHA-256.
std::string token_hash(const std::string& token);

/// Where the tokens come from, for whoever checks requests. Implementations say whether they are
/// safe to call from several threads at once (sqlite_token_store is).
class token_source {
public:
  virtual ~token_source() = default;
  /// Every stored token, revoked and expired ones included. Errors: storage_unavailable.
  [[nodiscard]] virtual caf::expected<std::vector<api_token>> load_tokens() = 0;
};

} // namespace cf
