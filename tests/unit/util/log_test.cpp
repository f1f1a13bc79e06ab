// Tests for the structured logs: each record is one JSON line on stderr, levels filter, threads
// never interleave lines, and the real service writes its failures that way.
#include "util/log.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "domain/event.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "util/uuid.hpp"

using namespace cf;
using nlohmann::json;

namespace {

// Sends everything written to fd 2 into a pipe while it lives; a thread drains the pipe, so
// writers block as they would on a real pipe (and large lines can be written in pieces).
class stderr_capture {
public:
  stderr_capture() {
    std::fflush(stderr);
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread{[this] {
      char buf[1024]; // smaller than most lines: reads split them too
      for (ssize_t n; (n = ::read(read_fd_, buf, sizeof buf)) > 0;) text_.append(buf, n);
    }};
  }
  ~stderr_capture() { stop(); }

  /// Restores stderr and returns what was written meanwhile.
  const std::string& stop() {
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO); // closes the pipe's last write end: the reader sees EOF
      ::close(saved_);
      saved_ = -1;
      reader_.join();
      ::close(read_fd_);
    }
    return text_;
  }

private:
  int saved_ = -1;
  int read_fd_ = -1;
  std::thread reader_;
  std::string text_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Parses `line` as a log record: a JSON object with the four leading keys, in order.
json parse_record(const std::string& line) {
  auto j = json::parse(line, nullptr, false);
  BOOST_REQUIRE_MESSAGE(j.is_object(), "not a JSON object: " << line);
  BOOST_TEST(line.rfind("{\"ts\":", 0) == 0, line);
  for (const char* key : {"ts", "level", "component", "msg"})
    BOOST_REQUIRE_MESSAGE(j.contains(key) && j[key].is_string(), key << " missing: " << line);
  BOOST_TEST(line.find("\"level\"") < line.find("\"component\""));
  BOOST_TEST(line.find("\"component\"") < line.find("\"msg\""));
  BOOST_TEST(static_cast<bool>(parse_time(j["ts"].get<std::string>())), line);
  return j;
}

