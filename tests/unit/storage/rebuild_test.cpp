// The course read model is rebuildable: after real lifecycles ending in every resting state, the
// model rebuilt from the log equals the live one, field by field, also after the table was wiped
// or corrupted, and through the real binary's `rebuild` command while the service runs.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <caf/deep_to_string.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "channels/channel.hpp"
#include "storage/audit.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/fakes.hpp"
#include "tests/testkit/process.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace std::chrono_literals;

namespace {

// A second channel that refuses, for good, every course whose title starts with "Refused".
class picky_channel : public channel {
public:
  std::string name() const override { return "picky"; }
  caf::expected<channel_result> publish(const published_course& c) override {
    if (c.title.rfind("Refused", 0) == 0)
      return make_error(errc::channel_permanent, "refused by the test");
    return channel_result{"", "accepted"};
  }
};

course_request order(const std::string& title, int64_t cents, bool dry_run = false) {
  return {title, "", "de", {"Einsteiger"}, 2, "u-1", cents, cents > 0 ? "EUR" : "", dry_run};
}

// Every stored column of a course and its content, by name, in the order of the table.
std::vector<std::pair<std::string, std::string>> fields(const course_view& v) {
  const auto& c = v.summary;
  return {{"id", c.id},
          {"status", c.status},
          {"title", c.title},
          {"user_id", c.user_id},
          {"language", c.language},
          {"dry_run", std::to_string(c.dry_run)},
          {"amount_cents", std::to_string(c.amount_cents)},
          {"currency", c.currency},
          {"version", std::to_string(c.version)},
          {"last_seq", std::to_string(c.last_seq)},
          {"created_us", std::to_string(c.created_us)},
          {"updated_us", std::to_string(c.updated_us)},
          {"attempt", std::to_string(c.attempt)},
          {"last_error", c.last_error},
          {"content_seq", std::to_string(c.content_seq)},
          {"payment_id", c.payment_id},
          {"payment_expires_us", std::to_string(c.payment_expires_us)},
          {"distribution_attempt", std::to_string(c.distribution_attempt)},
          {"url", c.url},
          {"content", v.content}};
}

std::unique_ptr<sqlite_event_store> open_store(const std::string& path) {
  auto s = sqlite_event_store::open(path);
  BOOST_REQUIRE_MESSAGE(s, (s ? "" : error_context(s.error())));
  return std::move(*s);
}

// Every course of the read model through the API the service reads it with: listed in small
// pages (the listing and course(id) must agree), each with its content.
std::vector<course_view> snapshot(sqlite_event_store& store) {
  std::vector<course_view> out;
  course_query q;
  q.limit = 2;
  for (;;) {
    auto page = store.courses(q);
    BOOST_REQUIRE(page);
    for (const auto& listed : page->items) {
      auto v = store.course(listed.id);
      BOOST_REQUIRE(v);
      BOOST_TEST(caf::deep_to_string(v->summary) == caf::deep_to_string(listed));
      out.push_back(*v);
    }
    if (page->next_after.empty())
      return out;
    q.after = page->next_after;
  }
}

void check_equal(const std::vector<course_view>& live, const std::vector<course_view>& rebuilt) {
  BOOST_REQUIRE_EQUAL(live.size(), rebuilt.size());
  for (size_t i = 0; i < live.size(); ++i) {
    auto a = fields(live[i]);
    auto b = fields(rebuilt[i]);
    for (size_t f = 0; f < a.size(); ++f)
      BOOST_TEST(a[f].second == b[f].second, live[i].summary.id << " " << a[f].first);
    // Through inspect(): also catches a field added to course_summary but not to fields().
    BOOST_TEST(caf::deep_to_string(live[i].summary) == caf::deep_to_string(rebuilt[i].summary));
  }
}

testkit::service_options options() {
  testkit::service_options o;
  // Two courses exhaust their three attempts: six failures, then the built-in generator.
  o.gen = std::make_shared<testkit::scripted_generator>(
      std::vector<caf::error>(6, make_error(errc::generator_transient, "model offline")));
  o.factory.channels = {"site", "picky"};
  o.distribution.channels["picky"] = std::make_shared<picky_channel>();
  return o;
}

// The real service, driven until its courses rest in every state a course can rest in.
struct lived_service {
  testkit::service_fixture svc{options()};
  std::set<std::string> statuses; // what the courses ended in

