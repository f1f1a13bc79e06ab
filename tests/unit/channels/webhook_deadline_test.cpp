// The webhook channel against receivers that never answer or trickle their answer a byte at a
// time: each delivery is held to its deadline as a whole (httplib's own timeouts count per read,
// which a trickle defeats), fails as transient and leaves the other receivers served.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "channels/webhook_channel.hpp"
#include "tests/testkit/webhook_receiver.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

/// A receiver on raw sockets: reads each request's header, then either never answers (`hang`)
/// or starts a 200 answer and sends one header byte every 50 ms (`trickle`) for up to 20 s,
/// then ends the answer properly: a client without a total deadline gets a 200 after 20 s.
class slow_receiver {
public:
  enum class mode { hang, trickle };

  explicit slow_receiver(mode m) : mode_(m) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
        || ::listen(fd_, 16) != 0
        || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~slow_receiver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int connections() const { return connections_.load(); }

private:
  // Waits up to `ms` for `fd` to be readable, unless stopping.
  bool readable(int fd, int ms) const {
    pollfd p{fd, POLLIN, 0};
    return !stop_ && ::poll(&p, 1, ms) > 0;
  }

  void serve() {
    std::vector<std::thread> handlers;
    while (!stop_) {
      if (!readable(fd_, 50))
        continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      ++connections_;
      handlers.emplace_back([this, c] { handle(c); });
    }
    for (auto& h : handlers) h.join();
  }

  void handle(int c) {
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos && !stop_) {
      if (!readable(c, 50))
        continue;
      auto n = ::read(c, buf, sizeof buf);
      if (n <= 0)
        break;
      got.append(buf, static_cast<size_t>(n));
    }
    auto send = [c](const std::string& s) {
      return ::send(c, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
    };
    if (mode_ == mode::trickle && send("HTTP/1.1 200 OK\r\nX-Slow: ")) {
      auto until = std::chrono::steady_clock::now() + std::chrono::seconds{20};
      bool open = true;
      while (open && !stop_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
        open = send("a");
      }
      if (open)
        send("\r\nContent-Length: 0\r\n\r\n");
    }
    while (!stop_) { // hang (or linger) until the client closes or the test ends
      if (readable(c, 50) && ::read(c, buf, sizeof buf) <= 0)
        break;
    }
    ::close(c);
  }

  mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

published_course sample_course() {
  published_course course;
  course.course_id = "c-slow";
  course.title = "Slow receivers";
  course.language = "en";
  course.content_json = R"({"lessons":[],"quiz":[]})";
  course.distribution_id = "d-slow";
  course.attempt = 1;
  return course;
}

std::string context_of(const caf::expected<channel_result>& res) {
  return res ? std::string{} : error_context(res.error());
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_deadline)

BOOST_AUTO_TEST_CASE(a_trickling_receiver_is_cut_at_the_deadline_as_transient) {
  slow_receiver slow{slow_receiver::mode::trickle};
  // 500 ms in all, while every single read gets a byte within 50 ms: only the total deadline
  // ends it (without it, the answer completes as a 200 after 20 s and this test fails).
  auto res = make_webhook_channel({slow.url()}, "whsec_x", 500)->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(
      context_of(res).find(slow.url() + ": no complete answer within 500 ms") != std::string::npos,
      context_of(res));
  BOOST_TEST(slow.connections() == 1);
}

BOOST_AUTO_TEST_CASE(a_receiver_that_never_answers_fails_as_transient) {
  slow_receiver slow{slow_receiver::mode::hang};
  auto res = make_webhook_channel({slow.url()}, "whsec_x", 300)->publish(sample_course());
  BOOST_REQUIRE(!res);
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(slow.url()) != std::string::npos, context_of(res));
}

BOOST_AUTO_TEST_CASE(the_other_receivers_are_served_after_a_trickling_one) {
  slow_receiver slow{slow_receiver::mode::trickle};
  testkit::receiver fast;
  auto ch = make_webhook_channel({slow.url(), fast.url()}, "whsec_x", 500);
  auto res = ch->publish(sample_course());
  BOOST_REQUIRE(!res); // transient as a whole: the slow one is retried
  BOOST_TEST(is(res.error(), errc::channel_transient));
  BOOST_TEST(context_of(res).find(fast.url()) == std::string::npos, context_of(res));
  BOOST_TEST(fast.requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
