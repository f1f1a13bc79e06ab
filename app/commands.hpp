// The coursefactory command line: one function per command, and the dispatcher main() calls.
#pragma once

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace cf {

/// Runs `coursefactory ARGS...` (argv without the program name): serve, worker, pay, verify,
/// backup, rebuild, catalogue or config. Returns the process exit code (2 for usage errors).
int run_command(std::vector<std::string> args, sigset_t stop_signals);

/// parse_command_line for `coursefactory COMMAND ARGS`, saying its warnings and its error on
/// stderr ("coursefactory COMMAND: ..."). Empty on an error (a usage error: exit status 2).
std::optional<command_line> read_command_line(const std::string& command,
                                              const std::vector<std::string>& args,
                                              const command_syntax& syntax = {});

/// Says the warnings of `cmd` on stderr, one line each: "coursefactory COMMAND: warning: ...".
void print_warnings(const std::string& command, const command_line& cmd);

/// `coursefactory --version`: "coursefactory 0.16.0 (commit 0123456789ab, schema 7)".
std::string version_text();

} // namespace cf
