// conn_guard: connections counted per client address against the cap, and the wake-ups a waiting
// connection gets (data, its deadline, the server stopping, threads running short).
#include "http/conn_guard.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

using namespace cf;
using namespace std::chrono_literals;

namespace {

// Both ends of a connected pair of sockets, closed at the end.
struct socket_pair {
  int fd[2] = {-1, -1};
  socket_pair() { BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
  ~socket_pair() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
};

using wake = conn_guard::wake;

} // namespace

BOOST_AUTO_TEST_SUITE(connections)

BOOST_AUTO_TEST_CASE(an_address_holds_at_most_the_cap_and_others_are_not_counted_against_it) {
  conn_guard g{100, 2, 1s};
  BOOST_TEST(g.admit("127.0.0.2"));
  BOOST_TEST(g.admit("127.0.0.2"));
  BOOST_TEST(!g.admit("127.0.0.2"));
  BOOST_TEST(g.open_from("127.0.0.2") == 2);
  BOOST_TEST(g.admit("127.0.0.3"));
  g.release("127.0.0.2");
  BOOST_TEST(g.admit("127.0.0.2")); // a freed place can be taken again
  BOOST_TEST(!g.admit("127.0.0.2"));
  g.release("127.0.0.3");
  BOOST_TEST(g.open_from("127.0.0.3") == 0);
  conn_guard uncapped{100, 0, 1s};
  for (int i = 0; i < 50; ++i) BOOST_TEST_REQUIRE(uncapped.admit("127.0.0.2"));
}

BOOST_AUTO_TEST_CASE(a_waiting_connection_wakes_for_data_and_at_its_deadline) {
  conn_guard g{100, 0, 1s};
  socket_pair p;
  auto t0 = conn_guard::clock::now();
  BOOST_TEST((g.wait(p.fd[0], POLLIN, t0 + 20ms, true, true) == wake::timeout));
  BOOST_TEST((conn_guard::clock::now() >= t0 + 20ms));
  BOOST_TEST(::write(p.fd[1], "x", 1) == 1);
  BOOST_TEST((g.wait(p.fd[0], POLLIN, t0 + 60s, true, true) == wake::ready));
}

BOOST_AUTO_TEST_CASE(stop_wakes_waits_that_listen_to_it_and_refuses_new_connections) {
  conn_guard g{100, 0, 2s};
  socket_pair p;
  BOOST_TEST((g.stop_deadline() == conn_guard::clock::time_point::max()));
  BOOST_TEST(g.admit("127.0.0.2"));
  auto before = conn_guard::clock::now();
  g.stop();
  BOOST_TEST(g.stopping());
  BOOST_TEST((g.stop_deadline() >= before + 2s));
  BOOST_TEST(!g.admit("127.0.0.2"));
  auto far = conn_guard::clock::now() + 60s;
  BOOST_TEST((g.wait(p.fd[0], POLLIN, far, true, false) == wake::stopped));
  // A wait that does not listen to the stop runs to its deadline.
  BOOST_TEST(
      (g.wait(p.fd[0], POLLIN, conn_guard::clock::now() + 10ms, false, false) == wake::timeout));
}

BOOST_AUTO_TEST_CASE(threads_run_short_when_every_one_holds_a_connection) {
  conn_guard g{3, 0, 1s};
  socket_pair p;
  auto far = conn_guard::clock::now() + 60s;
  BOOST_TEST(g.admit("a"));
  BOOST_TEST(g.admit("b"));
  BOOST_TEST(!g.short_of_threads());
  BOOST_TEST(g.admit("c"));
  BOOST_TEST(g.short_of_threads());
  BOOST_TEST((g.wait(p.fd[0], POLLIN, far, true, true) == wake::shed));
  BOOST_TEST((g.wait(p.fd[0], POLLIN, conn_guard::clock::now() + 10ms, true, false)
              == wake::timeout)); // only waits that may be shed are woken
  g.release("b");
  BOOST_TEST(!g.short_of_threads());
  BOOST_TEST(
      (g.wait(p.fd[0], POLLIN, conn_guard::clock::now() + 10ms, true, true) == wake::timeout));
}

BOOST_AUTO_TEST_SUITE_END()
