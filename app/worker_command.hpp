// `coursefactory worker`: generation on other machines (issue 14). Takes generation jobs from the
// jobs stream's consumer group `generators`, runs the built-in or external generator exactly as
// the service does locally, appends each result to the results stream and acknowledges the job.
// It needs no database and no HTTP port: only Redis.
#pragma once

#include <csignal>
#include <string>
#include <vector>

namespace cf {

/// Runs a worker with `args` (the flags after `worker`; --help lists them) until one of
/// `signals` (blocked in every thread by main()) arrives; then it stops reading, finishes the
/// jobs in hand and returns 0. Returns 2 for bad flags.
int run_worker_command(const std::vector<std::string>& args, sigset_t signals);

} // namespace cf
