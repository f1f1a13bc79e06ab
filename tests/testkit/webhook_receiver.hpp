// Test kit: a local webhook receiver on 127.0.0.1 that records requests and answers a scripted
// sequence of status codes (then 200s), optionally after a delay (cut short when it stops).
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/testkit/sync.hpp"

namespace cf::testkit {

/// What a receiver saw of one request.
struct recorded_request {
  std::string path;
  std::string body;
  std::string content_type;
  std::string signature;
  std::string idempotency_key;
};

/// A local webhook receiver answering a scripted status sequence (then 200s).
class receiver {
public:
  explicit receiver(std::deque<int> statuses = {},
                    std::chrono::milliseconds delay = std::chrono::milliseconds{0})
      : statuses_(std::move(statuses)), delay_(delay) {
    svr_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      int status = 200;
      {
        std::lock_guard<std::mutex> guard{mtx_};
        requests_.push_back({req.path, req.body, req.get_header_value("Content-Type"),
                             req.get_header_value("Coursefactory-Signature"),
                             req.get_header_value("Idempotency-Key")});
        if (!statuses_.empty()) {
          status = statuses_.front();
          statuses_.pop_front();
        }
      }
      {
        std::unique_lock<std::mutex> lock{mtx_};
        if (delay_.count() > 0)
          stopped_.wait_for(lock, delay_, [this] { return stopping_; });
        ++answered_;
      }
      res.status = status;
      res.set_content("{}", "application/json");
    });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
      throw std::runtime_error("cannot bind the test receiver");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    // The socket listens already (bound above); this only makes stop() find a running server.
    eventually([this] { return svr_.is_running(); });
  }

  ~receiver() { stop(); }

  void stop() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      stopping_ = true;
    }
    stopped_.notify_all();
    if (thread_.joinable()) {
      svr_.stop();
      thread_.join();
    }
  }

  int port() const { return port_; }

  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<recorded_request> requests() {
    std::lock_guard<std::mutex> guard{mtx_};
    return requests_;
  }

  /// How many requests it has finished waiting for and is answering (or has answered).
  int answered() {
    std::lock_guard<std::mutex> guard{mtx_};
    return answered_;
  }

private:
  httplib::Server svr_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mtx_;
  std::deque<int> statuses_;
  std::chrono::milliseconds delay_;
  std::vector<recorded_request> requests_;
  int answered_ = 0;
  bool stopping_ = false;           // stop() was called: delays end now
  std::condition_variable stopped_; // wakes delayed answers when stopping
};

} // namespace cf::testkit
