// WAL checkpoints on a thread of their own (see wal_checkpointer.hpp).
#include "storage/detail/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

namespace cf {

wal_checkpointer::wal_checkpointer(std::string path, bool full_sync, std::string vfs, int threshold,
                                   int limit)
    : path_(std::move(path)),
      full_sync_(full_sync),
      vfs_(std::move(vfs)),
      threshold_(threshold),
      limit_(limit),
      thread_([this] { run(); }) {}

wal_checkpointer::~wal_checkpointer() {
  if (writer_ != nullptr)
    sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void wal_checkpointer::attach(sqlite3* db) {
  writer_ = db;
  sqlite3_wal_hook(db, &wal_checkpointer::on_commit, this);
}

int64_t wal_checkpointer::completed() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return completed_;
}

// Runs in the writer's commit, after the commit is durable, with the WAL's size in frames.
int wal_checkpointer::on_commit(void* self, sqlite3* db, const char* name, int frames) {
  auto* c = static_cast<wal_checkpointer*>(self);
  if (frames >= c->limit_) {
    // What SQLite's own hook would do, on the frames the thread has not copied yet: then the
    // WAL starts over at the next transaction.
    c->note(sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr));
  } else if (frames >= c->threshold_) {
    {
      std::lock_guard<std::mutex> guard{c->mutex_};
      c->wanted_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void wal_checkpointer::note(int rc) {
  // Extended codes (both connections ask for them): the file's pages may be lost after a
  // failed sync, so a later checkpoint that succeeds proves nothing.
  if (rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_DIR_FSYNC)
    sync_failed_ = true;
}

void wal_checkpointer::run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      vfs_.empty() ? nullptr : vfs_.c_str())
      != SQLITE_OK) {
    sqlite3_close(db);
    db = nullptr; // the writer's limit still bounds the WAL
  } else {
    sqlite3_extended_result_codes(db, 1);
    sqlite3_exec(db, full_sync_ ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                 nullptr, nullptr, nullptr);
  }
  for (;;) {
    {
      std::unique_lock<std::mutex> lock{mutex_};
      wake_.wait(lock, [this] { return wanted_ || stop_; });
      if (stop_)
        break;
      wanted_ = false;
    }
    if (db == nullptr)
      continue;
    // PASSIVE copies what no reader needs and never waits for the writer; then again what the
    // writer added meanwhile (a few rounds at most: copying is faster than committing).
    bool copied_any = false;
    for (int round = 0; round < 4; ++round) {
      int in_log = 0;
      int copied = 0;
      auto rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &in_log, &copied);
      note(rc);
      if (rc != SQLITE_OK)
        break; // busy (the writer checkpoints itself right now): next time
      copied_any = copied_any || copied > 0;
      if (copied >= in_log)
        break;
    }
    std::lock_guard<std::mutex> guard{mutex_};
    completed_ += copied_any ? 1 : 0;
  }
  sqlite3_close(db);
}

} // namespace cf
