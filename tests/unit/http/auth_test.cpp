// Tokens and scopes on the HTTP front (http/auth.hpp): the route -> scope table, the decision
// for every route and token state, the token cache's reloads, and the wiring in http_server
// (401 with WWW-Authenticate, 403, public routes, the actor on the events a request causes).
#include "http/auth.hpp"

#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/tokens.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

// Every route the front serves, with the scope it needs (README, "Security"); needs_token false
// for the public ones.
struct route_case {
  const char* method;
  const char* path;
  bool needs_token;
  uint32_t scope;
};
const route_case routes[] = {
    {"POST", "/v1/courses", true, scopes::courses_write},
    {"GET", "/v1/courses", true, scopes::courses_read},
    {"GET", "/v1/courses/c-1", true, scopes::courses_read},
    {"POST", "/v1/courses/c-1/retry", true, scopes::courses_write},
    {"GET", "/v1/courses/c-1/events", true, scopes::events_read},
    {"GET", "/v1/events", true, scopes::events_read},
    {"GET", "/v1/events/stream", true, scopes::events_read},
    {"GET", "/metrics", true, scopes::metrics_read},
    {"POST", "/v1/stream-tickets", true, scopes::events_read},
    {"GET", "/v1/stats", true, scopes::courses_read},
    {"GET", "/v1/whoami", true, 0},
    {"GET", "/console/", false, 0},
    {"GET", "/console/console.js", false, 0},
    {"PUT", "/v1/nothing-here", true, 0},
    {"GET", "/v1/health", false, 0},
    {"POST", "/v1/payments/webhook", false, 0},
    {"GET", "/v1/openapi.json", false, 0},
    {"GET", "/v1/asyncapi.json", false, 0},
    {"GET", "/courses/some-course/", false, 0},
    {"GET", "/", false, 0},
};

constexpr int64_t now = 1'000'000'000;

// One token of each state, all with `bits`: "good", "revoked", "expired"; and "later", expiring
// after `now`.
token_table tokens_with(uint32_t bits) {
  token_table table;
  auto add = [&](const std::string& name, int64_t expires, int64_t revoked) {
    api_token t;
    t.name = name;
    t.hash = token_hash("cf_" + name);
    t.scopes = bits;
    t.expires_us = expires;
    t.revoked_us = revoked;
    table[t.hash] = t;
  };
  add("good", 0, 0);
  add("revoked", 0, now - 1);
  add("expired", now, 0);
  add("later", now + 1, 0);
  return table;
}

} // namespace

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(each_route_needs_its_scope) {
  for (const auto& r : routes) {
    auto need = access_for(r.method, r.path);
    BOOST_TEST(need.needs_token == r.needs_token, r.method << " " << r.path);
    BOOST_TEST(need.scope == r.scope, r.method << " " << r.path);
  }
}

BOOST_AUTO_TEST_CASE(route_by_scope_by_token_state) {
  const uint32_t all_bits[] = {scopes::courses_write, scopes::courses_read, scopes::events_read,
                               scopes::metrics_read, scopes::admin};
  for (const auto& r : routes) {
    auto need = access_for(r.method, r.path);
    for (auto bits : all_bits) {
      auto table = tokens_with(bits);
      auto at = [&](const std::string& header) { return decide(need, header, table, now); };
      std::string where = std::string{r.method} + " " + r.path + " with " + scopes_text(bits);
      if (!r.needs_token) { // public: whatever is sent, or nothing
        for (const char* h : {"", "Bearer cf_unknown", "Bearer cf_revoked", "Basic abc"})
          BOOST_TEST(at(h).status == 200, where << " header " << h);
        continue;
      }
      BOOST_TEST(at("").status == 401, where);
      BOOST_TEST(at("").code == "unauthorized", where);
      for (const char* h : {"Bearer cf_unknown", "Bearer cf_revoked", "Bearer cf_expired",
                            "Basic Y2ZfZ29vZA==", "Bearer", "cf_good"})
        BOOST_TEST(at(h).status == 401, where << " header " << h);
      bool enough = (bits & r.scope) == r.scope;
      for (const char* h : {"Bearer cf_good", "bearer cf_good", "Bearer  cf_later "}) {
        auto d = at(h);
        BOOST_TEST(d.status == (enough ? 200 : 403), where << " header " << h);
        BOOST_TEST(!d.actor.empty(), where);
      }
      BOOST_TEST(at("Bearer cf_good").actor == "good");
    }
  }
}

BOOST_AUTO_TEST_CASE(the_cache_loads_again_once_its_table_is_older_than_max_age) {
  auto source = std::make_shared<testkit::token_list>();
  token_cache fresh{source, std::chrono::milliseconds{0}};
  token_cache held{source, std::chrono::hours{1}};
  BOOST_TEST(fresh.current()->empty());
  BOOST_TEST(held.current()->empty());
  source->add("new", "cf_new", scopes::admin);
  BOOST_TEST(fresh.current()->count(token_hash("cf_new")) == 1u); // loaded again
  BOOST_TEST(held.current()->empty());                            // not yet due
  source->revoke("new");
  BOOST_TEST(fresh.current()->at(token_hash("cf_new")).revoked_us != 0);
}

