// The HTTP front's limits on a real server on an ephemeral port: a budget per route class (and
// the hook that says whom a request counts against), cursors out of range, whole
// Idempotency-Keys, bounded and escaped metric labels. Bodies, headers and bombs are tested
// against the real binary (tests/integration/limits_test.py).
#include "http/limits.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "http/rate_limit.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "tests/testkit/tokens.hpp"
#include "util/metrics.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

const std::string course = json{{"title", "Grenzen"}, {"language", "de"},  {"audiences", {"Ops"}},
                                {"user_id", "u-1"},   {"lesson_count", 1}, {"dry_run", true}}
                               .dump();

http_options patient() {
  http_options s;
  s.request_timeout_ms = static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(testkit::patience).count());
  return s;
}

// Sends `request` as it is on a new connection and reads until the server closes it or the
// head and Content-Length bytes are in; returns the status (-1 when there is no answer).
int raw_status(int port, const std::string& request, std::string* answer = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{static_cast<time_t>(testkit::patience.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) {
    ::close(fd);
    return -1;
  }
  std::string response;
  char buf[4096];
  for (;;) {
    auto head_end = response.find("\r\n\r\n");
    auto cl = response.find("Content-Length: ");
    if (head_end != std::string::npos && cl != std::string::npos
        && response.size() >= head_end + 4 + std::stoul(response.substr(cl + 16)))
      break;
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (answer)
    *answer = response;
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : -1;
}

httplib::Request request_of(const std::string& method, const std::string& path,
                            const std::string& addr, const std::string& token = {}) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.remote_addr = addr;
  if (!token.empty())
    req.set_header("Authorization", "Bearer " + token);
  return req;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_limits)

BOOST_AUTO_TEST_CASE(each_route_class_has_its_own_budget_and_429_says_when_to_retry) {
  testkit::service_fixture svc;
  auto s = patient();
  // One token every 100 s after a burst of two: no token comes back during the test.
  s.budgets[route_class::read] = {0.01, 2};
  s.budgets[route_class::retry] = {0.01, 1};
  s.budgets[route_class::metrics] = {0.01, 1};
  s.budgets[route_class::other] = {0.01, 1};
  httplib::Client cli{"127.0.0.1", svc.start_http(s)};
  cli.set_read_timeout(testkit::patience);
  cli.set_bearer_token_auth(testkit::admin_token);
  BOOST_TEST(cli.Get("/v1/health")->status == 200);  // public: counts against the address
  BOOST_TEST(cli.Get("/v1/events")->status == 200);  // the token's read budget: 1 of 2
  BOOST_TEST(cli.Get("/v1/courses")->status == 200); // 2 of 2
  auto refused = cli.Get("/v1/courses/x");           // reads share one budget
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 429);
  auto retry_after = std::stoi(refused->get_header_value("Retry-After"));
  BOOST_TEST(retry_after > 100 - testkit::patience.count());
  BOOST_TEST(retry_after <= 100);
  BOOST_TEST(refused->get_header_value("Content-Type") == "application/problem+json");
  BOOST_TEST(json::parse(refused->body)["type"] == "urn:coursefactory:problem:rate_limited");
  // The other classes still have theirs: a create, a retry, a scrape.
  auto created = cli.Post("/v1/courses", course, "application/json");
  BOOST_REQUIRE(created);
  BOOST_TEST(created->status == 202);
  auto id = json::parse(created->body)["course_id"].get<std::string>();
  auto retried = cli.Post("/v1/courses/" + id + "/retry", "", "application/json");
  BOOST_TEST(retried->status != 429); // 409: nothing to retry; the budget is what counts here
  BOOST_TEST(cli.Post("/v1/courses/" + id + "/retry", "", "application/json")->status == 429);
  BOOST_TEST(cli.Get("/metrics")->status == 200);
  BOOST_TEST(cli.Get("/metrics")->status == 429);
  BOOST_TEST(cli.Get("/courses/nothing.html")->status == 404);
  BOOST_TEST(cli.Get("/courses/nothing.html")->status == 429); // the published pages too
}

