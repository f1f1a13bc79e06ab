// Complete lifecycles per second against a running `coursefactory serve`, over HTTP only:
// C clients each loop create a priced course (POST /v1/courses) -> wait for
// course.payment.required -> pay it with a Stripe-signed checkout.session.completed webhook
// (what `coursefactory pay` sends) -> wait for course.distribution.completed. The waits are
// served by one SSE stream (GET /v1/events/stream?type=course.*), not by polling.
//
//   lifecycle_bench --port P --secret WHSEC [--clients C] [--seconds S]
// Prints lifecycles_per_s, the number completed, and the median and p99 lifecycle time.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "app/pay_command.hpp"
#include "util/signature_header.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

// What the SSE stream has told us about each course.
struct course_news {
  std::string payment_id;
  bool published = false;
};

class news_board {
public:
  void post(const json& ce) {
    auto type = ce.value("type", "");
    auto subject = ce.value("subject", "");
    std::lock_guard<std::mutex> lock{mx_};
    if (type == "course.payment.required")
      news_[subject].payment_id = ce["data"].value("payment_id", "");
    else if (type == "course.distribution.completed")
      news_[subject].published = true;
    else
      return;
    cv_.notify_all();
  }

  // Waits until `ready(news)` holds for `course` or the deadline passes.
  template <class Pred>
  bool wait(const std::string& course, clock_type::time_point deadline, Pred ready,
            course_news& out) {
    std::unique_lock<std::mutex> lock{mx_};
    bool ok = cv_.wait_until(lock, deadline, [&] { return ready(news_[course]); });
    out = news_[course];
    return ok;
  }

  void forget(const std::string& course) {
    std::lock_guard<std::mutex> lock{mx_};
    news_.erase(course);
  }

private:
  std::mutex mx_;
  std::condition_variable cv_;
  std::map<std::string, course_news> news_;
};

constexpr const char* course_body =
    R"({"title":"Benchmarking basics","language":"en","audiences":["engineers"],)"
    R"("lesson_count":1,"user_id":"bench","price":{"amount_cents":4900,"currency":"EUR"}})";

} // namespace

int main(int argc, char** argv) {
  int port = 0;
  int clients = 8;
  double seconds = 10;
  std::string secret;
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--port")
      port = std::stoi(argv[i + 1]);
    else if (k == "--secret")
      secret = argv[i + 1];
    else if (k == "--token")
      token = argv[i + 1];
    else if (k == "--clients")
      clients = std::stoi(argv[i + 1]);
    else if (k == "--seconds")
      seconds = std::stod(argv[i + 1]);
  }
  if (port == 0 || secret.empty() || token.empty()) {
    std::cerr << "usage: lifecycle_bench --port P --secret WHSEC --token TOKEN [--clients C] "
                 "[--seconds S]\n";
    return 2;
  }
  // The stream starts after the log's head now, so no event of ours can slip past it.
  httplib::Client probe{"127.0.0.1", port};
  auto health = probe.Get("/v1/health");
  if (!health || health->status != 200) {
    std::cerr << "lifecycle_bench: no service on port " << port << "\n";
    return 1;
  }
  auto stream_path = "/v1/events/stream?type=course.*&after="
                     + std::to_string(json::parse(health->body).value("last_seq", int64_t{0}));
  news_board board;
  std::atomic<bool> done{false};
  std::atomic<bool> streaming{false};
  httplib::Client sse{"127.0.0.1", port};
  sse.set_bearer_token_auth(token.c_str());
  sse.set_read_timeout(std::chrono::seconds{60});
  std::thread reader{[&] {
    std::string buffer;
    sse.Get(stream_path.c_str(), [&](const char* data, size_t n) {
      streaming = true;
      buffer.append(data, n);
      for (size_t end; (end = buffer.find('\n')) != std::string::npos;) {
        auto line = buffer.substr(0, end);
        buffer.erase(0, end + 1);
        if (line.rfind("data: ", 0) == 0) {
          auto ce = json::parse(line.substr(6), nullptr, false);
          if (!ce.is_discarded())
            board.post(ce);
        }
      }
      return !done;
    });
  }};
  std::atomic<int64_t> completed{0};
  std::atomic<int64_t> failed{0};
  std::mutex times_mx;
  std::vector<double> times_ms;
  std::map<std::string, int> why_failed; // under times_mx
  auto note = [&](const std::string& why) {
    std::lock_guard<std::mutex> lock{times_mx};
    ++why_failed[why];
  };
  auto start = clock_type::now();
  auto end =
      start
      + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c)
    workers.emplace_back([&] {
      httplib::Client cli{"127.0.0.1", port};
      cli.set_keep_alive(true);
      cli.set_bearer_token_auth(token.c_str());
      while (clock_type::now() < end) {
        auto t0 = clock_type::now();
        auto deadline = t0 + std::chrono::seconds{30};
        auto res = cli.Post("/v1/courses", course_body, "application/json");
        if (!res || res->status != 202) {
          ++failed;
          note("POST "
               + (res ? std::to_string(res->status) : "error " + httplib::to_string(res.error()))
               + " after "
               + std::to_string(
                   std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start)
                       .count())
               + " ms");
          continue;
        }
        auto course = json::parse(res->body).value("course_id", "");
        course_news news;
        if (!board.wait(
                course, deadline, [](const course_news& n) { return !n.payment_id.empty(); },
                news)) {
          ++failed;
          note("no payment.required within 30 s");
          continue;
        }
        auto body = cf::make_stripe_event(course, news.payment_id, 4900, "EUR");
        auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
        httplib::Headers headers{{"Stripe-Signature", cf::sign_payload(secret, body, now_s)}};
        auto paid = cli.Post("/v1/payments/webhook", headers, body, "application/json");
        if (!paid || paid->status != 200
            || !board.wait(
                course, deadline, [](const course_news& n) { return n.published; }, news)) {
          ++failed;
          note(!paid                 ? std::string{"webhook: no answer"}
               : paid->status != 200 ? "webhook " + std::to_string(paid->status) + ": " + paid->body
                                     : std::string{"not published within 30 s"});
          continue;
        }
        board.forget(course);
        ++completed;
        std::lock_guard<std::mutex> lock{times_mx};
        times_ms.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
      }
    });
  for (auto& w : workers) w.join();
  auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  done = true;
  sse.stop();
  reader.join();
  std::sort(times_ms.begin(), times_ms.end());
  auto pct = [&](double p) {
    return times_ms.empty() ? 0.0 : times_ms[static_cast<size_t>(p * (times_ms.size() - 1))];
  };
  std::cout << "lifecycles_per_s=" << static_cast<double>(completed) / elapsed
            << " completed=" << completed << " failed=" << failed << " p50_ms=" << pct(0.5)
            << " p99_ms=" << pct(0.99) << " stream=" << (streaming ? "yes" : "no") << "\n";
  for (const auto& [why, n] : why_failed) std::cerr << "failed " << n << "x: " << why << "\n";
  return failed == 0 && completed > 0 ? 0 : 1;
}
