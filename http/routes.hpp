// Internal to http/: the REST routes, registered on a server by http_server.
#pragma once

#include <chrono>

#include "http/server.hpp"

namespace httplib {
class Server;
}

namespace cf {

struct route_context {
  caf::actor_system* sys;
  http_actors actors;
  std::chrono::milliseconds timeout; ///< Per actor request.
};

/// Registers every /v1 route on `srv`. `ctx` must outlive `srv`.
void register_routes(httplib::Server& srv, const route_context& ctx);

} // namespace cf