// Every test starts and ends at the default level.
struct level_guard {
  level_guard() { set_log_level(log_level::info); }
  ~level_guard() { set_log_level(log_level::info); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(logging, level_guard)

BOOST_AUTO_TEST_CASE(record_is_one_json_line_with_its_fields) {
  stderr_capture capture;
  auto before = now_us();
  log_event(log_level::warn, "distribution", "cannot record",
            {{"course_id", "c-1"}, {"correlation_id", "corr-1"}, {"seq", 7}, {"error", "boom"}});
  auto lines = lines_of(capture.stop());
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  auto j = parse_record(lines[0]);
  BOOST_TEST(j["level"] == "warn");
  BOOST_TEST(j["component"] == "distribution");
  BOOST_TEST(j["msg"] == "cannot record");
  BOOST_TEST(j["course_id"] == "c-1");
  BOOST_TEST(j["correlation_id"] == "corr-1");
  BOOST_TEST(j["seq"] == 7);
  BOOST_TEST(j["error"] == "boom");
  BOOST_TEST(*parse_time(j["ts"].get<std::string>()) >= before);
  BOOST_TEST(lines[0].find("\"error\"") > lines[0].find("\"course_id\"")); // given order kept
}

BOOST_AUTO_TEST_CASE(format_is_exact_and_leaves_out_empty_fields) {
  BOOST_TEST(format_log_record(1'000'001, log_level::error, "main", "cannot listen",
                               {{"host", "127.0.0.1"},
                                {"correlation_id", ""},
                                {"port", 8080},
                                {"none", nullptr},
                                {"msg", "clash"},
                                {"ok", false}})
             == "{\"ts\":\"1970-01-01T00:00:01.000001Z\",\"level\":\"error\",\"component\":\"main\","
                "\"msg\":\"cannot listen\",\"host\":\"127.0.0.1\",\"port\":8080,\"ok\":false}\n");
}

BOOST_AUTO_TEST_CASE(quotes_newlines_and_bad_utf8_stay_on_one_valid_line) {
  stderr_capture capture;
  log_event(log_level::error, "http", "exception in handler",
            {{"error", "say \"hi\"\nthen \xff\xfe leave"}});
  auto lines = lines_of(capture.stop());
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  auto j = parse_record(lines[0]);
  BOOST_TEST(j["error"]
             == "say \"hi\"\nthen \xEF\xBF\xBD\xEF\xBF\xBD leave"); // U+FFFD per bad byte
}

BOOST_AUTO_TEST_CASE(disabled_levels_write_nothing) {
  set_log_level(log_level::warn);
  BOOST_TEST(!log_enabled(log_level::debug));
  BOOST_TEST(!log_enabled(log_level::info));
  BOOST_TEST(log_enabled(log_level::warn));
  BOOST_TEST(log_enabled(log_level::error));
  stderr_capture capture;
  log_event(log_level::debug, "http", "request");
  log_event(log_level::info, "main", "listening", {{"port", 1}});
  BOOST_TEST(capture.stop().empty());
  set_log_level(log_level::debug);
  BOOST_TEST(log_enabled(log_level::debug));
}

BOOST_AUTO_TEST_CASE(level_names_round_trip) {
  for (auto level : {log_level::debug, log_level::info, log_level::warn, log_level::error})
    BOOST_TEST((parse_log_level(to_string(level)) == level));
  BOOST_TEST(!parse_log_level("warning"));
  BOOST_TEST(!parse_log_level(""));
}

BOOST_AUTO_TEST_CASE(concurrent_records_never_interleave) {
  constexpr int threads = 8;
  constexpr int per_thread = 200;
  // Lines longer than PIPE_BUF (4096): a pipe may take them in several pieces.
  const std::string padding(6000, 'x');
  stderr_capture capture;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([t, &padding] {
      for (int i = 0; i < per_thread; ++i)
        log_event(log_level::info, "test", "line", {{"thread", t}, {"i", i}, {"pad", padding}});
    });
  for (auto& w : workers) w.join();
  auto lines = lines_of(capture.stop());
  BOOST_REQUIRE_EQUAL(lines.size(), static_cast<size_t>(threads * per_thread));
  std::vector<int> next(threads, 0); // each thread's records arrive in its own order
  for (const auto& line : lines) {
    auto j = json::parse(line, nullptr, false);
    BOOST_REQUIRE_MESSAGE(j.is_object(), "interleaved line: " << line.substr(0, 200));
    BOOST_REQUIRE(j["pad"] == padding);
    int t = j["thread"];
    BOOST_REQUIRE_EQUAL(j["i"].get<int>(), next[t]++);
  }
}

// The real binary with `--log-level warn`: the webhook channel points at a port that refuses
// connections, so the publication of a free course fails and is logged as a JSON record with
// the course and the request's correlation id; info records (the "listening" one) are not written.
BOOST_AUTO_TEST_CASE(service_logs_failed_publication_as_json) {
  testkit::temp_dir dir;
  // A bound socket that never listens: connecting to it is refused.
  int closed = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(closed, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(closed, reinterpret_cast<sockaddr*>(&addr), &len);
  auto hook = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook";

  auto out_path = dir.file("out"), err_path = dir.file("err");
  std::vector<std::string> args{CF_BINARY,
                                "serve",
                                "--http-port",
                                "0",
                                "--storage-db",
                                dir.file("log.db"),
                                "--site-dir",
                                dir.file("site"),
                                "--payment-stripe-webhook-secret",
                                "whsec_test",
                                "--payment-stripe-webhook-secret-file", // its folder: admin-token
                                dir.file("secret"),
                                "--distribution-channels",
                                "webhook",
                                "--distribution-webhook-urls",
                                hook,
                                "--retry-initial-delay-ms",
                                "50",
                                "--retry-max-attempts",
                                "2",
                                "--log-level",
                                "warn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) { // only async-signal-safe calls until exec
    ::dup2(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
    ::dup2(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto slurp = [](const std::string& path) {
    std::ifstream in{path};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  int port = 0;
  BOOST_TEST(testkit::eventually([&] {
    auto out = slurp(out_path);
    auto at = out.find("listening on http://127.0.0.1:");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos)
      port = std::stoi(out.substr(at + 30));
    return port > 0;
  }));
  std::vector<json> failures;
  if (port > 0) {
    httplib::Client cli{"127.0.0.1", port};
    cli.set_bearer_token_auth(slurp(dir.file("admin-token")).substr(0, 67)); // "cf_" + 64 hex
    json body{{"title", "Logging course"},
              {"language", "en"},
              {"audiences", {"ops"}},
              {"lesson_count", 1},
              {"user_id", "u-1"}};
    auto res = cli.Post("/v1/courses", {{"X-Correlation-ID", "corr-logs-1"}}, body.dump(),
                        "application/json");
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_EQUAL(res->status, 202);
    auto course_id = json::parse(res->body)["course_id"].get<std::string>();
    // Two attempts: a warn (will retry), then an error (gave up).
    BOOST_TEST(testkit::eventually([&] {
      failures.clear();
      for (const auto& line : lines_of(slurp(err_path))) {
        auto j = json::parse(line, nullptr, false);
        if (j.is_object() && j.value("msg", "").rfind("publication failed", 0) == 0)
          failures.push_back(j);
      }
      return failures.size() >= 2;
    }));
    for (const auto& j : failures) {
      BOOST_TEST(j["component"] == "distribution");
      BOOST_TEST(j["course_id"] == course_id);
      BOOST_TEST(j["correlation_id"] == "corr-logs-1");
      BOOST_TEST(j["channel"] == "webhook");
      BOOST_TEST(!j.value("error", "").empty());
    }
    if (failures.size() >= 2) {
      BOOST_TEST(failures[0]["level"] == "warn");
      BOOST_TEST(failures[1]["level"] == "error");
    }
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(closed);
  BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  // stdout keeps its human lines; stderr holds JSON records only, none below warn.
  BOOST_TEST(slurp(out_path).find("coursefactory: stopping on signal") != std::string::npos);
  for (const auto& line : lines_of(slurp(err_path))) {
    auto j = parse_record(line);
    BOOST_TEST((j["level"] == "warn" || j["level"] == "error"), line);
  }
}

BOOST_AUTO_TEST_SUITE_END()
