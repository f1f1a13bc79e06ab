// Test kit: the power-cut VFS (see power_cut_vfs.hpp).
#include "tests/testkit/power_cut_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace cf::testkit {

namespace {

constexpr int64_t sector = 512;

// A write (or, with truncate set, a truncation to `offset`) not yet synced.
struct pending_op {
  int64_t offset = 0;
  std::string data;
  bool truncate = false;
};

struct file_state {
  bool durable_exists = false; // synced at least once (or there before this boot)
  bool deleted = false;        // deleted and not written since: stays gone
  std::string durable;         // the content as of the last sync
  std::vector<pending_op> pending;
};

void apply(std::string& image, const pending_op& op) {
  if (op.truncate) {
    if (static_cast<int64_t>(image.size()) > op.offset)
      image.resize(static_cast<size_t>(op.offset));
    return;
  }
  auto end = static_cast<size_t>(op.offset) + op.data.size();
  if (image.size() < end)
    image.resize(end, '\0');
  image.replace(static_cast<size_t>(op.offset), op.data.size(), op.data);
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return false;
  out.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
  return true;
}

} // namespace

struct power_cut_vfs::state {
  sqlite3_vfs vfs{};
  sqlite3_vfs* base = nullptr;
  std::mutex mutex;
  std::atomic<bool> cut{false};
  int64_t ops = 0;
  int64_t cut_at = 0;
  int64_t wal_syncs = 0;
  std::map<std::string, file_state> files; // by full path: main database, WAL, journal
  std::set<std::string> databases;         // main databases opened (their -shm goes at a cut)

  // Counts one mutating operation; false when the power is (now) off.
  bool step() {
    if (cut)
      return false;
    ++ops;
    if (cut_at > 0 && ops >= cut_at) {
      cut = true;
      return false;
    }
    return true;
  }
};

