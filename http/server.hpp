// The HTTP front: a tuned cpp-httplib server whose routes turn REST calls into actor messages.
// It holds no business rules; http/routes.cpp has the routes.
#pragma once

#include <caf/actor_system.hpp>
#include <memory>
#include <string>

#include "actors/course_factory.hpp"
#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "config/settings.hpp"

namespace cf {

/// The actors the HTTP front talks to.
struct http_actors {
  course_factory_actor factory;
  event_log_actor log;
  payment_actor payment;
};

class http_server {
public:
  /// `sys` and the actors must outlive the server. Payment webhooks are verified with
  /// `webhook_secret`; the site channel's folder `s.site_dir` is served at /courses/.
  http_server(caf::actor_system& sys, http_actors actors, const settings& s,
              std::string webhook_secret);
  ~http_server();

  /// Binds to s.host:s.port (port 0: any free port). Returns the bound port, or -1 when binding
  /// failed (address in use, bad host).
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
