// Test kit: a disk that fails on demand, for the store's own connections. Connections opened
// while faulty_vfs_installed is alive use SQLite's default VFS with every file wrapped: while
// fail_syncs() is set each xSync fails as the unix VFS says a failed fsync (SQLITE_IOERR_FSYNC),
// while fail_writes() is set each xWrite fails as a full disk (SQLITE_FULL). Everything else goes
// to the real files. (The real binary is tested with the real calls failing: fiu-run, see
// tests/integration/storage_faults_test.py.)
#pragma once

#include <sqlite3.h>

#include <atomic>

namespace cf::testkit {

namespace detail {

struct faulty_vfs_state {
  sqlite3_vfs vfs{};
  sqlite3_vfs* base = nullptr;
  sqlite3_io_methods methods{}; // set from the first real file's methods
  std::atomic<bool> fail_syncs{false};
  std::atomic<bool> fail_writes{false};
};

// Never destroyed: a connection may outlive the fixture that opened it.
inline faulty_vfs_state& faulty() {
  static auto* state = new faulty_vfs_state;
  return *state;
}

// Our file: the header SQLite sees, the real file right behind it.
struct faulty_file {
  sqlite3_file header;
  sqlite3_file* real;
};

inline sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<faulty_file*>(f)->real; }

inline int f_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
inline int f_read(sqlite3_file* f, void* p, int n, sqlite3_int64 o) {
  return real(f)->pMethods->xRead(real(f), p, n, o);
}
inline int f_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 o) {
  if (faulty().fail_writes)
    return SQLITE_FULL;
  return real(f)->pMethods->xWrite(real(f), p, n, o);
}
inline int f_truncate(sqlite3_file* f, sqlite3_int64 n) {
  return real(f)->pMethods->xTruncate(real(f), n);
}
inline int f_sync(sqlite3_file* f, int flags) {
  if (faulty().fail_syncs)
    return SQLITE_IOERR_FSYNC;
  return real(f)->pMethods->xSync(real(f), flags);
}
inline int f_size(sqlite3_file* f, sqlite3_int64* n) {
  return real(f)->pMethods->xFileSize(real(f), n);
}
inline int f_lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
inline int f_unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
inline int f_reserved(sqlite3_file* f, int* r) {
  return real(f)->pMethods->xCheckReservedLock(real(f), r);
}
inline int f_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
inline int f_sector(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
inline int f_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
inline int f_shm_map(sqlite3_file* f, int i, int size, int extend, void volatile** p) {
  return real(f)->pMethods->xShmMap(real(f), i, size, extend, p);
}
inline int f_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
inline void f_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
inline int f_shm_unmap(sqlite3_file* f, int del) {
  return real(f)->pMethods->xShmUnmap(real(f), del);
}
inline int f_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
  return real(f)->pMethods->xFetch(real(f), o, n, p);
}
inline int f_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), o, p);
}

inline int f_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
  auto& s = faulty();
  auto* ours = reinterpret_cast<faulty_file*>(f);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  ours->header.pMethods = nullptr;
  int rc = s.base->xOpen(s.base, name, ours->real, flags, out);
  if (rc != SQLITE_OK || ours->real->pMethods == nullptr)
    return rc;
  s.methods = sqlite3_io_methods{ours->real->pMethods->iVersion,
                                 f_close,
                                 f_read,
                                 f_write,
                                 f_truncate,
                                 f_sync,
                                 f_size,
                                 f_lock,
                                 f_unlock,
                                 f_reserved,
                                 f_control,
                                 f_sector,
                                 f_device,
                                 f_shm_map,
                                 f_shm_lock,
                                 f_shm_barrier,
                                 f_shm_unmap,
                                 f_fetch,
                                 f_unfetch};
  ours->header.pMethods = &s.methods;
  return SQLITE_OK;
}

} // namespace detail

/// Failed syncs (SQLITE_IOERR_FSYNC) from now on, or no more.
inline void fail_syncs(bool on) { detail::faulty().fail_syncs = on; }
/// Failed writes as a full disk (SQLITE_FULL) from now on, or no more.
inline void fail_writes(bool on) { detail::faulty().fail_writes = on; }

/// Makes the connections opened during its lifetime use the faulty VFS (not failing until told).
/// As a base class listed before a fixture, it wraps the files that fixture opens.
struct faulty_vfs_installed {
  faulty_vfs_installed() {
    auto& s = detail::faulty();
    if (s.base == nullptr) {
      s.base = sqlite3_vfs_find(nullptr);
      s.vfs = *s.base;
      s.vfs.zName = "cf-test-faulty";
      s.vfs.szOsFile = static_cast<int>(sizeof(detail::faulty_file)) + s.base->szOsFile;
      s.vfs.xOpen = &detail::f_open;
    }
    fail_syncs(false);
    fail_writes(false);
    sqlite3_vfs_register(&s.vfs, 1);
  }
  ~faulty_vfs_installed() {
    fail_syncs(false);
    fail_writes(false);
    sqlite3_vfs_register(detail::faulty().base, 1);
  }
  faulty_vfs_installed(const faulty_vfs_installed&) = delete;
  faulty_vfs_installed& operator=(const faulty_vfs_installed&) = delete;
};

} // namespace cf::testkit