// The file object SQLite allocates (szOsFile): ours, then the real one right behind it.
struct power_cut_io {
  sqlite3_file base;
  power_cut_vfs::state* st;
  std::string* path; // null for files that are not kept apart (temporary ones)
  bool wal;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }

  static power_cut_io* of(sqlite3_file* f) { return reinterpret_cast<power_cut_io*>(f); }
  static const sqlite3_io_methods* real_methods(sqlite3_file* f) { return of(f)->real()->pMethods; }

  static int close(sqlite3_file* f) {
    auto* p = of(f);
    int rc = p->real()->pMethods->xClose(p->real());
    delete p->path;
    p->path = nullptr;
    return rc;
  }
  static int read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
    if (of(f)->st->cut)
      return SQLITE_IOERR_READ;
    return real_methods(f)->xRead(of(f)->real(), buf, n, off);
  }
  static int write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    auto* p = of(f);
    std::lock_guard<std::mutex> guard{p->st->mutex};
    if (!p->st->step())
      return SQLITE_IOERR_WRITE;
    int rc = real_methods(f)->xWrite(p->real(), buf, n, off);
    if (rc == SQLITE_OK && p->path != nullptr) {
      auto& fs = p->st->files[*p->path];
      fs.deleted = false;
      fs.pending.push_back(
          {off, std::string(static_cast<const char*>(buf), static_cast<size_t>(n)), false});
    }
    return rc;
  }
  static int truncate(sqlite3_file* f, sqlite3_int64 size) {
    auto* p = of(f);
    std::lock_guard<std::mutex> guard{p->st->mutex};
    if (!p->st->step())
      return SQLITE_IOERR_TRUNCATE;
    int rc = real_methods(f)->xTruncate(p->real(), size);
    if (rc == SQLITE_OK && p->path != nullptr)
      p->st->files[*p->path].pending.push_back({size, {}, true});
    return rc;
  }
  // Bookkeeping only: what was written becomes durable (no real fsync, see the header).
  static int sync(sqlite3_file* f, int) {
    auto* p = of(f);
    std::lock_guard<std::mutex> guard{p->st->mutex};
    if (!p->st->step())
      return SQLITE_IOERR_FSYNC;
    if (p->path != nullptr) {
      auto& fs = p->st->files[*p->path];
      for (const auto& op : fs.pending) apply(fs.durable, op);
      fs.pending.clear();
      fs.durable_exists = true;
      if (p->wal)
        ++p->st->wal_syncs;
    }
    return SQLITE_OK;
  }
  static int file_size(sqlite3_file* f, sqlite3_int64* size) {
    return real_methods(f)->xFileSize(of(f)->real(), size);
  }
  static int lock(sqlite3_file* f, int l) { return real_methods(f)->xLock(of(f)->real(), l); }
  static int unlock(sqlite3_file* f, int l) { return real_methods(f)->xUnlock(of(f)->real(), l); }
  static int check_reserved(sqlite3_file* f, int* out) {
    return real_methods(f)->xCheckReservedLock(of(f)->real(), out);
  }
  static int file_control(sqlite3_file* f, int op, void* arg) {
    return real_methods(f)->xFileControl(of(f)->real(), op, arg);
  }
  static int sector_size(sqlite3_file* f) { return real_methods(f)->xSectorSize(of(f)->real()); }
  static int device(sqlite3_file* f) {
    return real_methods(f)->xDeviceCharacteristics(of(f)->real());
  }
  static int shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real_methods(f)->xShmMap(of(f)->real(), page, size, extend, out);
  }
  static int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_methods(f)->xShmLock(of(f)->real(), offset, n, flags);
  }
  static void shm_barrier(sqlite3_file* f) { real_methods(f)->xShmBarrier(of(f)->real()); }
  static int shm_unmap(sqlite3_file* f, int del) {
    return real_methods(f)->xShmUnmap(of(f)->real(), del);
  }

  // Version 2: shared memory (WAL), no memory-mapped reads (they would bypass xRead).
  static const sqlite3_io_methods methods;

  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out) {
    auto* st = static_cast<power_cut_vfs::state*>(vfs->pAppData);
    auto* p = of(f);
    p->base.pMethods = nullptr;
    p->st = st;
    p->path = nullptr;
    p->wal = (flags & SQLITE_OPEN_WAL) != 0;
    if (st->cut)
      return SQLITE_CANTOPEN;
    bool kept =
        name != nullptr
        && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) != 0;
    std::unique_lock<std::mutex> guard{st->mutex};
    if (kept && st->files.count(name) == 0) {
      file_state fs; // as found on disk: durable (written by the last reboot, or never cut)
      fs.durable_exists = read_file(name, fs.durable);
      st->files.emplace(name, std::move(fs));
    }
    if (kept && (flags & SQLITE_OPEN_MAIN_DB) != 0)
      st->databases.insert(name);
    guard.unlock();
    int rc = st->base->xOpen(st->base, name, p->real(), flags, out);
    if (rc != SQLITE_OK) {
      if (p->real()->pMethods != nullptr)
        p->real()->pMethods->xClose(p->real());
      return rc;
    }
    if (kept)
      p->path = new std::string{name};
    p->base.pMethods = &methods;
    return SQLITE_OK;
  }

  static int remove(sqlite3_vfs* vfs, const char* name, int dir_sync) {
    auto* st = static_cast<power_cut_vfs::state*>(vfs->pAppData);
    std::lock_guard<std::mutex> guard{st->mutex};
    if (!st->step())
      return SQLITE_IOERR_DELETE;
    int rc = st->base->xDelete(st->base, name, dir_sync);
    auto it = st->files.find(name);
    if (rc == SQLITE_OK && it != st->files.end()) {
      it->second = file_state{};
      it->second.deleted = true;
    }
    return rc;
  }
};

const sqlite3_io_methods power_cut_io::methods = {
    2,         &close,       &read,           &write,        &truncate,    &sync,   &file_size,
    &lock,     &unlock,      &check_reserved, &file_control, &sector_size, &device, &shm_map,
    &shm_lock, &shm_barrier, &shm_unmap,      nullptr,       nullptr};

