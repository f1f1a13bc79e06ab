// sd_notify from Debian's libsystemd: it reads NOTIFY_SOCKET itself and returns 0 when unset.
#include "app/sd_notify.hpp"

#include <systemd/sd-daemon.h>

#include "util/log.hpp"

namespace cf {

namespace {

void notify(const char* state) {
  if (int rc = sd_notify(0, state); rc < 0)
    log_event(log_level::warn, "main", "cannot notify systemd", {{"state", state}, {"error", -rc}});
}

} // namespace

void notify_ready() { notify("READY=1\nSTATUS=serving"); }

void notify_stopping() { notify("STOPPING=1\nSTATUS=stopping"); }

} // namespace cf