// The hook the API tokens key by: requests count against whatever the key function says.
BOOST_AUTO_TEST_CASE(the_client_key_function_decides_whom_a_request_counts_against) {
  auto class_of = [](const char* method, const char* path) {
    return std::string{route_class_name(classify_route(method, path))};
  };
  BOOST_TEST(class_of("POST", "/v1/courses") == "create");
  BOOST_TEST(class_of("POST", "/v1/courses/abc/retry") == "retry");
  BOOST_TEST(class_of("GET", "/v1/courses/abc/events") == "read");
  BOOST_TEST(class_of("GET", "/v1/events/stream") == "stream");
  BOOST_TEST(class_of("GET", "/metrics") == "metrics");
  BOOST_TEST(class_of("POST", "/v1/payments/webhook") == "webhook");
  BOOST_TEST(class_of("BREW", "/v1/courses") == "other");
  rate_budgets b;
  b[route_class::read] = {0.01, 1};
  auto t0 = rate_limiter::clock::time_point{} + std::chrono::hours{1};
  std::chrono::milliseconds wait{0};
  route_class cls{};
  route_rate_limits by_address{b};
  BOOST_TEST(by_address.allow(request_of("GET", "/v1/events", "10.0.0.1", "a"), t0, wait, cls));
  BOOST_TEST(!by_address.allow(request_of("GET", "/v1/events", "10.0.0.1", "b"), t0, wait, cls));
  BOOST_TEST(route_class_name(cls) == std::string{"read"});
  BOOST_TEST(by_address.allow(request_of("GET", "/v1/events", "10.0.0.2", "a"), t0, wait, cls));
  route_rate_limits by_token{b, [](const httplib::Request& req) {
                               auto auth = req.get_header_value("Authorization");
                               return auth.empty() ? "addr:" + req.remote_addr : auth;
                             }};
  BOOST_TEST(by_token.allow(request_of("GET", "/v1/events", "10.0.0.1", "a"), t0, wait, cls));
  BOOST_TEST(by_token.allow(request_of("GET", "/v1/events", "10.0.0.1", "b"), t0, wait, cls));
  BOOST_TEST(!by_token.allow(request_of("GET", "/v1/events", "10.0.0.9", "a"), t0, wait, cls));
}