namespace {

// Forwarded as they are.
sqlite3_vfs* base_of(sqlite3_vfs* v) {
  return static_cast<power_cut_vfs::state*>(v->pAppData)->base;
}
int access(sqlite3_vfs* v, const char* n, int f, int* o) {
  return base_of(v)->xAccess(base_of(v), n, f, o);
}
int full_pathname(sqlite3_vfs* v, const char* n, int size, char* o) {
  return base_of(v)->xFullPathname(base_of(v), n, size, o);
}
void* dl_open(sqlite3_vfs* v, const char* n) { return base_of(v)->xDlOpen(base_of(v), n); }
void dl_error(sqlite3_vfs* v, int n, char* o) { base_of(v)->xDlError(base_of(v), n, o); }
void (*dl_sym(sqlite3_vfs* v, void* h, const char* s))(void) {
  return base_of(v)->xDlSym(base_of(v), h, s);
}
void dl_close(sqlite3_vfs* v, void* h) { base_of(v)->xDlClose(base_of(v), h); }
int randomness(sqlite3_vfs* v, int n, char* o) { return base_of(v)->xRandomness(base_of(v), n, o); }
int sleep_for(sqlite3_vfs* v, int us) { return base_of(v)->xSleep(base_of(v), us); }
int current_time(sqlite3_vfs* v, double* o) { return base_of(v)->xCurrentTime(base_of(v), o); }
int last_error(sqlite3_vfs* v, int n, char* o) {
  return base_of(v)->xGetLastError(base_of(v), n, o);
}
int current_time64(sqlite3_vfs* v, sqlite3_int64* o) {
  return base_of(v)->xCurrentTimeInt64(base_of(v), o);
}

// What a disk may hold of `fs` after a cut, chosen with `rng`; `how` says which choice.
std::string image_after_cut(const file_state& fs, std::mt19937_64& rng, std::string& how) {
  std::string image = fs.durable;
  if (fs.pending.empty()) {
    how = "synced";
    return image;
  }
  switch (rng() % 4) {
    case 0:
      how = "unsynced writes dropped";
      break;
    case 1:
      for (const auto& op : fs.pending) apply(image, op);
      how = "unsynced writes all kept";
      break;
    case 2: { // the writes in order up to one, which is torn at a sector
      auto k = rng() % (fs.pending.size() + 1);
      for (size_t i = 0; i < k; ++i) apply(image, fs.pending[i]);
      if (k < fs.pending.size() && !fs.pending[k].truncate) {
        const auto& op = fs.pending[k];
        int64_t first = op.offset / sector;
        int64_t last = (op.offset + static_cast<int64_t>(op.data.size()) - 1) / sector;
        int64_t keep_to = (first + static_cast<int64_t>(rng() % (last - first + 1))) * sector;
        if (keep_to > op.offset)
          apply(image,
                {op.offset, op.data.substr(0, static_cast<size_t>(keep_to - op.offset)), false});
      }
      how = "unsynced writes kept up to " + std::to_string(k) + " of "
            + std::to_string(fs.pending.size()) + ", that one torn";
      break;
    }
    default: { // every dirty sector old or new, as it comes; garbage where a write was under way
      std::string latest = fs.durable;
      std::set<int64_t> dirty;
      std::vector<const pending_op*> writes;
      for (const auto& op : fs.pending) {
        apply(latest, op);
        if (op.truncate || op.data.empty())
          continue;
        writes.push_back(&op);
        for (int64_t s = op.offset / sector;
             s <= (op.offset + static_cast<int64_t>(op.data.size()) - 1) / sector; ++s)
          dirty.insert(s);
      }
      image.resize(rng() % 2 == 0 ? latest.size() : fs.durable.size(), '\0');
      for (int64_t s : dirty) {
        auto at = static_cast<size_t>(s * sector);
        if (at >= image.size())
          break;
        auto n = std::min(static_cast<size_t>(sector), image.size() - at);
        if (rng() % 2 == 0)
          for (size_t i = 0; i < n; ++i)
            image[at + i] = at + i < latest.size() ? latest[at + i] : 0;
      }
      // Only bytes being written may come out as garbage (SQLite's unix VFS promises
      // powersafe overwrite: a write does not damage the bytes around it).
      auto garbage = writes.empty() ? 0 : rng() % 3;
      for (size_t g = 0; g < garbage; ++g) {
        const auto& op = *writes[rng() % writes.size()];
        auto s = op.offset / sector + static_cast<int64_t>(rng() % (op.data.size() / sector + 1));
        auto from = std::max(op.offset, s * sector);
        auto to = std::min({op.offset + static_cast<int64_t>(op.data.size()), (s + 1) * sector,
                            static_cast<int64_t>(image.size())});
        for (auto i = from; i < to; ++i) image[static_cast<size_t>(i)] = static_cast<char>(rng());
      }
      how = "each of " + std::to_string(dirty.size()) + " unsynced sectors old or new, "
            + std::to_string(garbage) + " written sectors garbage";
    }
  }
  return image;
}

} // namespace

