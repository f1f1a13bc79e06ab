// Test kit: API tokens for in-process HTTP fronts. service_fixture::start_http accepts
// `admin_token`; tests that check auth build their own token_list.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/api_token.hpp"

namespace cf::testkit {

/// The bearer token every HTTP front of service_fixture accepts (token name "test-admin",
/// scope admin). Clients: `cli.set_bearer_token_auth(testkit::admin_token)`.
inline constexpr const char* admin_token = "cf_test_admin_token";

/// A token_source holding tokens in memory; tests add and revoke while a server reads it.
class token_list : public token_source {
public:
  /// Adds `token` under `name` with scope bits `bits`, expiring at `expires_us` (0: never).
  void add(const std::string& name, const std::string& token, uint32_t bits,
           int64_t expires_us = 0) {
    api_token t;
    t.name = name;
    t.hash = token_hash(token);
    t.scopes = bits;
    t.expires_us = expires_us;
    std::lock_guard<std::mutex> guard{mu_};
    tokens_.push_back(t);
  }

  /// Marks `name` revoked.
  void revoke(const std::string& name) {
    std::lock_guard<std::mutex> guard{mu_};
    for (auto& t : tokens_)
      if (t.name == name)
        t.revoked_us = 1;
  }

  caf::expected<std::vector<api_token>> load_tokens() override {
    std::lock_guard<std::mutex> guard{mu_};
    return tokens_;
  }

private:
  std::mutex mu_;
  std::vector<api_token> tokens_;
};

/// A token_list holding only admin_token.
inline std::shared_ptr<token_list> admin_tokens() {
  auto list = std::make_shared<token_list>();
  list->add("test-admin", admin_token, scopes::admin);
  return list;
}

} // namespace cf::testkit
