// Internal to http/: the REST routes and what they share. http_server registers them.
#pragma once

#include <caf/scoped_actor.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "domain/course_request.hpp"
#include "http/server.hpp"
#include "util/errc.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace cf {

struct route_context {
  caf::actor_system* sys;
  http_actors actors;
  std::chrono::milliseconds timeout; ///< Per actor request.
  std::string webhook_secret;        ///< Verifies POST /v1/payments/webhook.
  int64_t webhook_tolerance_s = 300;
};

/// Registers the course, event and health routes on `srv`. `ctx` must outlive `srv`.
void register_course_routes(httplib::Server& srv, const route_context& ctx);

/// Registers GET /metrics on `srv`. `ctx` must outlive `srv`.
void register_metrics_route(httplib::Server& srv, const route_context& ctx);

/// The route template a path belongs to, for metrics labels ("/v1/courses/{id}"); "other" for
/// paths no route serves, so a scan of random paths cannot grow the label set.
std::string route_label(const std::string& method, const std::string& path);

/// GET /v1/openapi.json and /v1/asyncapi.json (public, as /v1/health).
void register_contract_routes(httplib::Server& srv);

/// Registers POST /v1/payments/webhook on `srv`. `ctx` must outlive `srv`.
void register_payment_routes(httplib::Server& srv, const route_context& ctx);

/// Answers 405 with an Allow header for every method on `pattern` that `allow` does not list.
void reject_other_methods(httplib::Server& srv, const std::string& pattern,
                          const std::string& allow);

/// One blocking request from an httplib thread; a fresh scoped_actor each time (see the CAF
/// guide: a long-lived one collects stale timeout messages). The deadline is the blocking
/// actor's own wait (`after`), not a request timeout: CAF 0.17 hands every request timeout to
/// its clock thread twice (set, then cancel on reply), which woke that thread ~3.6 times per
/// POST under load. A reply that comes after the deadline finds the actor gone and is dropped.
template <class R, class Handle, class... Ts>
caf::expected<R> ask(const route_context& ctx, const Handle& h, Ts&&... xs) {
  caf::expected<R> result = make_error(errc::internal, "no reply");
  caf::scoped_actor self{*ctx.sys};
  auto handle = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
  caf::blocking_actor::accept_one_cond one;
  self->varargs_receive(
      one, handle.id(), [&](R& r) { result = std::move(r); },
      [&](caf::error& e) { result = std::move(e); },
      caf::after(ctx.timeout) >> [&] { result = caf::make_error(caf::sec::request_timeout); });
  return result;
}

/// Sets status and an application/json body.
void write_json(httplib::Response& res, int status, const std::string& body);

/// Writes the problem response for an actor error.
void fail(const route_context& ctx, httplib::Response& res, const caf::error& err);

/// True when the request's media type (before any parameters) is application/json.
bool is_json(const httplib::Request& req);

} // namespace cf
