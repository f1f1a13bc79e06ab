// Test only: fails the real calls SQLite makes to sync and write, on demand, in an unmodified
// binary (LD_PRELOAD). Switched by files in the folder named by CF_FAULT_DIR, looked up at each
// call: "sync" makes fsync and fdatasync fail with EIO, "pwrite" makes pwrite and pwrite64 fail
// with ENOSPC; removing the file ends the failure.
//
// Why not libfiu (Debian's fiu-run -x): its preload wraps mmap and malloc as well, and its
// failure-point cache allocates inside the mmap wrapper; jemalloc calls mmap with its own mutex
// held, so the service deadlocked on its first requests (observed: a thread in je mmap ->
// fiu_fail -> strdup -> je malloc waiting for that mutex). This wraps nothing that allocates.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace {

// Whether the file `name` exists in $CF_FAULT_DIR; errno is left as it was.
bool switched_on(const char* name) {
  static const char* dir = std::getenv("CF_FAULT_DIR");
  if (dir == nullptr)
    return false;
  char path[4096];
  std::snprintf(path, sizeof path, "%s/%s", dir, name);
  int saved = errno;
  bool on = ::access(path, F_OK) == 0;
  errno = saved;
  return on;
}

// Calls `symbol` of the next library (libc) with `args`, unless the file `fault` is on: then
// fails with `error` (-1 and errno).
template <class R, class... Args>
R call_or_fail(const char* symbol, const char* fault, int error, Args... args) {
  if (switched_on(fault)) {
    errno = error;
    return -1;
  }
  // Looked up per call: a static here would be shared by fsync and fdatasync (one instantiation).
  auto real = reinterpret_cast<R (*)(Args...)>(::dlsym(RTLD_NEXT, symbol));
  return real(args...);
}

} // namespace

extern "C" {

int fsync(int fd) { return call_or_fail<int>("fsync", "sync", EIO, fd); }

int fdatasync(int fd) { return call_or_fail<int>("fdatasync", "sync", EIO, fd); }

ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  return call_or_fail<ssize_t>("pwrite", "pwrite", ENOSPC, fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset) {
  return call_or_fail<ssize_t>("pwrite64", "pwrite", ENOSPC, fd, buf, n, offset);
}

} // extern "C"
