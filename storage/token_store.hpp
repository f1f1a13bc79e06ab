// The API tokens of the service in its SQLite file (table `tokens`, schema version 7): created and
// revoked by `coursefactory token`, read by the HTTP front through token_source. Hashes only.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <memory>
#include <string>
#include <vector>

#include "domain/api_token.hpp"

namespace cf {

/// A connection of its own to the service's database, for its tokens. Safe for concurrent use
/// from several threads (one mutex around the connection); other processes (the service, the
/// `token` command) may use the same file at the same time.
class sqlite_token_store final : public token_source {
public:
  /// Opens the database at `path` (created, with its folder, when missing) and brings its schema
  /// up to date as sqlite_event_store::open does (migrate(): a backup before migrating an older
  /// file). Errors: storage_unavailable, storage_corrupt (a newer schema than this build's).
  [[nodiscard]] static caf::expected<std::unique_ptr<sqlite_token_store>> open(
      const std::string& path);

  ~sqlite_token_store() override;

  /// Stores `t` (its name, hash, scopes and times). Errors: invalid_argument (a bad name or no
  /// scope), conflict (the name, or the hash, is taken), storage_unavailable.
  [[nodiscard]] caf::error create(const api_token& t);

  /// Marks the token `name` revoked at `when_us` (a revoked one keeps its first time).
  /// Errors: not_found (no such token), storage_unavailable.
  [[nodiscard]] caf::error revoke(const std::string& name, int64_t when_us);

  /// Every token, by name. Errors: storage_unavailable.
  [[nodiscard]] caf::expected<std::vector<api_token>> load_tokens() override;

private:
  struct impl;
  explicit sqlite_token_store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace cf
