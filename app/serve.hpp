// `coursefactory serve`: the service. Builds its settings, opens the log, spawns the actors, serves
// HTTP until a stop signal, then shuts down in order (HTTP, producers, EventLog last).
#pragma once

#include <csignal>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "http/server.hpp"

namespace cf {

/// Runs the service with `args` (the flags after `serve`). `signals` are the stop signals that
/// main() blocked in every thread; one thread takes them with sigwait. Returns the exit code: 0
/// after a clean stop, 1 when the log or the port cannot be had or EventLog stopped on its own,
/// 2 for bad flags.
int run_serve_command(const std::vector<std::string>& args, sigset_t signals);

/// The HTTP front's options, from the service's settings.
http_options http_options_of(const settings& s);

} // namespace cf