  lived_service() {
    auto failed = create(order("Generation fails", 0)); // takes the first three failures
    await_status(failed, course_status::generation_failed);
    auto retried = create(order("Generation fails, then a retry", 0)); // and the next three
    await_status(retried, course_status::generation_failed);
    BOOST_REQUIRE(svc.call<course_accepted>(svc.factory(), retry_atom::value, retried));
    auto awaiting = create(order("Awaiting payment", 4900));
    auto paid = create(order("Paid and published", 4900));
    auto declined = create(order("Payment declined", 4900));
    auto dry = create(order("Dry run", 4900, true));
    auto refused = create(order("Refused by a channel", 0));
    auto free = create(order("Free and published", 0));
    pay(paid, "completed");
    pay(declined, "failed");
    await_status(retried, course_status::published);
    await_status(awaiting, course_status::awaiting_payment);
    await_status(paid, course_status::published);
    await_status(declined, course_status::payment_failed);
    await_status(dry, course_status::generated);
    await_status(refused, course_status::distribution_failed);
    await_status(free, course_status::published);
  }

  std::string create(const course_request& r) {
    auto a = svc.call<course_accepted>(svc.factory(), create_atom::value, r, std::string{});
    BOOST_REQUIRE_MESSAGE(a, (a ? "" : error_context(a.error())));
    return a->course_id;
  }

  void await_status(const std::string& id, const std::string& status) {
    std::string now;
    testkit::eventually([&] {
      auto v = svc.call<course_view>(svc.log(), caf::get_atom::value, id);
      now = v ? v->summary.status : "";
      return now == status;
    });
    BOOST_REQUIRE_MESSAGE(now == status, id << " is " << now << ", not " << status);
    statuses.insert(status);
  }

  // What the provider's verified webhook would tell Payment about `id`'s payment.
  void pay(const std::string& id, const std::string& outcome) {
    auto required = svc.await_event("course.payment.required", id);
    BOOST_REQUIRE(required);
    payment_notice n;
    n.event_id = "evt_" + id;
    n.outcome = outcome;
    n.course_id = id;
    n.payment_id = nlohmann::json::parse(required->data)["payment_id"].get<std::string>();
    n.transaction_id = "pi_" + id;
    n.amount_cents = 4900;
    n.currency = "eur";
    n.reason = outcome == "failed" ? "card_declined" : "";
    auto o = svc.call<webhook_outcome>(svc.payment(), webhook_atom::value, n);
    BOOST_REQUIRE(o);
    BOOST_TEST(o->result == "recorded");
  }

  // A consistent copy of the live database at `name` in the service's folder.
  std::string copy(const std::string& name) {
    auto target = std::filesystem::path{svc.db_path()}.parent_path() / name;
    auto r = backup_database(svc.db_path(), target.string());
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : error_context(r.error())));
    return target.string();
  }
};

struct no_service {};

