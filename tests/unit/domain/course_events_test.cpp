// The typed builders and readers of the catalogue's events: what they write conforms to the
// catalogue and is byte for byte what earlier builds stored; the readers give back what the
// builders took, and refuse malformed data.
#include "domain/course_events.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "domain/event_schema.hpp"
#include "domain/json_schema.hpp"
#include "domain/upcast.hpp"
#include "storage/detail/event_rows.hpp"
#include "util/errc.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

const event_origin origin{"019a3c00-0000-7000-8000-000000000001", 4, "corr-1", "cause-1"};

course_request sample_request() {
  course_request r;
  r.title = "Rust basics";
  r.audiences = {"developers"};
  r.lesson_count = 2;
  r.user_id = "u-1";
  r.amount_cents = 4900;
  r.currency = "EUR";
  return r;
}

const std::string content = R"({"language":"en","modules":[],"quiz":[]})";

// One event of every type, failures with and without a retry time.
std::vector<event> one_of_each() {
  generation_completed_data completed;
  completed.duration_ms = 12;
  completed.module_count = 1;
  completed.lesson_count = 2;
  completed.quiz_question_count = 3;
  completed.attempt = 2;
  completed.generator = "builtin";
  completed.content = content;
  generation_failed_data failed;
  failed.error = "generator crashed";
  failed.retry_count = 1;
  failed.will_retry = true;
  failed.retry_at_us = 1793523603000000;
  failed.attempt = 2;
  auto final_failure = failed;
  final_failure.permanent = true;
  final_failure.will_retry = false;
  final_failure.retry_at_us.reset();
  distribution_failed_data channel_failed;
  channel_failed.channel = "webhook";
  channel_failed.error = "HTTP 503";
  channel_failed.will_retry = true;
  channel_failed.retry_at_us = 1793523612000000;
  auto channel_final = channel_failed;
  channel_final.will_retry = false;
  channel_final.retry_at_us.reset();
  return {
      make_event(origin, generation_started_data{sample_request(), 2}),
      make_event(origin, completed),
      make_event(origin, failed),
      make_event(origin, final_failure),
      make_event(origin, payment_required_data{"pay-1", 4900, "EUR", 1793610006000000}),
      make_event(origin, payment_completed_data{"pay-1", "pi_1", 4900, "EUR"}),
      make_event(origin, payment_failed_data{"pay-1", "expired"}),
      make_event(origin, distribution_requested_data{{"site", "webhook"}, 1}),
      make_event(origin, distribution_completed_data{{{"site", true, "/courses/rust/", "3 pages"},
                                                      {"webhook", true, "", "HTTP 200"}},
                                                     40}),
      make_event(origin, channel_failed),
      make_event(origin, channel_final),
  };
}

// Reads `e` with the reader of its type and builds it again from what was read, with `e`'s
// envelope: the same event but for its id.
caf::expected<event> rebuild(const event& e) {
  event_origin o{e.subject, e.subject_version, e.correlation_id, e.causation_id};
  auto again = [&](auto read) -> caf::expected<event> {
    auto data = read(e);
    if (!data)
      return data.error();
    return make_event(o, *data);
  };
  namespace t = event_types;
  if (e.type == t::generation_started)
    return again(read_generation_started);
  if (e.type == t::generation_completed)
    return again(read_generation_completed);
  if (e.type == t::generation_failed)
    return again(read_generation_failed);
  if (e.type == t::payment_required)
    return again(read_payment_required);
  if (e.type == t::payment_completed)
    return again(read_payment_completed);
  if (e.type == t::payment_failed)
    return again(read_payment_failed);
  if (e.type == t::distribution_requested)
    return again(read_distribution_requested);
  if (e.type == t::distribution_completed)
    return again(read_distribution_completed);
  if (e.type == t::distribution_failed)
    return again(read_distribution_failed);
  return make_error(errc::invalid_argument, "no reader for " + e.type);
}

