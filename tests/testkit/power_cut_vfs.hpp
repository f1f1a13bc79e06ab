// Test kit: power cuts for SQLite. A VFS named "power_cut", registered in front of SQLite's default
// ("unix"), forwards every call, and keeps apart, per file, what was written since that file's last
// xSync: a "durable" image of each database, WAL and journal file, plus the writes and truncations
// made since (the real file carries them all, so reads see them). A cut, after a chosen number of
// writes, syncs, truncations and deletions, makes every later one of them fail (the machine is off:
// nothing can be acknowledged after it). reboot(), once every connection is closed, writes each
// file as a disk could have kept it: its durable image plus none, all, a prefix (the last write
// torn at a 512-byte sector) or a random choice per sector of the unsynced writes (the old bytes,
// the new ones, or garbage), and deletes the -shm files (shared memory does not survive a cut).
//
// Model, as SQLite's own crash tests: a synced file keeps everything written before its sync; a
// file created and never synced may be gone; a deletion is durable at once. xSync does the
// bookkeeping only (no real fsync: the cut is simulated, and the test stays fast).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace cf::testkit {

class power_cut_vfs {
public:
  static constexpr const char* name = "power_cut";

  /// Registers the VFS (once; not as the default) and answers it.
  static power_cut_vfs& instance();

  /// Cuts the power just before the `ops`-th write, sync, truncation or deletion from now
  /// (0: not before cut_now()).
  void arm(int64_t ops);
  /// Cuts the power now.
  void cut_now();
  bool is_cut() const;
  /// Writes, syncs, truncations and deletions since the last reboot().
  int64_t ops() const;
  /// Completed syncs of WAL files since the last reboot(): a commit acknowledged before the
  /// count moved on is durable whatever the durability setting.
  int64_t wal_syncs() const;

  /// Call once no connection is open. Writes every file touched since the last reboot() as it
  /// would be found after the cut (random choices from `rng`), deletes the -shm files and starts
  /// over with no cut armed. Answers what it did, one line per file (for failure messages).
  std::string reboot(std::mt19937_64& rng);

  struct state; ///< (internal to power_cut_vfs.cpp)

private:
  power_cut_vfs();
  state* state_; // lives as long as the process (SQLite keeps the registration)
};

} // namespace cf::testkit