BOOST_AUTO_TEST_CASE(without_a_source_no_token_is_valid) {
  token_cache none{nullptr};
  BOOST_TEST(none.current()->empty());
}

BOOST_AUTO_TEST_CASE(scope_lists_parse_and_print) {
  BOOST_TEST(*parse_scopes("courses:read, events:read")
             == (scopes::courses_read | scopes::events_read));
  BOOST_TEST(*parse_scopes("admin") == scopes::admin);
  BOOST_TEST(!parse_scopes(""));
  BOOST_TEST(!parse_scopes("courses:read,root"));
  BOOST_TEST(scopes_text(scopes::courses_write | scopes::metrics_read)
             == "courses:write,metrics:read");
  BOOST_TEST(scopes_text(scopes::admin) == "admin");
}

BOOST_FIXTURE_TEST_CASE(the_server_refuses_admits_and_names_the_actor, testkit::service_fixture) {
  auto port = start_http();
  httplib::Client anonymous{"127.0.0.1", port};
  auto refused = anonymous.Get("/v1/courses");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 401);
  BOOST_TEST(refused->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
  BOOST_TEST(refused->get_header_value("Content-Type") == "application/problem+json");
  BOOST_TEST(json::parse(refused->body)["status"] == 401);
  auto health = anonymous.Get("/v1/health");
  BOOST_REQUIRE(health);
  BOOST_TEST(health->status == 200);

  httplib::Client admin{"127.0.0.1", port};
  admin.set_bearer_token_auth(testkit::admin_token);
  json body{{"title", "Who made me"}, {"language", "en"}, {"audiences", {"ops"}},
            {"lesson_count", 1},      {"user_id", "u-1"}, {"dry_run", true}};
  auto created = admin.Post("/v1/courses", body.dump(), "application/json");
  BOOST_REQUIRE(created);
  BOOST_REQUIRE_EQUAL(created->status, 202);
  auto id = json::parse(created->body)["course_id"].get<std::string>();
  auto completed = await_event("course.generation.completed", id);
  BOOST_REQUIRE(completed);
  BOOST_TEST(completed->actor == "test-admin"); // follows the request's generation.started
  auto events = admin.Get(("/v1/courses/" + id + "/events").c_str());
  BOOST_REQUIRE(events);
  auto page = json::parse(events->body); // kept: a range-for over a temporary's member dangles
  BOOST_TEST(page["events"].size() >= 2u);
  for (const auto& e : page["events"]) BOOST_TEST(e["actor"] == "test-admin");
}

// docs/openapi.json says what the scope table enforces: each operation's security (none, or
// bearer with one scope) is access_for's answer for that route.
BOOST_AUTO_TEST_CASE(the_openapi_document_names_each_routes_scope) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/docs/openapi.json"};
  BOOST_REQUIRE_MESSAGE(in, "docs/openapi.json is missing");
  auto doc = nlohmann::json::parse(in);
  size_t checked = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    auto concrete = path;
    if (auto at = concrete.find("{id}"); at != std::string::npos)
      concrete.replace(at, 4, "c-1");
    for (const auto& [method, op] : item.items()) {
      std::string upper;
      for (char c : method) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto need = access_for(upper, concrete);
      const auto& security = op.contains("security") ? op["security"] : doc["security"];
      BOOST_TEST(need.needs_token == !security.empty(), upper << " " << path);
      if (need.needs_token && !security.empty()) {
        const auto& bearer = security[0]["bearer"]; // [] for any valid token (whoami)
        BOOST_TEST(scopes_text(need.scope) == (bearer.empty() ? "" : bearer[0].get<std::string>()),
                   upper << " " << path);
      }
      ++checked;
    }
  }
  BOOST_TEST(checked >= 12u);
}

// And the other way: every route of the table above that the front serves is in the document
// (a route added to the table and the scope check but not to tools/contracts/openapi.py fails).
BOOST_AUTO_TEST_CASE(each_served_route_is_in_the_openapi_document) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/docs/openapi.json"};
  BOOST_REQUIRE_MESSAGE(in, "docs/openapi.json is missing");
  auto doc = nlohmann::json::parse(in);
  auto matches = [](const std::string& templ, const std::string& path) { // {name}: one segment
    size_t t = 0, p = 0;
    while (t < templ.size() && p < path.size()) {
      if (templ[t] == '{') {
        t = templ.find('}', t) + 1;
        p = std::min(path.find('/', p), path.size());
      } else if (templ[t++] != path[p++]) {
        return false;
      }
    }
    return t == templ.size() && p == path.size();
  };
  const std::set<std::string> unserved = {"/v1/nothing-here", "/courses/some-course/", "/"};
  size_t checked = 0;
  for (const auto& r : routes) {
    if (unserved.count(r.path))
      continue; // refusals, and the published site (a mount point, not the API)
    std::string method;
    for (const char* c = r.method; *c; ++c)
      method += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    bool found = false;
    for (const auto& [templ, item] : doc["paths"].items())
      found = found || (matches(templ, r.path) && item.contains(method));
    BOOST_TEST(found, r.method << " " << r.path << " is not in docs/openapi.json");
    ++checked;
  }
  BOOST_TEST(checked >= 14u);
}

BOOST_AUTO_TEST_SUITE_END()
