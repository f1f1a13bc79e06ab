// The external generator: runs a configured program per request (fork/exec, no shell), feeds it the
// request as JSON on stdin and reads the course as JSON from stdout, with a deadline, output caps
// and a process group so that a timeout kills the program and everything it started.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>

#include "content/generator.hpp"
#include "util/errc.hpp"
#include "util/json_text.hpp"

namespace cf {

namespace {

constexpr size_t max_stdout = 16 * 1024 * 1024;
constexpr size_t max_stderr = 64 * 1024;

using clock_type = std::chrono::steady_clock;

std::string errno_text(int err) { return std::error_code{err, std::generic_category()}.message(); }

/// Owns a file descriptor; closes it on destruction.
class fd_guard {
public:
  explicit fd_guard(int fd = -1) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_;
};

/// Creates a pipe whose both ends are close-on-exec; returns false on failure.
bool make_pipe(fd_guard& rd, fd_guard& wr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return false;
  rd.reset(fds[0]);
  wr.reset(fds[1]);
  return true;
}

/// Blocks SIGPIPE in the calling thread while alive, so that writing to a pipe whose reader is
/// gone yields EPIPE instead of killing the process; drains a SIGPIPE raised meanwhile.
class sigpipe_guard {
public:
  sigpipe_guard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_);
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;
  ~sigpipe_guard() {
    if (!was_pending_) {
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_set_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

private:
  sigset_t pipe_set_;
  sigset_t old_;
  bool was_pending_ = false;
};

/// Finds `prog` like execvp would (PATH search unless it contains a slash); empty if not found.
std::string resolve_program(const std::string& prog) {
  if (prog.find('/') != std::string::npos)
    return prog;
  const char* env = std::getenv("PATH");
  std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    auto end = std::min(path.find(':', start), path.size());
    auto dir = path.substr(start, end - start);
    auto candidate = (dir.empty() ? std::string{"."} : dir) + "/" + prog;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)
        && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

/// The environment the program runs with: only what a program needs to run (PATH, HOME, the
/// locale, TMPDIR, TZ), taken from the service's own; never the rest, which holds secrets
/// (COURSEFACTORY_STRIPE_WEBHOOK_SECRET and the like).
std::vector<std::string> clean_environment() {
  std::vector<std::string> env;
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"})
    if (const char* v = std::getenv(name))
      env.push_back(std::string{name} + "=" + v);
  if (!std::getenv("PATH"))
    env.emplace_back("PATH=/usr/local/bin:/usr/bin:/bin");
  return env;
}

/// In the forked child: moves `fd` to a descriptor >= 3 so that dup2 onto 0-2 cannot clobber it.
int lift(int fd) { return fd >= 3 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 3); }

class external_generator : public generator {
public:
  external_generator(std::vector<std::string> argv, int64_t timeout_ms)
      : argv_(std::move(argv)), timeout_ms_(timeout_ms) {
    auto prog = argv_.empty() ? std::string{} : argv_.front();
    auto slash = prog.find_last_of('/');
    name_ = "external:" + (slash == std::string::npos ? prog : prog.substr(slash + 1));
  }

  std::string name() const override { return name_; }
  bool blocking() const override { return true; }

  caf::expected<course_content> generate(const course_request& req) override {
    if (argv_.empty())
      return make_error(errc::generator_permanent, "no command configured");
    if (timeout_ms_ <= 0)
      return make_error(errc::generator_permanent, name_ + ": timeout must be positive");
    auto out = run(to_json(req).dump());
    if (!out)
      return std::move(out.error());
    auto j = parse_json_exact(*out); // one JSON text, no NUL byte, never throws
    if (j.is_discarded())
      return make_error(errc::generator_permanent, name_ + ": output is not JSON");
    return content_from_json(j);
  }

private:
  caf::error transient(const std::string& what) const {
    return make_error(errc::generator_transient, name_ + ": " + what);
  }