power_cut_vfs::power_cut_vfs() : state_(new state) {
  state_->base = sqlite3_vfs_find(nullptr);
  if (state_->base == nullptr)
    throw std::runtime_error("no default SQLite VFS");
  auto& v = state_->vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(power_cut_io)) + state_->base->szOsFile;
  v.mxPathname = state_->base->mxPathname;
  v.zName = name;
  v.pAppData = state_;
  v.xOpen = &power_cut_io::open;
  v.xDelete = &power_cut_io::remove;
  v.xAccess = &access;
  v.xFullPathname = &full_pathname;
  v.xDlOpen = &dl_open;
  v.xDlError = &dl_error;
  v.xDlSym = &dl_sym;
  v.xDlClose = &dl_close;
  v.xRandomness = &randomness;
  v.xSleep = &sleep_for;
  v.xCurrentTime = &current_time;
  v.xGetLastError = &last_error;
  v.xCurrentTimeInt64 = &current_time64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK)
    throw std::runtime_error("cannot register the power_cut VFS");
}

power_cut_vfs& power_cut_vfs::instance() {
  static power_cut_vfs* vfs = new power_cut_vfs; // SQLite keeps pointing at it
  return *vfs;
}

void power_cut_vfs::arm(int64_t ops) {
  std::lock_guard<std::mutex> guard{state_->mutex};
  state_->cut_at = ops > 0 ? state_->ops + ops : 0;
}

void power_cut_vfs::cut_now() { state_->cut = true; }

bool power_cut_vfs::is_cut() const { return state_->cut; }

int64_t power_cut_vfs::ops() const {
  std::lock_guard<std::mutex> guard{state_->mutex};
  return state_->ops;
}

int64_t power_cut_vfs::wal_syncs() const {
  std::lock_guard<std::mutex> guard{state_->mutex};
  return state_->wal_syncs;
}

std::string power_cut_vfs::reboot(std::mt19937_64& rng) {
  std::lock_guard<std::mutex> guard{state_->mutex};
  std::ostringstream report;
  for (const auto& [path, fs] : state_->files) {
    std::string how;
    auto image = image_after_cut(fs, rng, how);
    // A deleted file stays gone; a new one never synced may be gone.
    bool exists = !fs.deleted && (fs.durable_exists || rng() % 2 == 0);
    std::error_code ec;
    if (!exists) {
      std::filesystem::remove(path, ec);
      report << path << (fs.deleted ? ": deleted\n" : ": never synced, gone\n");
      continue;
    }
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out.write(image.data(), static_cast<std::streamsize>(image.size()));
    if (!out)
      throw std::runtime_error("cannot write " + path);
    report << path << ": " << image.size() << " bytes, " << how << "\n";
  }
  for (const auto& db : state_->databases) {
    std::error_code ec;
    std::filesystem::remove(db + "-shm", ec);
  }
  state_->files.clear();
  state_->databases.clear();
  state_->ops = 0;
  state_->cut_at = 0;
  state_->wal_syncs = 0;
  state_->cut = false;
  return report.str();
}

} // namespace cf::testkit
