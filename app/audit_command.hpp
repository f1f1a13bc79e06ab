// `coursefactory verify`, `backup` and `rebuild`: the audit trail and the read model from the
// command line, on a database file the service may be writing at the same time.
#pragma once

#include <string>
#include <vector>

namespace cf {

/// Runs `coursefactory verify --db FILE`: prints "ok: N events, head hash H" and returns 0, or
/// "broken at seq S: <why>" and returns 1; returns 2 for a usage error or a file it cannot check.
int run_verify_command(const std::vector<std::string>& args);

/// Runs `coursefactory backup --db FILE TARGET`: writes a verified, consistent copy of FILE to
/// TARGET (see backup_database), prints one line and returns 0, or 1 when the copy failed; 2 for
/// a usage error.
int run_backup_command(const std::vector<std::string>& args);

/// Runs `coursefactory rebuild --db FILE`: rebuilds the course read model from the log (see
/// sqlite_event_store::rebuild; FILE is migrated first if it is older), prints "rebuilt: N events
/// folded into M courses in S s" and returns 0, or returns 1 when it failed; 2 for a usage error
/// or a FILE that does not exist.
int run_rebuild_command(const std::vector<std::string>& args);

} // namespace cf
