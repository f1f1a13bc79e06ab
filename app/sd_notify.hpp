// Tells systemd (a Type=notify unit) where the service is in its life: ready once HTTP holds its
// port, stopping once a stop signal came. Without NOTIFY_SOCKET (not started by systemd, as in
// the tests) both do nothing.
#pragma once

namespace cf {

/// READY=1: the port is bound and requests are taken; systemd then counts the unit as started.
void notify_ready();

/// STOPPING=1: the service is shutting down in order (see shut_down in app/serve.cpp).
void notify_stopping();

} // namespace cf
