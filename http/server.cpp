// cpp-httplib setup: every default that costs throughput is set explicitly (see
// ../shared/guides/platform-notes.md), plus problem+json bodies for errors httplib raises itself.
#include "http/server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <thread>

#include "http/auth.hpp"
#include "http/event_stream.hpp"
#include "http/guarded_server.hpp"
#include "http/limits.hpp"
#include "http/problem.hpp"
#include "http/rate_limit.hpp"
#include "http/routes.hpp"
#include "http/tls.hpp"
#include "util/log.hpp"
#include "util/metrics.hpp"

namespace cf {

namespace {

std::chrono::steady_clock::time_point& request_started() {
  thread_local std::chrono::steady_clock::time_point t;
  return t;
}

connection_limits limits_of(const http_options& o) {
  connection_limits l;
  l.header_timeout = std::chrono::milliseconds{o.header_timeout_ms};
  l.body_timeout = std::chrono::milliseconds{o.body_timeout_ms};
  return l;
}

} // namespace

struct http_server::impl {
  explicit impl(const http_options& o)
      : guard(o.threads, o.max_connections_per_client, std::chrono::milliseconds{o.stop_grace_ms}),
        tls(o.tls_cert_file.empty()
                ? nullptr
                : tls_context::load(o.tls_cert_file, o.tls_key_file, tls_error)),
        srv(guard, limits_of(o), tls) {}

  conn_guard guard; // before srv, which uses it
  std::string tls_error;
  std::shared_ptr<const tls_context> tls; // null: plain HTTP
  guarded_server srv;
  route_context ctx;
  http_options cfg;
  std::atomic<int> listen_fd{-1};
  std::unique_ptr<event_streams> streams;
  std::unique_ptr<route_rate_limits> limiter;
  std::unique_ptr<token_cache> tokens;
  // httplib's stop() does nothing before its listen loop runs: a stop that comes earlier (a
  // SIGTERM right after start) is remembered here and honoured by run().
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false}; // run() entered and not yet returned
};

