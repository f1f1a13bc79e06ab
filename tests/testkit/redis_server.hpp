// Test kit: a real redis-server (Debian's) of the test's own, on a free loopback port in a
// temporary folder, with AOF on so that a restart keeps its streams. Stopped and removed on
// destruction.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "bus/redis_connection.hpp"
#include "tests/testkit/service_fixture.hpp"

namespace cf::testkit {

class redis_server {
public:
  /// Starts the server and waits (up to 30 s) until it answers PING. Throws when it cannot.
  redis_server();
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  redis_address address() const { return {"127.0.0.1", port_, 0}; }

  /// SHUTDOWN (the AOF is kept) and waits for the process to exit.
  void stop();

  /// Starts it again on the same port and folder; waits until it answers.
  void start();

  /// One command on a fresh connection. Throws on a connection failure.
  redis_value command(const std::vector<std::string>& args) const;

  /// The entries of `stream` as (entry id, fields as a flat field/value list), oldest first.
  std::vector<std::pair<std::string, std::vector<std::string>>> entries(
      const std::string& stream) const;

private:
  temp_dir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// The value of `field` in a flat field/value list, or "" when absent.
std::string field_of(const std::vector<std::string>& fields, const std::string& field);

} // namespace cf::testkit
