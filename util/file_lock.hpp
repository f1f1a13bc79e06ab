// One process per log: an exclusive advisory lock (flock(2)) on a file beside the database,
// held for the life of the process. The kernel drops it when the process dies, however it dies.
#pragma once

#include <caf/expected.hpp>
#include <string>

namespace cf {

/// The lock file of the database at `db`: "<db>.lock".
std::string lock_file_of(const std::string& db);

/// An exclusive lock on a file, released when this object is destroyed (or the process ends).
/// Move-only.
class file_lock {
public:
  /// Takes the lock on `path` without waiting, creating the file (mode 0600) and its folder, and
  /// writes this process's pid into it. The descriptor is close-on-exec, so child processes (an
  /// external generator outliving a killed service) never hold the lock. Errors: conflict when
  /// another process holds it (its pid named when it wrote one), storage_unavailable when the
  /// file cannot be opened or locked.
  [[nodiscard]] static caf::expected<file_lock> acquire(const std::string& path);

  /// The pid of the process that holds the lock on `path` (from /proc/locks); 0 when the lock is
  /// free or the file is missing. Takes no lock, not even for a moment.
  static long holder(const std::string& path);

  file_lock() = default;
  file_lock(file_lock&& other) noexcept;
  file_lock& operator=(file_lock&& other) noexcept;
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  ~file_lock();

  bool held() const { return fd_ >= 0; }

private:
  explicit file_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

} // namespace cf