// The events of tests/fixtures/log-v3.sql (written by an older build's emitters), read straight
// from the dump.
std::vector<event> fixture_events() {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/tests/fixtures/log-v3.sql"};
  BOOST_REQUIRE_MESSAGE(in, "tests/fixtures/log-v3.sql is missing");
  std::stringstream sql;
  sql << in.rdbuf();
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE};
  db.exec(sql.str());
  SQLite::Statement st{db, std::string{"SELECT "} + event_columns_v6 + " FROM events ORDER BY seq"};
  std::vector<event> out;
  while (st.executeStep()) out.push_back(read_event_row(st)); // as the store reads rows
  return out;
}

// True when reading failed with errc `x` (and not when it succeeded).
template <class T>
bool fails_with(const caf::expected<T>& r, errc x) {
  return !r && is(r.error(), x);
}

// Why reading failed: empty on success (then there is no error to ask for).
template <class T>
std::string why(const caf::expected<T>& r) {
  return r ? std::string{} : error_context(r.error());
}

event with_data(event e, const std::string& data) {
  e.data = data;
  return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(course_events)

BOOST_AUTO_TEST_CASE(every_builder_writes_an_event_the_catalogue_accepts) {
  std::set<std::string> types;
  for (const auto& e : one_of_each()) {
    types.insert(e.type);
    const auto* info = find_event_type(e.type);
    BOOST_REQUIRE(info != nullptr);
    BOOST_TEST(check_event_data(e.type, json::parse(e.data)) == "", e.type);
    BOOST_TEST(is_uuid_v7(e.id));
    BOOST_TEST(e.schema_version == info->schema_version);
    BOOST_TEST(e.subject == origin.course_id);
    BOOST_TEST(e.subject_version == origin.expected_version);
    BOOST_TEST(e.correlation_id == origin.correlation_id);
    BOOST_TEST(e.causation_id == origin.causation_id);
    BOOST_TEST(json::parse(e.data)["course_id"] == origin.course_id);
    auto emitter = e.type.compare(0, 15, "course.payment.") == 0 ? event_sources::payment
                   : e.type == event_types::distribution_completed
                           || e.type == event_types::distribution_failed
                       ? event_sources::distribution
                       : event_sources::course_factory;
    BOOST_TEST(e.source == emitter, e.type);
  }
  BOOST_TEST(types.size() == catalogue().size()); // every type of the catalogue, none else
}

BOOST_AUTO_TEST_CASE(builders_write_sorted_keys_and_splice_the_content_verbatim) {
  auto events = one_of_each();
  BOOST_TEST(events[2].data
             == R"({"attempt":2,"course_id":"019a3c00-0000-7000-8000-000000000001",)"
                R"("error":"generator crashed","error_type":"transient",)"
                R"("retry_at":"2026-11-01T09:00:03.000000Z","retry_count":1,"will_retry":true})");
  BOOST_TEST(json::parse(events[1].data)["content"] == json::parse(content));
  BOOST_TEST(events[1].data.find(content) != std::string::npos);
  BOOST_TEST(json::parse(events[1].data)["url"] == "/v1/courses/" + origin.course_id);
}

BOOST_AUTO_TEST_CASE(readers_give_back_what_the_builders_took) {
  for (const auto& e : one_of_each()) {
    auto again = rebuild(e);
    BOOST_REQUIRE_MESSAGE(again, e.type << ": " << why(again));
    BOOST_TEST(again->data == e.data, e.type);
  }
  auto events = one_of_each();
  auto started = read_generation_started(events[0]);
  BOOST_REQUIRE(started);
  BOOST_TEST(started->attempt == 2);
  BOOST_TEST(started->request.title == "Rust basics");
  BOOST_TEST(started->request.amount_cents == 4900);
  BOOST_TEST(started->request.lesson_count == 2);
  auto completed = read_generation_completed(events[1]);
  BOOST_REQUIRE(completed);
  BOOST_TEST(completed->content == content);
  BOOST_TEST(completed->quiz_question_count == 3);
  auto failed = read_generation_failed(events[2]);
  BOOST_REQUIRE(failed);
  BOOST_TEST(!failed->permanent);
  BOOST_TEST(failed->will_retry);
  BOOST_TEST(failed->retry_at_us.value_or(0) == 1793523603000000);
  auto final_failure = read_generation_failed(events[3]);
  BOOST_REQUIRE(final_failure);
  BOOST_TEST(final_failure->permanent);
  BOOST_TEST(!final_failure->retry_at_us);
  auto required = read_payment_required(events[4]);
  BOOST_REQUIRE(required);
  BOOST_TEST(required->expires_us == 1793610006000000);
  BOOST_TEST(required->payment_id == "pay-1");
  auto requested = read_distribution_requested(events[7]);
  BOOST_REQUIRE(requested);
  BOOST_TEST(requested->channels == (std::vector<std::string>{"site", "webhook"}),
             boost::test_tools::per_element());
  auto published = read_distribution_completed(events[8]);
  BOOST_REQUIRE(published);
  BOOST_REQUIRE(published->channels.size() == 2u);
  BOOST_TEST(published->channels[1].detail == "HTTP 200");
  auto channel_failed = read_distribution_failed(events[9]);
  BOOST_REQUIRE(channel_failed);
  BOOST_TEST(channel_failed->channel == "webhook");
  BOOST_TEST(channel_failed->retry_at_us.value_or(0) == 1793523612000000);
}

// The fixture's events, written by an older build's emitters and brought to the current schema
// versions, are read and built again: the same bytes, envelope and all.
BOOST_AUTO_TEST_CASE(rebuilding_the_fixture_log_gives_the_same_bytes) {
  auto stored = fixture_events();
  BOOST_REQUIRE(stored.size() == 19u);
  std::set<std::string> types;
  for (auto e : stored) {
    BOOST_REQUIRE(!upcast(e));
    types.insert(e.type);
    auto again = rebuild(e);
    BOOST_REQUIRE_MESSAGE(again, e.seq << ": " << why(again));
    BOOST_TEST(again->data == e.data, e.seq << ": " << e.type);
    BOOST_TEST(again->source == e.source, e.seq);
    BOOST_TEST(again->schema_version == e.schema_version, e.seq);
    BOOST_TEST(again->subject == e.subject);
    BOOST_TEST(again->subject_version == e.subject_version);
    BOOST_TEST(again->correlation_id == e.correlation_id);
    BOOST_TEST(again->causation_id == e.causation_id);
  }
  BOOST_TEST(types.size() == catalogue().size());
}

BOOST_AUTO_TEST_CASE(the_completed_url_is_the_first_channel_url_else_the_course) {
  auto url = [](std::vector<channel_report> channels) {
    auto e = make_event(origin, distribution_completed_data{std::move(channels), 1});
    return json::parse(e.data)["url"].get<std::string>();
  };
  BOOST_TEST(url({{"webhook", true, "", "HTTP 200"}, {"site", true, "/courses/x/", ""}})
             == "/courses/x/");
  BOOST_TEST(url({{"webhook", true, "", "HTTP 200"}}) == "/v1/courses/" + origin.course_id);
}

BOOST_AUTO_TEST_CASE(follows_puts_the_next_event_after_its_cause) {
  auto cause = make_event(origin, payment_failed_data{"pay-1", "expired"});
  auto next = follows(cause);
  BOOST_TEST(next.course_id == cause.subject);
  BOOST_TEST(next.expected_version == cause.subject_version + 1);
  BOOST_TEST(next.correlation_id == cause.correlation_id);
  BOOST_TEST(next.causation_id == cause.id);
}

BOOST_AUTO_TEST_CASE(malformed_data_is_storage_corrupt) {
  auto events = one_of_each();
  auto corrupt = [](const auto& read) { return fails_with(read, errc::storage_corrupt); };
  const auto& started = events[0];
  BOOST_TEST(corrupt(read_generation_started(with_data(started, "not json"))));
  BOOST_TEST(corrupt(read_generation_started(with_data(started, "[1,2]"))));
  auto data = json::parse(started.data);
  auto broken = data;
  broken.erase("attempt"); // a required field missing
  BOOST_TEST(corrupt(read_generation_started(with_data(started, broken.dump()))));
  broken = data;
  broken["attempt"] = "2"; // of the wrong type
  BOOST_TEST(corrupt(read_generation_started(with_data(started, broken.dump()))));
  broken = data;
  broken["surprise"] = 1; // not in the catalogue
  BOOST_TEST(corrupt(read_generation_started(with_data(started, broken.dump()))));
  broken = data;
  broken["parameters"]["lesson_count"] = 0; // not a valid request
  auto bad_request = read_generation_started(with_data(started, broken.dump()));
  BOOST_REQUIRE(corrupt(bad_request));
  BOOST_TEST(error_context(bad_request.error()).find("lesson_count") != std::string::npos);

  auto failed = json::parse(events[2].data);
  failed["retry_at"] = "tomorrow";
  BOOST_TEST(corrupt(read_generation_failed(with_data(events[2], failed.dump()))));
  failed = json::parse(events[2].data);
  failed["error_type"] = "fatal";
  BOOST_TEST(corrupt(read_generation_failed(with_data(events[2], failed.dump()))));
  auto required = json::parse(events[4].data);
  required["expires_at"] = "soon";
  BOOST_TEST(corrupt(read_payment_required(with_data(events[4], required.dump()))));
  auto requested = json::parse(events[7].data);
  requested["channels"] = {"site", 7}; // an array, but not of strings
  BOOST_TEST(corrupt(read_distribution_requested(with_data(events[7], requested.dump()))));
  auto published = json::parse(events[8].data);
  published["channels"][0].erase("ok");
  BOOST_TEST(corrupt(read_distribution_completed(with_data(events[8], published.dump()))));
  BOOST_TEST(corrupt(read_distribution_failed(with_data(events[9], "{}"))));
  BOOST_TEST(corrupt(read_payment_completed(with_data(events[5], ""))));
  BOOST_TEST(corrupt(read_payment_failed(with_data(events[6], "null"))));
  BOOST_TEST(corrupt(read_generation_completed(with_data(events[1], "{}"))));
  // Found by tests/fuzz/event_decode_fuzz.cpp (corpus: crash-nul-after-data): a NUL byte ended
  // the JSON text for the parser, the rest went unread, and the event API served it spliced in.
  BOOST_TEST(corrupt(read_distribution_requested(
      with_data(events[7], events[7].data + std::string("\0junk", 5)))));
  auto old_failure = with_data(events[2], events[2].data + std::string("\0", 1));
  old_failure.schema_version = 1; // through the upcaster, which parses the data too
  auto before = old_failure;
  BOOST_TEST(is(upcast(old_failure), errc::storage_corrupt));
  BOOST_TEST((old_failure == before));
}

BOOST_AUTO_TEST_CASE(reading_an_event_of_another_type_is_invalid_argument) {
  auto events = one_of_each();
  auto wrong = read_payment_required(events[5]); // a payment.completed
  BOOST_REQUIRE(fails_with(wrong, errc::invalid_argument));
  BOOST_TEST(error_context(wrong.error()).find("course.payment.completed") != std::string::npos);
  BOOST_TEST(fails_with(read_generation_started(events[7]), errc::invalid_argument));
}

// The generated JSON Schemas (docs/schemas/) fit what the code writes: every builder's event as
// served (CloudEvents envelope, current version), and every stored event of the schema-3 fixture
// at the version it was written with; a mismatched version is refused.
BOOST_AUTO_TEST_CASE(the_generated_schemas_fit_every_event_written_now_and_before) {
  const auto envelope = cloudevent_schema();
  for (const auto& e : one_of_each()) {
    BOOST_TEST(check_json_schema(envelope, to_cloudevent(e)) == "", e.type);
    auto wrong = to_cloudevent(e);
    wrong["schemaversion"] = 99;
    BOOST_TEST(check_json_schema(envelope, wrong) != "", e.type);
  }
  std::set<std::string> old_versions;
  for (const auto& e : fixture_events()) {
    const auto* info = find_event_type(e.type);
    BOOST_REQUIRE(info != nullptr);
    auto data = json::parse(e.data);
    BOOST_TEST(check_json_schema(event_data_schema(*info, e.schema_version), data) == "",
               e.type << " v" << e.schema_version);
    if (e.schema_version < info->schema_version) {
      old_versions.insert(e.type);
      // retry_count, required since version 2, is not in version 1's data.
      if (e.type == event_types::distribution_requested)
        BOOST_TEST(check_json_schema(event_data_schema(*info, 2), data)
                   == "retry_count: is missing");
    }
  }
  BOOST_TEST(old_versions.size() >= 2u); // generation.failed and distribution.* at version 1
}

BOOST_AUTO_TEST_SUITE_END()