http_server::http_server(caf::actor_system& sys, http_actors actors, const http_options& s,
                         std::string webhook_secret)
    : impl_(std::make_unique<impl>(s)) {
  auto& p = *impl_;
  p.cfg = s;
  p.tokens = std::make_unique<token_cache>(actors.tokens);
  p.ctx = route_context{&sys, std::move(actors), std::chrono::milliseconds{s.request_timeout_ms},
                        std::move(webhook_secret), s.stripe_tolerance_s};
  auto& srv = p.srv;
  srv.set_tcp_nodelay(true); // otherwise each keep-alive response waits ~40 ms for a delayed ACK
  srv.set_keep_alive_max_count(static_cast<size_t>(s.keep_alive_max));
  srv.set_payload_max_length(static_cast<size_t>(s.max_body_bytes));
  set_request_limits({static_cast<size_t>(s.max_body_bytes),
                      static_cast<size_t>(s.max_header_count),
                      static_cast<size_t>(s.max_header_bytes)});
  auto threads = static_cast<size_t>(s.threads);
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Replaces httplib's default socket options, so SO_REUSEADDR is set here; the fd is kept to
  // widen the listen backlog after bind (httplib hard-codes 5).
  srv.set_socket_options([&p](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    p.listen_fd = sock;
  });
  srv.set_error_handler(
      httplib::Server::HandlerWithResponse{[](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled; // a route already wrote a problem
        switch (res.status) {
          case 404:
            write_problem(res, 404, "not_found", "no such resource");
            break;
          case 413:
            write_problem(res, 413, "payload_too_large", "the request body is too large");
            break;
          default:
            write_problem(res, res.status, "http_error", "the request could not be handled");
        }
        return httplib::Server::HandlerResponse::Handled;
      }});
  srv.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& ex) {
          what = ex.what();
        } catch (...) {
          // keeps the generic message
        }
        log_event(log_level::error, "http", "exception in handler",
                  {{"method", req.method}, {"path", req.path}, {"error", what}});
        write_problem(res, 500, "internal", "internal error");
      });
  register_course_routes(srv, p.ctx);
  register_payment_routes(srv, p.ctx);
  register_metrics_route(srv, p.ctx);
  register_contract_routes(srv);
  // Every answered request is counted by route and status, and timed (one thread handles a
  // request from routing to logging, so the start time can wait in a thread_local).
  // Every route class has its own budget per client (address; http/rate_limit.hpp): 429 with
  // Retry-After beyond. Limits on bodies and headers come first (http/limits.hpp).
  auto budgets = s.budgets;
  budgets[route_class::create] = {s.rate_limit_per_s, static_cast<double>(s.rate_limit_burst)};
  if (s.rate_limit_per_s <= 0)
    for (auto& b : budgets.of) b.rate_per_s = 0;
  // Budgets per token (admit() ran first on this thread), per address without one.
  p.limiter = std::make_unique<route_rate_limits>(budgets, [](const httplib::Request& req) {
    const auto& actor = request_actor();
    return actor.empty() ? client_address(req) : "token:" + actor;
  });
  // A client that asks before sending its body (Expect: 100-continue) hears a refusal at once.
  // (httplib writes that answer without a Content-Length of its own.)
  srv.set_expect_100_continue_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!refuse_beyond_limits(req, res))
      return 100;
    res.set_header("Content-Length", std::to_string(res.body.size()));
    return res.status;
  });
  srv.set_pre_routing_handler([&p](const httplib::Request& req, httplib::Response& res) {
    auto now = std::chrono::steady_clock::now();
    request_started() = now;
    if (refuse_beyond_limits(req, res)) // bodies, encodings, headers: before anything is read
      return httplib::Server::HandlerResponse::Handled;
    if (!admit(*p.tokens, req, res)) // 401/403 (http/auth.hpp)
      return httplib::Server::HandlerResponse::Handled;
    std::chrono::milliseconds wait{0};
    route_class cls{};
    if (!p.limiter->allow(req, now, wait, cls)) {
      auto seconds = std::max<int64_t>(1, (wait.count() + 999) / 1000);
      res.set_header("Retry-After", std::to_string(seconds));
      refuse(res, 429, "rate_limited",
             std::string{"too many "} + route_class_name(cls)
                 + " requests from this client; try again in " + std::to_string(seconds) + " s");
      metrics::global().http_rejected.add("rate_limit");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  srv.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    close_if_refused(req); // after the answer was written
    auto& m = metrics::global();
    m.http_requests.add(route_label(req.method, req.path) + ",status=\""
                        + std::to_string(res.status) + "\"");
    auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started()).count();
    if (req.path != "/v1/events/stream")
      m.http_seconds.observe(seconds);
    if (log_enabled(log_level::debug)) {
      // The response's id is the one the request ran under (given or made up by the route).
      auto correlation = res.get_header_value("X-Correlation-ID");
      if (correlation.empty())
        correlation = req.get_header_value("X-Correlation-ID").substr(0, 128);
      log_event(log_level::debug, "http", "request",
                {{"method", req.method},
                 {"path", req.path},
                 {"status", res.status},
                 {"duration_ms", std::round(seconds * 1e6) / 1e3},
                 {"correlation_id", correlation}});
    }
  });
  stream_settings ss;
  ss.max_streams = s.max_streams;
  ss.heartbeat = std::chrono::milliseconds{s.stream_heartbeat_ms};
  p.streams = std::make_unique<event_streams>(p.ctx, ss);
  p.streams->register_routes(srv);
  // Last: a POST no route takes still has its body read bounded before its 404.
  post_bounded(srv, ".*", [](const httplib::Request&, httplib::Response& res) {
    write_problem(res, 404, "not_found", "no such resource");
  });
  std::error_code ec;
  std::filesystem::create_directories(s.site_dir, ec);
  if (!srv.set_mount_point("/courses", s.site_dir))
    log_event(log_level::error, "http", "cannot serve the site",
              {{"site_dir", s.site_dir}, {"path", "/courses"}});
}

http_server::~http_server() = default;

int http_server::bind() {
  auto& p = *impl_;
  if (!p.tls_error.empty()) {
    log_event(log_level::error, "http", "cannot serve TLS", {{"error", p.tls_error}});
    return -1;
  }
  int port = p.cfg.port == 0 ? p.srv.bind_to_any_port(p.cfg.host)
                             : (p.srv.bind_to_port(p.cfg.host, p.cfg.port) ? p.cfg.port : -1);
  if (port < 0)
    return -1;
  if (p.listen_fd >= 0)
    ::listen(p.listen_fd, p.cfg.backlog);
  return port;
}

void http_server::run() {
  auto& p = *impl_;
  p.running = true;
  if (!p.stopping)
    p.srv.listen_after_bind();
  p.running = false;
}

void http_server::stop() {
  auto& p = *impl_;
  p.stopping = true;
  p.guard.stop();    // idle connections and unfinished headers close, in-flight ones get a grace
  p.streams->stop(); // streams wait for events: wake them, or run() would wait for them
  // run() may be between its check of `stopping` and httplib's listen loop: wait for the loop.
  while (p.running && !p.srv.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  p.srv.stop();
}

} // namespace cf