void raw_sql(const std::string& path, const std::string& sql) {
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  db.exec(sql);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(rebuild, lived_service)

BOOST_AUTO_TEST_CASE(rebuilt_courses_equal_the_live_ones_in_every_resting_state) {
  std::set<std::string> expected{
      course_status::generation_failed, course_status::published,
      course_status::awaiting_payment,  course_status::payment_failed,
      course_status::generated,         course_status::distribution_failed};
  BOOST_TEST(statuses == expected, boost::test_tools::per_element());
  auto store = open_store(svc.db_path()); // a second connection, beside the running service
  auto live = snapshot(*store);
  BOOST_REQUIRE_EQUAL(live.size(), 8u);
  auto head = store->head();
  auto r = store->rebuild();
  BOOST_REQUIRE_MESSAGE(r, (r ? "" : error_context(r.error())));
  BOOST_TEST(r->events == *store->count());
  BOOST_TEST(r->courses == 8);
  BOOST_TEST(r->elapsed.count() > 0);
  check_equal(live, snapshot(*store));
  BOOST_TEST(*store->head() == *head); // the rebuild wrote no event
  // The service goes on on top of the rebuilt model.
  auto more = create(order("After the rebuild", 0));
  await_status(more, course_status::published);
}

BOOST_AUTO_TEST_CASE(a_corrupted_or_wiped_read_model_is_rebuilt_to_the_live_one) {
  auto live = snapshot(*open_store(svc.db_path()));
  auto path = copy("copy.db");
  raw_sql(path,
          "UPDATE courses SET status = 'published', title = 'tampered', version = version + 7, "
          "content_seq = 0 WHERE id IN (SELECT id FROM courses ORDER BY id LIMIT 3);"
          "DELETE FROM courses WHERE id = (SELECT MAX(id) FROM courses);"
          "INSERT INTO courses SELECT 'ghost', status, title, user_id, language, dry_run, "
          "amount_cents, currency, version, last_seq, created_us, updated_us, attempt, "
          "last_error, content_seq, payment_id, payment_expires_us, distribution_attempt, url "
          "FROM courses LIMIT 1;");
  auto store = open_store(path);
  auto broken = snapshot(*store);
  BOOST_TEST(broken.size() == live.size()); // one deleted, one ghost
  BOOST_TEST(broken.front().summary.title == "tampered");
  BOOST_REQUIRE(store->rebuild());
  check_equal(live, snapshot(*store));
  store.reset();
  raw_sql(path, "DELETE FROM courses; DELETE FROM checkpoints WHERE consumer = 'courses'");
  store = open_store(path);
  BOOST_TEST(snapshot(*store).empty());
  auto r = store->rebuild();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->courses == static_cast<int64_t>(live.size()));
  check_equal(live, snapshot(*store));
  BOOST_TEST(*store->load_checkpoint("courses") == *store->head()); // folded up to the head
}

BOOST_AUTO_TEST_CASE(an_event_the_fold_cannot_read_leaves_the_model_as_it_was) {
  auto live = snapshot(*open_store(svc.db_path()));
  auto path = copy("copy.db");
  raw_sql(path, "UPDATE events SET data = '{not json' WHERE seq = 2");
  auto store = open_store(path);
  auto r = store->rebuild();
  BOOST_REQUIRE(!r);
  BOOST_TEST(is(r.error(), errc::storage_corrupt));
  BOOST_TEST(error_context(r.error()).find("event seq 2 ") != std::string::npos,
             error_context(r.error()));
  check_equal(live, snapshot(*store));
}

// Found by review: an old event whose upcast step reads a value of another type threw out of
// rebuild (and of queries) instead of naming the event; `coursefactory rebuild` then aborted.
BOOST_AUTO_TEST_CASE(an_old_event_that_cannot_be_upcast_is_named_not_thrown) {
  auto live = snapshot(*open_store(svc.db_path()));
  auto path = copy("copy.db");
  raw_sql(path,
          "UPDATE events SET type = 'course.generation.failed', schema_version = 1, "
          "data = '{\"error\":\"x\",\"will_retry\":1}' WHERE seq = 2");
  auto store = open_store(path);
  caf::expected<rebuild_report> r{rebuild_report{}};
  BOOST_CHECK_NO_THROW(r = store->rebuild());
  BOOST_REQUIRE(!r);
  BOOST_TEST(is(r.error(), errc::storage_corrupt));
  BOOST_TEST(error_context(r.error()).find("event 2 ") != std::string::npos,
             error_context(r.error()));
  check_equal(live, snapshot(*store));
  caf::expected<event_page> page{event_page{}};
  BOOST_CHECK_NO_THROW(page = store->query(event_query{"", "", 0, 100}));
  BOOST_TEST(is(page.error(), errc::storage_corrupt));
}

