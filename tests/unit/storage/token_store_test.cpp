// The tokens table (storage/token_store.hpp) and the `actor` column of events (schema 7): hashes
// only, unique names, revocation, two connections on one file, and the audit chain over actor.
#include "storage/token_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "storage/audit.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/events.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

api_token token_named(const std::string& name, const std::string& token, uint32_t bits) {
  api_token t;
  t.name = name;
  t.hash = token_hash(token);
  t.scopes = bits;
  t.created_us = 1000;
  return t;
}

std::unique_ptr<sqlite_token_store> open_store(const std::string& path) {
  auto store = sqlite_token_store::open(path);
  BOOST_REQUIRE(store);
  return std::move(*store);
}

std::string file_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(token_store)

BOOST_AUTO_TEST_CASE(created_tokens_come_back_with_hash_scopes_and_times) {
  testkit::temp_dir dir;
  auto store = open_store(dir.file("log.db"));
  auto reader =
      token_named("reader", "cf_secret_reader", scopes::courses_read | scopes::events_read);
  reader.expires_us = 5000;
  BOOST_REQUIRE(!store->create(reader));
  BOOST_REQUIRE(!store->create(token_named("root", "cf_secret_root", scopes::admin)));
  auto all = store->load_tokens();
  BOOST_REQUIRE(all);
  BOOST_REQUIRE_EQUAL(all->size(), 2u);
  const auto& r = (*all)[0]; // by name: reader, root
  BOOST_TEST(r.name == "reader");
  BOOST_TEST(r.hash == token_hash("cf_secret_reader"));
  BOOST_TEST(r.scopes == (scopes::courses_read | scopes::events_read));
  BOOST_TEST(r.created_us == 1000);
  BOOST_TEST(r.expires_us == 5000);
  BOOST_TEST(r.revoked_us == 0);
  BOOST_TEST((*all)[1].scopes == scopes::admin);
  store.reset();
  for (const auto* f : {"log.db", "log.db-wal"}) // only the hash is stored
    BOOST_TEST(file_text(dir.file(f)).find("cf_secret_reader") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_taken_name_or_a_bad_token_is_refused_and_changes_nothing) {
  auto store = open_store(":memory:");
  BOOST_REQUIRE(!store->create(token_named("ci", "cf_one", scopes::courses_read)));
  auto again = store->create(token_named("ci", "cf_two", scopes::admin));
  BOOST_TEST(is(again, errc::conflict));
  BOOST_TEST(is(store->create(token_named("bad name", "cf_three", scopes::admin)),
                errc::invalid_argument));
  BOOST_TEST(is(store->create(token_named("none", "cf_four", 0)), errc::invalid_argument));
  auto all = store->load_tokens();
  BOOST_REQUIRE(all);
  BOOST_REQUIRE_EQUAL(all->size(), 1u);
  BOOST_TEST((*all)[0].hash == token_hash("cf_one"));
  BOOST_TEST((*all)[0].scopes == scopes::courses_read);
}

BOOST_AUTO_TEST_CASE(revoke_marks_the_token_once_and_unknown_names_are_not_found) {
  auto store = open_store(":memory:");
  BOOST_REQUIRE(!store->create(token_named("ci", "cf_one", scopes::admin)));
  BOOST_REQUIRE(!store->revoke("ci", 7000));
  BOOST_REQUIRE(!store->revoke("ci", 9000)); // again: keeps the first time
  BOOST_TEST(is(store->revoke("nobody", 7000), errc::not_found));
  auto all = store->load_tokens();
  BOOST_REQUIRE(all);
  BOOST_TEST((*all)[0].revoked_us == 7000);
}

BOOST_AUTO_TEST_CASE(another_connection_sees_what_one_wrote) {
  // The `token` command and the running service each have their own connection.
  testkit::temp_dir dir;
  auto service = sqlite_event_store::open(dir.file("log.db"));
  BOOST_REQUIRE(service);
  auto served = open_store(dir.file("log.db"));
  BOOST_REQUIRE(served->load_tokens()->empty());
  auto command = open_store(dir.file("log.db"));
  BOOST_REQUIRE(!command->create(token_named("late", "cf_late", scopes::admin)));
  BOOST_TEST(served->load_tokens()->size() == 1u);
  BOOST_REQUIRE(!command->revoke("late", 42));
  BOOST_TEST(served->load_tokens()->front().revoked_us == 42);
}

BOOST_AUTO_TEST_CASE(the_actor_is_stored_read_back_and_chained) {
  testkit::temp_dir dir;
  auto path = dir.file("log.db");
  {
    auto store = sqlite_event_store::open(path);
    BOOST_REQUIRE(store);
    std::vector<event> events{testkit::stored_event("course.generation.completed", "c-1"),
                              testkit::stored_event("course.generation.completed", "c-1")};
    events[0].actor = "ci-bot";
    BOOST_REQUIRE(!(*store)->append(events));
    auto page = (*store)->query(event_query{"", "c-1", 0, 10});
    BOOST_REQUIRE(page);
    BOOST_REQUIRE_EQUAL(page->events.size(), 2u);
    BOOST_TEST(page->events[0].actor == "ci-bot");
    BOOST_TEST(page->events[1].actor == "");
  }
  auto whole = verify_log(path);
  BOOST_REQUIRE(whole);
  BOOST_TEST(whole->ok());
  {
    SQLite::Database db{path, SQLite::OPEN_READWRITE};
    db.exec("UPDATE events SET actor = 'someone-else' WHERE seq = 1");
  }
  auto changed = verify_log(path);
  BOOST_REQUIRE(changed);
  BOOST_TEST(changed->broken_seq == 1); // the actor is part of the chained text
}

BOOST_AUTO_TEST_SUITE_END()
