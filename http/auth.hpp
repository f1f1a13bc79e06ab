// Who may call what: the scope each route needs, the decision for one request (401 without a
// valid token, 403 without the scope), and the token table cached from a token_source.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/api_token.hpp"

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace cf {

class stream_tickets;

/// What a route asks of its caller.
struct route_access {
  bool needs_token = false; ///< false: public (/v1/health, the Stripe webhook, /courses/...).
  uint32_t scope = 0;       ///< Bits of cf::scopes the token must all have; 0: any valid token.
};

/// The access rule for `method` on `path` (README, "Security"): every /v1 path needs a token
/// except /v1/health and /v1/payments/webhook; POST on courses needs courses:write, other
/// methods on courses courses:read; events (also a course's, and the streams) events:read, and
/// POST /v1/stream-tickets too; /v1/stats courses:read; /metrics metrics:read; any other /v1 path
/// (GET /v1/whoami) any valid token; any other path is public (the published pages, /console/).
route_access access_for(const std::string& method, const std::string& path);

/// Stored tokens by hash.
using token_table = std::unordered_map<std::string, api_token>;

/// The outcome of checking one request.
struct auth_decision {
  int status = 200;  ///< 200 go on, 401 no valid token, 403 the token lacks the scope.
  std::string actor; ///< The token's name once it is valid (also on 403).
  std::string code;  ///< Problem code: "unauthorized", "invalid_token", "insufficient_scope".
  std::string detail;
};

/// Decides a request that needs `need`, with the Authorization header `authorization` (empty
/// when absent), against `tokens` at time `now_us`. Pure: no I/O.
auth_decision decide(const route_access& need, const std::string& authorization,
                     const token_table& tokens, int64_t now_us);

/// As decide(), for the token whose hash is `hash` (a redeemed stream ticket's).
auth_decision decide_hash(const route_access& need, const std::string& hash,
                          const token_table& tokens, int64_t now_us);

/// The token table of a token_source, loaded again when older than `max_age`, so that tokens
/// created or revoked elsewhere count within that time. Safe for concurrent use.
class token_cache {
public:
  /// `source` null: no token is ever valid.
  explicit token_cache(std::shared_ptr<token_source> source,
                       std::chrono::milliseconds max_age = std::chrono::milliseconds{500});

  /// The current table. When the source fails, the last table it gave stays in use (logged).
  std::shared_ptr<const token_table> current();

private:
  std::shared_ptr<token_source> source_;
  std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::shared_ptr<const token_table> table_;
  std::chrono::steady_clock::time_point loaded_at_;
  bool loading_ = false;
};

/// Checks `req` against its route's access rule. Returns true to go on; otherwise `res` holds
/// the 401 (with WWW-Authenticate: Bearer) or 403 problem. Either way remembers the token's name
/// for request_actor() on this thread. With `tickets`, GET /v1/events/stream without an
/// Authorization header may carry ?ticket= instead (used up here, checked as its token).
bool admit(token_cache& tokens, const httplib::Request& req, httplib::Response& res,
           stream_tickets* tickets = nullptr);

/// The name of the token the request being handled on this thread was admitted with; empty for
/// a public route. httplib runs a request's pre-routing check and its handler on one thread.
const std::string& request_actor();

/// The scopes (cf::scopes bits) of the token the request on this thread was admitted with; 0 for
/// a public route.
uint32_t request_scopes();

/// The hash of the token the request on this thread was admitted with; empty for a public route.
const std::string& request_token_hash();

} // namespace cf
