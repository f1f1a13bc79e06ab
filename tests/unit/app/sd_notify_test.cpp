// app/sd_notify: what a Type=notify unit's systemd receives, read from a real datagram socket;
// nothing is sent once NOTIFY_SOCKET is gone.
#include "app/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace cf;

namespace {

/// A datagram socket bound in a fresh folder, standing in for systemd's notify socket.
struct notify_socket {
  std::filesystem::path dir;
  std::string path;
  int fd = -1;

  notify_socket() {
    char tmpl[] = "/tmp/cf-notify-XXXXXX";
    dir = mkdtemp(tmpl);
    path = (dir / "notify").string();
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~notify_socket() {
    close(fd);
    std::filesystem::remove_all(dir);
  }
  /// The next datagram; empty when none is waiting (the senders are synchronous: a datagram
  /// sent before this call is already queued).
  std::string take() {
    char buf[512];
    auto n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(systemd_notify)

BOOST_AUTO_TEST_CASE(ready_and_stopping_reach_the_notify_socket) {
  notify_socket sock;
  setenv("NOTIFY_SOCKET", sock.path.c_str(), 1);
  notify_ready();
  notify_stopping();
  unsetenv("NOTIFY_SOCKET");
  notify_ready(); // not started by systemd: nothing sent, nothing fails
  BOOST_TEST(sock.take() == "READY=1\nSTATUS=serving");
  BOOST_TEST(sock.take() == "STOPPING=1\nSTATUS=stopping");
  BOOST_TEST(sock.take() == "");
}

BOOST_AUTO_TEST_SUITE_END()
