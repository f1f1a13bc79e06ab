// The coursefactory command line: one function per command, and the dispatcher main() calls.
#pragma once

#include <csignal>
#include <string>
#include <vector>

namespace cf {

/// Runs `coursefactory ARGS...` (argv without the program name): serve, worker, pay, verify,
/// backup, rebuild, catalogue or config. Returns the process exit code (2 for usage errors).
int run_command(std::vector<std::string> args, sigset_t stop_signals);

} // namespace cf
