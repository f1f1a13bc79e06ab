// The HTTP front: a tuned cpp-httplib server whose routes turn REST calls into actor messages.
// It holds no business rules; http/routes.cpp has the routes.
#pragma once

#include <caf/actor_system.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/bus_inbound.hpp"
#include "actors/bus_relay.hpp"
#include "actors/course_factory.hpp"
#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "domain/api_token.hpp"
#include "http/rate_limit.hpp"

namespace cf {

/// The actors the HTTP front talks to.
struct http_actors {
  course_factory_actor factory;
  event_log_actor log;
  payment_actor payment;
  std::shared_ptr<const bus_relay_status> bus;      ///< null: no bus configured.
  std::shared_ptr<const bus_inbound_status> bus_in; ///< null: no bus configured.
  std::shared_ptr<token_source> tokens; ///< The API tokens (http/auth.hpp); null: none is valid.
  std::shared_ptr<const storage_health> storage; ///< EventLog's writes; null: not reported.
};

/// How the HTTP front listens and protects itself (app/ fills it from the service's settings).
struct http_options {
  std::string host = "127.0.0.1";
  int32_t port = 8080;                ///< 0: any free port.
  int32_t threads = 128;              ///< Every keep-alive connection holds one.
  int32_t keep_alive_max = 100000;    ///< Requests per keep-alive connection.
  int32_t backlog = 1024;             ///< The listen(2) backlog.
  int64_t max_body_bytes = 64 * 1024; ///< Larger request bodies get 413 (http/limits.hpp).
  int32_t max_header_count = 100;     ///< More header fields get 431.
  int32_t max_header_bytes = 16384;   ///< Header fields larger together get 431.
  int32_t request_timeout_ms = 5000;  ///< A route's wait for its actors; then 504.
  int32_t max_streams = 8;            ///< Event streams (SSE) open at once.
  int32_t stream_heartbeat_ms = 15000;
  double rate_limit_per_s = 1000; ///< POST /v1/courses per second and client; 0: no limits.
  int32_t rate_limit_burst = 2000;
  rate_budgets budgets; ///< Per route class (http/rate_limit.hpp); create is set from the above.
  std::string site_dir = "./var/site"; ///< Served at /courses/.
  int32_t stripe_tolerance_s = 300;    ///< Age a payment webhook's signature may have.

  // Slow and idle clients (http/guarded_server.hpp).
  int32_t max_connections_per_client = 96; ///< Open at once from one address; 0: no cap.
  int32_t header_timeout_ms = 10000;       ///< A request's whole header must arrive in this.
  int32_t body_timeout_ms = 30000;         ///< A request's whole body must arrive in this.
  int32_t stop_grace_ms = 2000; ///< After stop(), requests in flight get this to be answered.
  std::string tls_cert_file;    ///< PEM certificate chain; with tls_key_file: HTTPS only.
  std::string tls_key_file;
};

class http_server {
public:
  /// `sys` and the actors must outlive the server. Payment webhooks are verified with
  /// `webhook_secret`; the site channel's folder `o.site_dir` is served at /courses/.
  http_server(caf::actor_system& sys, http_actors actors, const http_options& o,
              std::string webhook_secret);
  ~http_server();

  /// Binds to o.host:o.port (port 0: any free port). Returns the bound port, or -1 when binding
  /// failed (address in use, bad host) or the TLS certificate or key could not be loaded (said
  /// in a log line).
  int bind();

  /// Serves until stop(); returns after in-flight requests have been answered.
  void run();

  /// Stops accepting and makes run() return. Safe to call from any thread, also before run().
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cf
