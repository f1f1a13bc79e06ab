// Internal to http/: the operator's console at /console/ (static, public: it holds no data) and
// the small API it needs beside the REST routes: GET /v1/whoami, GET /v1/stats and
// POST /v1/stream-tickets (scopes in http/auth.hpp).
#pragma once

#include "http/routes.hpp"
#include "http/stream_tickets.hpp"

namespace cf {

/// Registers the console's files and routes on `srv`. `ctx` and `tickets` must outlive `srv`.
void register_console_routes(httplib::Server& srv, const route_context& ctx,
                             stream_tickets& tickets);

/// The headers every console file is sent with: a strict Content-Security-Policy (no inline
/// script, nothing from elsewhere), nosniff, no referrer, no framing, and Cache-Control.
void set_console_headers(httplib::Response& res);

} // namespace cf
