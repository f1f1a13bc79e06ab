// Test kit: a redis-server process per test.
#include "tests/testkit/redis_server.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "util/errc.hpp"

namespace cf::testkit {

namespace {

// A port the kernel just handed out and took back: free unless another process grabs it within
// the next moment (the server then fails to start, and the test says so).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace

redis_server::redis_server() : port_(free_port()) { start(); }

redis_server::~redis_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void redis_server::start() {
  auto port = std::to_string(port_);
  auto dir = dir_.path.string();
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    auto log = dir + "/redis.log";
    ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--dir",
             dir.c_str(), "--appendonly", "yes", "--save", "", "--logfile", log.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Ready when it answers PING; gone when the process exited (port taken, no redis-server).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start (see " + dir + "/redis.log)");
    }
    auto c = redis_connection::connect(address(), std::chrono::milliseconds{1000});
    if (c)
      if (auto pong = (*c)->command({"PING"}); pong && pong->str == "PONG")
        return;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  throw std::runtime_error("redis-server did not answer within 30 s");
}

void redis_server::stop() {
  if (pid_ <= 0)
    return;
  if (auto c = redis_connection::connect(address(), std::chrono::milliseconds{5000}))
    (void)(*c)->command({"SHUTDOWN"}); // no reply: the server closes the connection
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

redis_value redis_server::command(const std::vector<std::string>& args) const {
  auto c = redis_connection::connect(address(), std::chrono::milliseconds{5000});
  if (!c)
    throw std::runtime_error("redis: " + error_context(c.error()));
  auto r = (*c)->command(args);
  if (!r)
    throw std::runtime_error("redis: " + error_context(r.error()));
  return std::move(*r);
}

std::vector<std::pair<std::string, std::vector<std::string>>> redis_server::entries(
    const std::string& stream) const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  auto r = command({"XRANGE", stream, "-", "+"});
  for (const auto& entry : r.elements) {
    std::vector<std::string> fields;
    for (const auto& f : entry.elements.at(1).elements) fields.push_back(f.str);
    out.emplace_back(entry.elements.at(0).str, std::move(fields));
  }
  return out;
}

std::string field_of(const std::vector<std::string>& fields, const std::string& field) {
  for (size_t i = 0; i + 1 < fields.size(); i += 2)
    if (fields[i] == field)
      return fields[i + 1];
  return {};
}

} // namespace cf::testkit