  /// Runs the program with `input` on stdin; returns its stdout if it exited with status 0.
  caf::expected<std::string> run(const std::string& input) const {
    auto deadline = clock_type::now() + std::chrono::milliseconds{timeout_ms_};
    auto path = resolve_program(argv_.front());
    if (path.empty())
      return transient("program not found: " + argv_.front());
    std::vector<char*> args;
    for (const auto& a : argv_) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    auto env = clean_environment(); // made before fork: the child only calls exec
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    fd_guard in_r, in_w, out_r, out_w, err_r, err_w, exec_r, exec_w;
    if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)
        || !make_pipe(exec_r, exec_w))
      return transient("cannot create pipes: " + errno_text(errno));
    pid_t pid = ::fork();
    if (pid < 0)
      return transient("cannot fork: " + errno_text(errno));
    if (pid == 0)
      exec_child(path.c_str(), args.data(), envp.data(), in_r.get(), out_w.get(), err_w.get(),
                 exec_w.get());
    in_r.reset();
    out_w.reset();
    err_w.reset();
    exec_w.reset();
    // The error pipe closes on a successful exec; otherwise the child sends errno first.
    int exec_errno = 0;
    ssize_t n;
    while ((n = ::read(exec_r.get(), &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
      reap(pid);
      return transient("cannot execute " + path + ": " + errno_text(exec_errno));
    }
    ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
    std::string out, err;
    bool out_too_big = false;
    bool timed_out = !pump(pid, input, in_w, out_r, err_r, out, err, out_too_big, deadline);
    // Wait for the exit without reaping, so that the process group cannot vanish under us.
    while (!timed_out && !out_too_big) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0
          && errno != EINTR)
        break;
      if (info.si_pid == pid)
        break;
      if (clock_type::now() >= deadline)
        timed_out = true;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    ::kill(-pid, SIGKILL); // The program or whatever it left behind in its group.
    int status = reap(pid);
    if (timed_out)
      return transient("timed out after " + std::to_string(timeout_ms_) + " ms");
    if (out_too_big)
      return make_error(errc::generator_permanent,
                        name_ + ": output exceeds " + std::to_string(max_stdout) + " bytes");
    auto line = err.substr(0, err.find('\n'));
    auto suffix = line.empty() ? std::string{} : ": " + line;
    if (WIFSIGNALED(status))
      return transient("killed by signal " + std::to_string(WTERMSIG(status)) + suffix);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return transient("exited with status " + std::to_string(WEXITSTATUS(status)) + suffix);
    return out;
  }

  /// Writes `input` and reads stdout/stderr until both reach EOF, or until a short grace period
  /// after the program exited (a background child it left may hold the pipes open: its output
  /// is not the program's). False on timeout.
  static bool pump(pid_t pid, const std::string& input, fd_guard& in_w, fd_guard& out_r,
                   fd_guard& err_r, std::string& out, std::string& err, bool& out_too_big,
                   clock_type::time_point deadline) {
    bool exited = false;
    auto grace_end = clock_type::time_point::max();
    sigpipe_guard no_sigpipe;
    size_t written = 0;
    if (input.empty())
      in_w.reset();
    char buf[65536];
    while (out_r.get() >= 0 || err_r.get() >= 0) {
      if (!exited) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info.si_pid == pid) {
          exited = true;
          grace_end = clock_type::now() + std::chrono::milliseconds{200};
        }
      }
      if (exited && clock_type::now() >= grace_end)
        return true;
      auto until = std::min(deadline, grace_end);
      auto left = std::chrono::ceil<std::chrono::milliseconds>(until - clock_type::now());
      if (left.count() <= 0)
        return clock_type::now() < deadline;
      pollfd fds[3] = {
          {in_w.get(), POLLOUT, 0}, {out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
      // Short polls until the exit is seen, so that the grace period starts on time.
      int rc =
          ::poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count(), exited ? 60'000 : 20)));
      if (rc < 0 && errno != EINTR)
        return false; // Cannot happen with valid arguments; treat like a timeout.
      if (rc <= 0)
        continue;
      if (fds[0].revents != 0) {
        ssize_t n = ::write(in_w.get(), input.data() + written, input.size() - written);
        if (n > 0)
          written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
          in_w.reset(); // Done, or the program closed its stdin (EPIPE): it is its business.
      }
      if (fds[1].revents != 0) {
        ssize_t n = ::read(out_r.get(), buf, sizeof buf);
        if (n > 0 && out.size() + static_cast<size_t>(n) > max_stdout) {
          out_too_big = true;
          return true;
        }
        if (n > 0)
          out.append(buf, static_cast<size_t>(n));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
          out_r.reset();
      }
      if (fds[2].revents != 0) {
        ssize_t n = ::read(err_r.get(), buf, sizeof buf);
        if (n > 0)
          err.append(buf, std::min(static_cast<size_t>(n), max_stderr - err.size()));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
          err_r.reset();
      }
    }
    return true;
  }

  /// Runs in the forked child: only async-signal-safe calls. Never returns.
  [[noreturn]] static void exec_child(const char* path, char* const* args, char* const* envp,
                                      int in, int out, int err, int exec_w) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    in = lift(in);
    out = lift(out);
    err = lift(err);
    exec_w = lift(exec_w);
    if (in < 0 || out < 0 || err < 0 || exec_w < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0
        || ::dup2(err, 2) < 0)
      fail(exec_w);
#ifdef CLOSE_RANGE_CLOEXEC
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); // Do not hand the service's sockets on.
#endif
    ::execve(path, args, envp);
    fail(exec_w);
  }

  [[noreturn]] static void fail(int exec_w) {
    int e = errno;
    if (exec_w >= 0) {
      ssize_t ignored = ::write(exec_w, &e, sizeof e);
      (void)ignored;
    }
    ::_exit(127);
  }

  /// Waits for `pid` (retrying on EINTR); returns its wait status.
  static int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  }

  std::vector<std::string> argv_;
  int64_t timeout_ms_;
  std::string name_;
};

} // namespace

std::shared_ptr<generator> make_external_generator(std::vector<std::string> argv,
                                                   int64_t timeout_ms) {
  return std::make_shared<external_generator>(std::move(argv), timeout_ms);
}

} // namespace cf
