// Test kit: running a shell command (the real binary) and collecting what it printed.
#pragma once

#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <string>

namespace cf::testkit {

/// Output (stdout and stderr together) and exit status of a shell command.
struct run_result {
  std::string out;
  int status = -1; ///< The exit status; -1 when it did not exit normally.
};

/// Runs `command` through /bin/sh and waits for it.
inline run_result run(const std::string& command) {
  run_result r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  BOOST_REQUIRE(p != nullptr);
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) r.out += buf;
  int rc = pclose(p);
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return r;
}

} // namespace cf::testkit
