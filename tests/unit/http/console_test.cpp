// The console's server side (http/console_routes.hpp, http/stream_tickets.hpp): single-use,
// short-lived stream tickets on an injected clock; the embedded files with their security
// headers; GET /v1/whoami, GET /v1/stats, the course search, and the event stream opened once
// with a ticket instead of the Authorization header.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "http/console_assets.hpp"
#include "http/stream_tickets.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/tokens.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

constexpr int64_t ttl = 30'000'000;

struct clocked_tickets {
  int64_t now = 1'000'000;
  stream_tickets tickets{[this] { return now; }, ttl, 4};
};

const char* const csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The status GET `path` answers with (the body of a stream is not waited for).
int status_of(int port, const std::string& path) {
  httplib::Client cli{"127.0.0.1", port};
  int status = 0;
  cli.Get(
      path.c_str(),
      [&](const httplib::Response& res) {
        status = res.status;
        return false; // the status is all we need: a stream would go on
      },
      [](const char*, size_t) { return false; });
  return status;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(stream_tickets_store, clocked_tickets)

BOOST_AUTO_TEST_CASE(a_ticket_opens_once_for_its_token) {
  auto t = tickets.issue("hash-a");
  BOOST_TEST(is_ticket_shaped(t));
  BOOST_TEST(tickets.redeem(t).value_or("none") == "hash-a");
  BOOST_TEST(!tickets.redeem(t)); // used up
  BOOST_TEST(tickets.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_ticket_expires_by_the_clock) {
  auto early = tickets.issue("h");
  auto late = tickets.issue("h");
  now += ttl - 1;
  BOOST_TEST(tickets.redeem(early).has_value()); // one microsecond left
  now += 1;
  BOOST_TEST(!tickets.redeem(late)); // exactly its lifetime: expired, and gone
  BOOST_TEST(tickets.size() == 0u);
}

BOOST_AUTO_TEST_CASE(tickets_differ_and_malformed_ones_are_unknown) {
  auto a = tickets.issue("h");
  auto b = tickets.issue("h");
  BOOST_TEST(a != b);
  std::string upper = a;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad : {std::string{}, std::string{"abc"}, std::string(64, 'g'), a + "0",
                                 a.substr(1), upper, std::string(64, '0')})
    BOOST_TEST(!tickets.redeem(bad), "'" << bad << "'");
  BOOST_TEST(tickets.redeem(a).has_value()); // the failed guesses used up nothing real
  BOOST_TEST(tickets.redeem(b).has_value());
}

BOOST_AUTO_TEST_CASE(expired_tickets_are_dropped_and_the_store_is_bounded) {
  for (int i = 0; i < 3; ++i) tickets.issue("old");
  now += ttl;
  auto fresh = tickets.issue("new");
  BOOST_TEST(tickets.size() == 1u); // the expired three went at this issue
  std::vector<std::string> more;
  for (int i = 0; i < 6; ++i) {
    now += 1;
    more.push_back(tickets.issue("more"));
  }
  BOOST_TEST(tickets.size() <= 4u);
  BOOST_TEST(!tickets.redeem(fresh)); // the oldest went first
  BOOST_TEST(tickets.redeem(more.back()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(console)

BOOST_AUTO_TEST_CASE(every_file_has_a_content_type_and_index_has_no_inline_script) {
  BOOST_REQUIRE(find_console_asset("index.html"));
  for (size_t i = 0; i < console_asset_count; ++i) {
    std::string name = console_assets[i].name;
    BOOST_TEST(std::string{console_content_type(name)} != "application/octet-stream", name);
    BOOST_TEST(console_assets[i].size > 0u, name);
  }
  const auto* index = find_console_asset("index.html");
  std::string html{reinterpret_cast<const char*>(index->data), index->size};
  BOOST_TEST(html.find("<script>") == std::string::npos); // only <script src=...>
  BOOST_TEST(html.find("style=") == std::string::npos);
  BOOST_TEST(!std::regex_search(html, std::regex{R"(\son[a-z]+\s*=)"})); // no onclick= and the like
  BOOST_TEST(!find_console_asset("../CMakeLists.txt"));
}

BOOST_FIXTURE_TEST_CASE(the_files_are_public_with_strict_headers, testkit::service_fixture) {
  auto port = start_http();
  httplib::Client cli{"127.0.0.1", port};
  auto index = cli.Get("/console/");
  BOOST_REQUIRE(index);
  BOOST_TEST(index->status == 200);
  BOOST_TEST(index->get_header_value("Content-Type") == "text/html; charset=utf-8");
  BOOST_TEST(index->get_header_value("Content-Security-Policy") == csp);
  BOOST_TEST(index->get_header_value("X-Content-Type-Options") == "nosniff");
  BOOST_TEST(index->get_header_value("Referrer-Policy") == "no-referrer");
  BOOST_TEST(index->get_header_value("Cache-Control") == "no-cache");
  BOOST_TEST(!index->has_header("Set-Cookie"));
  auto js = cli.Get("/console/console.js");
  BOOST_REQUIRE(js);
  BOOST_TEST(js->status == 200);
  BOOST_TEST(js->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  BOOST_TEST(js->body.find("sessionStorage") != std::string::npos);
  auto css = cli.Get("/console/console.css");
  BOOST_REQUIRE(css);
  BOOST_TEST(css->get_header_value("Content-Type") == "text/css; charset=utf-8");
  auto missing = cli.Get("/console/nothing.js");
  BOOST_REQUIRE(missing);
  BOOST_TEST(missing->status == 404);
  auto bare = cli.Get("/console");
  BOOST_REQUIRE(bare);
  BOOST_TEST(bare->status == 308);
  BOOST_TEST(bare->get_header_value("Location") == "/console/");
}

BOOST_FIXTURE_TEST_CASE(whoami_stats_and_search, testkit::service_fixture) {
  auto port = start_http();
  httplib::Client anonymous{"127.0.0.1", port};
  auto refused = anonymous.Get("/v1/whoami");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 401);
  httplib::Client cli{"127.0.0.1", port};
  cli.set_bearer_token_auth(testkit::admin_token);
  auto me = cli.Get("/v1/whoami");
  BOOST_REQUIRE(me);
  BOOST_TEST(me->status == 200);
  auto who = json::parse(me->body);
  BOOST_TEST(who["name"] == "test-admin");
  BOOST_TEST(who["scopes"]
             == json::array({"courses:write", "courses:read", "events:read", "metrics:read"}));

  std::vector<std::string> ids;
  for (const char* title : {"Kubernetes for 100% beginners", "Knitting basics", "kubectl_tips"}) {
    json body{{"title", title},    {"language", "en"}, {"audiences", {"ops"}},
              {"lesson_count", 1}, {"user_id", "u-1"}, {"dry_run", true}};
    auto created = cli.Post("/v1/courses", body.dump(), "application/json");
    BOOST_REQUIRE(created);
    BOOST_REQUIRE_EQUAL(created->status, 202);
    ids.push_back(json::parse(created->body)["course_id"].get<std::string>());
    BOOST_REQUIRE(await_event("course.generation.completed", ids.back()));
  }
  auto titles = [&](const std::string& q) {
    auto page = cli.Get(("/v1/courses?q=" + httplib::detail::encode_query_param(q)).c_str());
    std::vector<std::string> out;
    if (!page || page->status != 200)
      return std::vector<std::string>{"status " + std::to_string(page ? page->status : 0)};
    auto body = json::parse(page->body); // kept: a range-for over a temporary's member dangles
    for (const auto& c : body["items"]) out.push_back(c["title"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  BOOST_TEST(titles("kub")
             == (std::vector<std::string>{"Kubernetes for 100% beginners", "kubectl_tips"}));
  BOOST_TEST(titles("100%") == std::vector<std::string>{"Kubernetes for 100% beginners"});
  BOOST_TEST(titles("%").size() == 1u); // a literal percent sign, not a wildcard
  BOOST_TEST(titles("l_t") == std::vector<std::string>{"kubectl_tips"});
  BOOST_TEST(titles(ids[1].substr(0, 20)).size() >= 1u); // an id prefix
  BOOST_TEST(titles("no such course").empty());

  auto stats = cli.Get("/v1/stats");
  BOOST_REQUIRE(stats);
  BOOST_TEST(stats->status == 200);
  auto s = json::parse(stats->body);
  BOOST_TEST(s["courses_by_status"]["generated"] == 3);
  BOOST_TEST(s["head_seq"].get<int64_t>() > 0);
  BOOST_TEST(s["relay"].is_null());
  BOOST_TEST(s["event_types"].size() >= 9u);
}

BOOST_FIXTURE_TEST_CASE(a_stream_ticket_opens_the_event_stream_once, testkit::service_fixture) {
  auto port = start_http();
  httplib::Client cli{"127.0.0.1", port};
  auto no_token = cli.Post("/v1/stream-tickets");
  BOOST_REQUIRE(no_token);
  BOOST_TEST(no_token->status == 401);
  cli.set_bearer_token_auth(testkit::admin_token);
  auto issued = cli.Post("/v1/stream-tickets");
  BOOST_REQUIRE(issued);
  BOOST_REQUIRE_EQUAL(issued->status, 201);
  BOOST_TEST(issued->get_header_value("Cache-Control") == "no-store");
  auto body = json::parse(issued->body);
  auto ticket = body["ticket"].get<std::string>();
  BOOST_TEST(body["expires_in"] == 30);
  BOOST_TEST(body["event_types"].size() >= 9u); // what an EventSource listens for
  BOOST_TEST(status_of(port, "/v1/events/stream") == 401);
  BOOST_TEST(status_of(port, "/v1/events/stream?ticket=" + std::string(64, 'a')) == 401);
  BOOST_TEST(status_of(port, "/v1/events/stream?ticket=" + ticket) == 200);
  BOOST_TEST(status_of(port, "/v1/events/stream?ticket=" + ticket) == 401); // used up
  // A ticket opens the stream only: elsewhere it is no token.
  auto other = cli.Post("/v1/stream-tickets");
  BOOST_REQUIRE(other);
  auto second = json::parse(other->body)["ticket"].get<std::string>();
  BOOST_TEST(status_of(port, "/v1/events?ticket=" + second) == 401);
  BOOST_TEST(status_of(port, "/v1/events/stream?ticket=" + second) == 200);
}

BOOST_AUTO_TEST_SUITE_END()