BOOST_AUTO_TEST_CASE(cursors_out_of_range_or_not_numbers_are_400_not_500) {
  testkit::service_fixture svc;
  httplib::Client cli{"127.0.0.1", svc.start_http(patient())};
  cli.set_read_timeout(testkit::patience);
  cli.set_bearer_token_auth(testkit::admin_token);
  for (const char* path :
       {"/v1/events?after=9999999999999999999", "/v1/events?after=99999999999999999999999",
        "/v1/events?after=-9223372036854775809", "/v1/events?after=-1", "/v1/events?after=1e3",
        "/v1/events?after=+5", "/v1/events?after=", "/v1/events?after=-",
        "/v1/events?limit=9999999999999999999", "/v1/courses/abc/events?after=9999999999999999999",
        "/v1/courses?limit=-9999999999999999999", "/v1/courses?after=a%20b",
        "/v1/courses?after=%00"}) {
    auto res = cli.Get(path);
    BOOST_REQUIRE_MESSAGE(res, path);
    BOOST_TEST(res->status == 400, path);
    BOOST_TEST(res->get_header_value("Content-Type") == "application/problem+json", path);
  }
  BOOST_TEST(cli.Get("/v1/events?after=9223372036854775807")->status == 200);
  BOOST_TEST(cli.Get("/v1/courses?after=0190a5c4-0000-7000-8000-000000000000")->status == 200);
  int64_t n = 0;
  BOOST_TEST(parse_decimal("-9223372036854775808", n));
  BOOST_TEST(n == INT64_MIN);
  BOOST_TEST(!parse_decimal("9223372036854775808", n));
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_is_compared_whole_not_cut_at_a_nul_byte) {
  testkit::service_fixture svc;
  auto port = svc.start_http(patient());
  auto post = [&](const std::string& key, const std::string& body) {
    return "POST /v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Authorization: Bearer "
           + std::string{testkit::admin_token} + "\r\nIdempotency-Key: " + key
           + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  BOOST_TEST(raw_status(port, post("abc", course)) == 202);
  std::string answer;
  auto other = json::parse(course);
  other["title"] = "Another course";
  // httplib's get_header_value would read "abc": a replay of the first, or a reuse with another
  // body. Whole, the key has a NUL byte and is refused.
  BOOST_TEST(raw_status(port, post(std::string{"abc\0def", 7}, other.dump()), &answer) == 400);
  BOOST_TEST(answer.find("invalid_idempotency_key") != std::string::npos, answer);
  BOOST_TEST(raw_status(port, post(std::string{"abc\0def", 7}, course), &answer) == 400);
  BOOST_TEST(answer.find("Idempotent-Replayed") == std::string::npos, answer);
}

// nlohmann's parser stops at a NUL byte: "{...}\0junk" was taken as the object before it (found
// by reading the fuzz target's find in domain/, tests/fuzz/corpus/event_decode).
BOOST_AUTO_TEST_CASE(a_body_with_a_nul_byte_after_the_json_is_malformed) {
  testkit::service_fixture svc;
  auto port = svc.start_http(patient());
  auto body = std::string{course} + std::string{"\0junk", 5};
  std::string answer;
  BOOST_TEST(raw_status(port,
                        "POST /v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Authorization: Bearer "
                            + std::string{testkit::admin_token} + "\r\nContent-Length: "
                            + std::to_string(body.size()) + "\r\n\r\n" + body,
                        &answer)
             == 400);
  BOOST_TEST(answer.find("malformed_json") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(metric_labels_are_bounded_and_escaped) {
  BOOST_TEST(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  testkit::service_fixture svc;
  auto s = patient();
  s.rate_limit_per_s = 0; // /metrics is read until the counts are in: no budget runs out
  auto port = svc.start_http(s);
  httplib::Client cli{"127.0.0.1", port};
  cli.set_read_timeout(testkit::patience);
  cli.set_bearer_token_auth(testkit::admin_token);
  // The request counters are the process's own: the suites run before this one left their
  // series. Only what this test's bogus requests add is counted: series and requests.
  std::string body;
  auto request_series = [&] {
    auto res = cli.Get("/metrics");
    BOOST_REQUIRE(res);
    BOOST_REQUIRE(res->status == 200);
    body = res->body;
    std::map<std::string, double> series;
    std::istringstream text{body};
    for (std::string l; std::getline(text, l);)
      if (l.rfind("coursefactory_http_requests_total{", 0) == 0)
        series[l.substr(0, l.rfind(' '))] = std::stod(l.substr(l.rfind(' ') + 1));
    return series;
  };
  auto others = [](const std::map<std::string, double>& series) {
    double n = 0;
    for (const auto& [name, value] : series)
      n += name.find("method=\"other\"") != std::string::npos ? value : 0;
    return n;
  };
  request_series(); // the series of GET /metrics itself exists from here on
  auto before = request_series();
  BOOST_TEST(raw_status(port, "X\"}\\ab /v1/health HTTP/1.1\r\nHost: x\r\n\r\n") >= 400);
  for (int i = 0; i < 2000; ++i)
    raw_status(port, "BOGUS" + std::to_string(i) + " /v1/x" + std::to_string(i)
                         + " HTTP/1.1\r\nHost: x\r\n\r\n");
  // A request is counted just after its answer was written: wait until all 2,001 are.
  std::map<std::string, double> after;
  BOOST_TEST(testkit::eventually([&] {
    after = request_series();
    return others(after) - others(before) >= 2001;
  }));
  // Every series line of the text format: name{label="value",...} number, values escaped.
  const std::regex line{
      R"re([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")re"
      R"re((,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? [-+0-9.eE]+(Inf)?)re"};
  std::istringstream text{body};
  for (std::string l; std::getline(text, l);)
    if (!l.empty() && l[0] != '#')
      BOOST_TEST(std::regex_match(l, line), l);
  BOOST_TEST(body.find("X\"}") == std::string::npos);
  BOOST_TEST(body.find("BOGUS") == std::string::npos);
  BOOST_TEST(body.find("method=\"other\",route=\"other\"") != std::string::npos);
  size_t added = 0;
  for (const auto& entry : after) added += before.count(entry.first) == 0 ? 1 : 0;
  BOOST_TEST(added < 5u); // 2,001 bogus methods and paths: a handful of new series at most
}

BOOST_AUTO_TEST_SUITE_END()
