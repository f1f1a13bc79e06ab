// WAL checkpoints on a thread of their own, so that the writer's commits never wait for one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace cf {

/// Copies the write-ahead log of the database at `path` back into the database file from a
/// second connection, on a thread of its own. SQLite would otherwise run that checkpoint inside
/// the commit that crosses 1,000 WAL pages: a writer's commit then also writes and syncs the
/// database file (several milliseconds every few hundred courses, on the one thread that commits
/// every event).
///
/// attach() replaces the writer connection's automatic checkpoint with a hook that wakes this
/// thread once the WAL holds `threshold` frames. The thread checkpoints PASSIVE (never blocking
/// the writer). The WAL can start over only once every frame is copied, which a thread running
/// beside a busy writer rarely sees; so at `limit` frames the writer's commit checkpoints itself,
/// as SQLite would have, but copies only what the thread has not copied yet (the frames of the
/// last moments), and the WAL starts over at its next transaction. The WAL stays bounded.
class wal_checkpointer {
public:
  /// `vfs`: the SQLite VFS to open `path` with (empty: the default).
  wal_checkpointer(std::string path, bool full_sync, std::string vfs = {}, int threshold = 1000,
                   int limit = 2000);
  ~wal_checkpointer(); ///< Stops and joins the thread; call before closing the writer.

  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  /// Installs the hook on the writer connection `db` (which must outlive this object's use).
  void attach(sqlite3* db);

  /// Checkpoints of this object's thread that copied frames (for tests).
  int64_t completed() const;

  /// True once a checkpoint (of the thread or of the writer's commit) failed to sync a file: the
  /// store then refuses further writes (storage_failed), as after a failed commit sync.
  bool sync_failed() const { return sync_failed_.load(); }

private:
  static int on_commit(void* self, sqlite3* db, const char* name, int frames);
  void run();
  void note(int rc); ///< Remembers a failed sync among checkpoint results.

  std::string path_;
  bool full_sync_;
  std::string vfs_;
  int threshold_;
  int limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stop_ = false;
  int64_t completed_ = 0;
  std::atomic<bool> sync_failed_{false};
  sqlite3* writer_ = nullptr;
  std::thread thread_;
};

} // namespace cf
