// flock(2) on a file beside the database (see file_lock.hpp).
#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "util/errc.hpp"

namespace cf {

namespace {

long read_pid(int fd) {
  char buf[32] = {};
  auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::strtol(buf, nullptr, 10) : 0;
}

} // namespace

std::string lock_file_of(const std::string& db) { return db + ".lock"; }

caf::expected<file_lock> file_lock::acquire(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path{path}.parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec); // open() below says what went wrong
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(errc::storage_unavailable,
                      "cannot open the lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    auto why = errno;
    auto pid = why == EWOULDBLOCK ? read_pid(fd) : 0;
    ::close(fd);
    if (why != EWOULDBLOCK)
      return make_error(errc::storage_unavailable,
                        "cannot lock " + path + ": " + std::strerror(why));
    return make_error(errc::conflict, "another process holds " + path
                                          + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : ""));
  }
  // Ours now: the pid tells the next one who holds it (a stale pid from a dead holder is
  // overwritten here; it names no one once the lock is free).
  auto text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) < 0) {
    // The lock holds all the same; only the name of its holder is missing.
  }
  return file_lock{fd};
}

long file_lock::holder(const std::string& path) {
  // Read from /proc/locks rather than by trying the lock: a probe, even a shared one, could make
  // a service starting at that moment find the lock taken.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return 0;
  char want[64];
  std::snprintf(want, sizeof want, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::ifstream locks{"/proc/locks"};
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (a waiter's line has "->" after the id).
  for (std::string line; std::getline(locks, line);) {
    std::istringstream in{line};
    std::string id, kind, mode, access, pid, file;
    in >> id >> kind;
    if (kind == "->")
      continue;
    in >> mode >> access >> pid >> file;
    if (kind == "FLOCK" && access == "WRITE" && file == want)
      return std::strtol(pid.c_str(), nullptr, 10);
  }
  return 0;
}

file_lock::file_lock(file_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

file_lock& file_lock::operator=(file_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

file_lock::~file_lock() {
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace cf