BOOST_AUTO_TEST_CASE(the_binary_rebuilds_a_wiped_copy_and_the_running_service_s_file) {
  auto live = snapshot(*open_store(svc.db_path()));
  auto count = std::to_string(*open_store(svc.db_path())->count());
  const std::string bin = CF_BINARY;
  auto path = copy("copy.db");
  raw_sql(path, "DELETE FROM courses");
  auto done = testkit::run(bin + " rebuild --storage-db " + path);
  BOOST_TEST(done.status == 0, done.out);
  BOOST_TEST(done.out.rfind("rebuilt: " + count + " events folded into 8 courses in ", 0) == 0,
             done.out);
  check_equal(live, snapshot(*open_store(path)));
  // While the service runs and appends: the rebuild's transaction waits for, and holds off,
  // its appends. A writer creates courses one after another until the command is done; the
  // command's count shows where its transaction fell among them: after some of those appends
  // (it folded more events than the log held when it started) and before others (it folded
  // fewer than the log holds after). A machine too slow to interleave is given five tries.
  bool interleaved = false;
  std::vector<std::string> during;
  for (int attempt = 0; attempt < 5 && !interleaved; ++attempt) {
    auto at_start = *open_store(svc.db_path())->count();
    auto busy_run = std::async(
        std::launch::async, [&] { return testkit::run(bin + " rebuild --storage-db " + svc.db_path()); });
    for (int n = 0; n < 100 && busy_run.wait_for(0s) != std::future_status::ready; ++n)
      during.push_back(create(order("During the command " + std::to_string(during.size()), 0)));
    auto busy = busy_run.get(); // the command is done (also when the writer stopped at 100)
    during.push_back(create(order("After the command " + std::to_string(attempt), 0)));
    BOOST_TEST(busy.status == 0, busy.out);
    auto prefix = std::string{"rebuilt: "};
    BOOST_REQUIRE_MESSAGE(busy.out.rfind(prefix, 0) == 0, busy.out);
    auto folded = std::stoll(busy.out.substr(prefix.size()));
    auto at_end = *open_store(svc.db_path())->count();
    BOOST_TEST_MESSAGE("rebuild folded " << folded << " events; the log held " << at_start
                                         << " at its start, " << at_end << " at its end");
    BOOST_TEST(folded >= at_start);
    BOOST_TEST(folded < at_end);
    interleaved = folded > at_start;
  }
  BOOST_TEST(interleaved);
  // Every course written around and during the rebuild moved on, and the read model is still
  // the fold of the log: a rebuilt copy equals it.
  for (const auto& id : during) await_status(id, course_status::published);
  auto rebuilt = copy("after-rebuilt.db");
  BOOST_REQUIRE(open_store(rebuilt)->rebuild());
  check_equal(snapshot(*open_store(rebuilt)), snapshot(*open_store(svc.db_path())));
  BOOST_TEST(snapshot(*open_store(svc.db_path())).size() == 8u + during.size());
  auto missing = svc.db_path() + ".missing";
  BOOST_TEST(testkit::run(bin + " rebuild --storage-db " + missing).status == 2);
  BOOST_TEST(!std::filesystem::exists(missing)); // not created by the attempt
  BOOST_TEST(testkit::run(bin + " rebuild").status == 2);
  BOOST_TEST(testkit::run(bin + " rebuild --storage-db " + path + " extra").status == 2);
}

BOOST_FIXTURE_TEST_CASE(rebuilding_an_empty_log_writes_no_course, no_service) {
  testkit::temp_dir dir;
  auto store = open_store(dir.file("empty.db"));
  auto r = store->rebuild();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->events == 0);
  BOOST_TEST(r->courses == 0);
  BOOST_TEST(snapshot(*store).empty());
}

BOOST_AUTO_TEST_SUITE_END()
