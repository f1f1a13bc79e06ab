// The exit codes of the coursefactory commands, for supervisors and scripts (README, "Failure
// modes"). 74 and 75 follow sysexits.h (EX_IOERR, EX_TEMPFAIL).
#pragma once

namespace cf::exit_code {

inline constexpr int ok = 0;
/// The service failed: cannot open the log or listen, or EventLog stopped on its own.
inline constexpr int failure = 1;
/// A usage error (bad option or setting).
inline constexpr int usage = 2;
/// A sync to disk failed (fsync): this process took no more writes and stopped; what the log holds
/// is what is on disk. Restart it: recovery reads only the file.
inline constexpr int storage_failed = 74;
/// Another process holds the log (its lock file "<db>.lock"): one service per log. Nothing was
/// touched; start again once the other one has stopped.
inline constexpr int log_in_use = 75;

} // namespace cf::exit_code
