// The route -> scope table and the bearer token check, before routing (http/server.cpp).
#include "http/auth.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "http/problem.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

std::string& actor_slot() {
  thread_local std::string actor;
  return actor;
}

// "Bearer <token>" (the scheme in any case) to the token; empty when it is not one.
std::string bearer_token(const std::string& header) {
  constexpr size_t scheme = 6; // "Bearer"
  if (header.size() <= scheme + 1 || header[scheme] != ' ')
    return {};
  for (size_t i = 0; i < scheme; ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != "bearer"[i])
      return {};
  auto token = header.substr(header.find_first_not_of(' ', scheme));
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

auth_decision refuse(int status, const char* code, std::string detail, std::string actor = {}) {
  return {status, std::move(actor), code, std::move(detail)};
}

} // namespace

route_access access_for(const std::string& method, const std::string& path) {
  if (path == "/metrics")
    return {true, scopes::metrics_read};
  if (path != "/v1" && path.rfind("/v1/", 0) != 0)
    return {}; // the published pages under /courses/, and paths nothing serves
  if (path == "/v1/health" || path == "/v1/payments/webhook" || path == "/v1/openapi.json"
      || path == "/v1/asyncapi.json")
    return {}; // the webhook is authenticated by its Stripe signature; contracts hold no data
  auto rest = path.substr(std::min<size_t>(path.size(), 4)); // after "/v1/"
  auto starts = [&rest](const std::string& word) {
    return rest == word || rest.rfind(word + "/", 0) == 0;
  };
  if (starts("events"))
    return {true, scopes::events_read};
  if (starts("courses")) { // courses, courses/{id}, courses/{id}/events, courses/{id}/retry
    auto depth = std::count(rest.begin(), rest.end(), '/');
    auto last = rest.substr(rest.rfind('/') + 1);
    if (depth == 2 && last == "events")
      return {true, scopes::events_read};
    if ((depth == 2 && last == "retry") || method == "POST")
      return {true, scopes::courses_write};
    return {true, scopes::courses_read};
  }
  return {true, 0}; // any other /v1 path: a caller without a token learns nothing, not even 404
}

auth_decision decide(const route_access& need, const std::string& authorization,
                     const token_table& tokens, int64_t now_us) {
  if (!need.needs_token)
    return {};
  if (authorization.empty())
    return refuse(401, "unauthorized", "send Authorization: Bearer <token>");
  auto token = bearer_token(authorization);
  if (token.empty())
    return refuse(401, "invalid_token", "the Authorization header is not \"Bearer <token>\"");
  auto it = tokens.find(token_hash(token));
  if (it == tokens.end())
    return refuse(401, "invalid_token", "unknown token");
  const auto& t = it->second;
  if (t.revoked_us != 0)
    return refuse(401, "invalid_token", "the token was revoked");
  if (t.expires_us != 0 && now_us >= t.expires_us)
    return refuse(401, "invalid_token", "the token has expired");
  if ((t.scopes & need.scope) != need.scope)
    return refuse(403, "insufficient_scope",
                  "the token lacks the scope " + scopes_text(need.scope & ~t.scopes), t.name);
  return {200, t.name, {}, {}};
}

token_cache::token_cache(std::shared_ptr<token_source> source, std::chrono::milliseconds max_age)
    : source_(std::move(source)), max_age_(max_age) {}

std::shared_ptr<const token_table> token_cache::current() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> guard{mu_};
    if (table_ && (now - loaded_at_ < max_age_ || loading_))
      return table_; // fresh, or another thread is loading it: the last one meanwhile
    loading_ = true;
  }
  caf::expected<std::vector<api_token>> loaded = std::vector<api_token>{};
  if (source_)
    loaded = source_->load_tokens();
  std::lock_guard<std::mutex> guard{mu_};
  loading_ = false;
  loaded_at_ = now;
  if (!loaded) {
    log_event(log_level::warn, "http", "cannot load the API tokens; the last ones stay in use",
              {{"error", error_context(loaded.error())}});
    if (!table_)
      table_ = std::make_shared<const token_table>();
    return table_;
  }
  auto table = std::make_shared<token_table>();
  for (auto& t : *loaded) {
    auto hash = t.hash;
    table->emplace(std::move(hash), std::move(t));
  }
  table_ = std::move(table);
  return table_;
}

bool admit(token_cache& tokens, const httplib::Request& req, httplib::Response& res) {
  auto need = access_for(req.method, req.path);
  actor_slot().clear();
  if (!need.needs_token)
    return true;
  auto d = decide(need, req.get_header_value("Authorization"), *tokens.current(), now_us());
  actor_slot() = d.actor;
  if (d.status == 200)
    return true;
  if (d.status == 401)
    res.set_header("WWW-Authenticate",
                   d.code == "unauthorized"
                       ? std::string{"Bearer realm=\"coursefactory\""}
                       : "Bearer realm=\"coursefactory\", error=\"" + d.code + "\"");
  else
    res.set_header("WWW-Authenticate", "Bearer realm=\"coursefactory\", error=\"" + d.code
                                           + "\", scope=\"" + scopes_text(need.scope) + "\"");
  write_problem(res, d.status, d.code, d.detail);
  return false;
}

const std::string& request_actor() { return actor_slot(); }

} // namespace cf
