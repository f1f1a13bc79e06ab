// Generation jobs and results on the streams: a real started event as the relay writes it, the
// result round trip, and every malformed entry refused with a clear reason.
#include "domain/generation_job.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "domain/bus_format.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"

using namespace cf;
using json = nlohmann::json;

namespace {

course_request sample_request() {
  course_request r;
  r.title = "Negotiation für Einsteiger";
  r.language = "de";
  r.audiences = {"Teams", "Leads"};
  r.lesson_count = 2;
  r.user_id = "u-7";
  return r;
}

/// A committed course.generation.started event as the relay's CloudEvents fields.
stream_fields relayed_job(int32_t attempt = 2) {
  event_origin o;
  o.course_id = "c-42";
  o.expected_version = 3;
  auto e = make_event(o, generation_started_data{sample_request(), attempt});
  e.seq = 17;
  e.subject_version = 3;
  e.time_us = 1796402911027014;
  return bus_fields(e, bus_envelope::cloudevents);
}

/// The job fields with the CloudEvent's `data` member changed by `edit`.
stream_fields with_data(const std::function<void(json&)>& edit) {
  auto f = relayed_job();
  for (auto& [k, v] : f)
    if (k == "data") {
      auto doc = json::parse(v);
      edit(doc["data"]);
      v = doc.dump();
    }
  return f;
}

stream_fields with_field(stream_fields f, const std::string& name, const std::string& value) {
  bool found = false;
  for (auto& [k, v] : f)
    if (k == name) {
      v = value;
      found = true;
    }
  if (!found)
    f.emplace_back(name, value);
  return f;
}

stream_fields without_field(stream_fields f, const std::string& name) {
  f.erase(std::remove_if(f.begin(), f.end(), [&](const auto& kv) { return kv.first == name; }),
          f.end());
  return f;
}

/// Asserts that `r` failed with invalid_argument and its context mentions `words`.
template <class T>
void refused(const caf::expected<T>& r, const std::string& words) {
  BOOST_REQUIRE_MESSAGE(!r, "accepted, expected a refusal mentioning: " + words);
  BOOST_TEST(is(r.error(), errc::invalid_argument));
  BOOST_TEST_MESSAGE(error_context(r.error()));
  BOOST_TEST(error_context(r.error()).find(words) != std::string::npos,
             error_context(r.error()) << " should mention " << words);
}

generation_result sample_result(bool ok) {
  generation_result r;
  r.job_id = "0193-job";
  r.course_id = "c-42";
  r.attempt = 3;
  r.retry_count = 2;
  r.worker = "gen-1:4711";
  r.ok = ok;
  if (ok)
    r.content_json = R"({"language":"en","modules":[]})";
  else {
    r.error = "generator exited with status 3: out of tokens";
    r.permanent = true;
  }
  r.duration_ms = 1234;
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(generation_job)

BOOST_AUTO_TEST_CASE(a_relayed_started_event_is_a_job) {
  auto f = relayed_job(2);
  auto job = parse_generation_job(f);
  BOOST_REQUIRE_MESSAGE(job, (job ? "" : error_context(job.error())));
  BOOST_TEST(job->job_id == f[0].second);
  BOOST_TEST(job->course_id == "c-42");
  BOOST_TEST(job->attempt == 2);
  BOOST_TEST(job->retry_count == 0);
  BOOST_TEST((to_json(job->request) == to_json(sample_request())));
}

BOOST_AUTO_TEST_CASE(retry_count_is_read_when_present) {
  auto job = parse_generation_job(with_data([](json& d) { d["retry_count"] = 4; }));
  BOOST_REQUIRE(job);
  BOOST_TEST(job->retry_count == 4);
}

BOOST_AUTO_TEST_CASE(malformed_jobs_are_refused_with_the_reason) {
  auto good = relayed_job();
  refused(parse_generation_job(without_field(good, "id")), "field id is missing");
  refused(parse_generation_job(with_field(good, "id", "")), "field id is empty");
  refused(parse_generation_job(with_field(good, "id", "other")),
          "the CloudEvent's id is not the id field");
  refused(parse_generation_job(without_field(good, "type")), "field type is missing");
  refused(parse_generation_job(with_field(good, "type", "course.generation.completed")),
          "is not course.generation.started");
  refused(parse_generation_job(without_field(good, "data")), "field data is missing");
  refused(parse_generation_job(with_field(good, "data", "{not json")), "not a JSON object");
  refused(parse_generation_job(with_field(good, "data", "[1,2]")), "not a JSON object");
  refused(parse_generation_job(with_field(good, "subject", "c-other")), "subject");
  refused(parse_generation_job(with_field(good, "data", "\xff")), "not valid UTF-8");
  refused(parse_generation_job(with_field(good, "id", "a\xc0\xafz")), "not valid UTF-8");
  refused(parse_generation_job(with_field(good, "id", "\xed\xa0\x80")), "not valid UTF-8");
  refused(parse_generation_job(with_field(good, "subject", "c-42\xe2\x82")), "not valid UTF-8");
  auto twice = good;
  twice.emplace_back("type", "course.generation.started");
  refused(parse_generation_job(twice), "appears twice");
  refused(parse_generation_job({}), "field id is missing");
}

BOOST_AUTO_TEST_CASE(malformed_job_data_is_refused_with_the_reason) {
  auto edit = [](auto fn) { return parse_generation_job(with_data(fn)); };
  refused(edit([](json& d) { d.erase("course_id"); }), "data.course_id is missing");
  refused(edit([](json& d) { d["course_id"] = 7; }), "data.course_id is not a string");
  refused(edit([](json& d) { d["course_id"] = "c-other"; }), "subject");
  refused(edit([](json& d) { d.erase("attempt"); }), "data.attempt is missing");
  refused(edit([](json& d) { d["attempt"] = "2"; }), "data.attempt is not an integer");
  refused(edit([](json& d) { d["attempt"] = 0; }), "data.attempt is out of range");
  refused(edit([](json& d) { d["attempt"] = 1.5; }), "data.attempt is not an integer");
  refused(edit([](json& d) { d["attempt"] = 4294967297ULL; }), "data.attempt is out of range");
  refused(edit([](json& d) { d["retry_count"] = -1; }), "data.retry_count is out of range");
  refused(edit([](json& d) { d.erase("parameters"); }), "data.parameters is missing");
  refused(edit([](json& d) { d["parameters"] = "x"; }), "data.parameters is missing");
  refused(edit([](json& d) { d["parameters"]["lesson_count"] = 99; }),
          "data.parameters.lesson_count");
  refused(edit([](json& d) { d["parameters"]["surprise"] = 1; }), "data.parameters.surprise");
  refused(edit([](json& d) { d["parameters"].erase("title"); }), "data.parameters.title");
  refused(edit([](json& d) { d = json::array(); }), "data is missing or not an object");
  // Invalid UTF-8 inside the CloudEvent text is refused before it is parsed.
  auto f = relayed_job();
  auto& data = f.back().second;
  data.replace(data.find("Einsteiger"), 10, "Einsteiger\xff");
  refused(parse_generation_job(f), "UTF-8");
}

BOOST_AUTO_TEST_CASE(results_round_trip) {
  for (bool ok : {true, false}) {
    auto r = sample_result(ok);
    auto f = to_fields(r);
    auto back = parse_generation_result(f);
    BOOST_REQUIRE_MESSAGE(back, (back ? "" : error_context(back.error())));
    BOOST_TEST(back->job_id == r.job_id);
    BOOST_TEST(back->course_id == r.course_id);
    BOOST_TEST(back->attempt == r.attempt);
    BOOST_TEST(back->retry_count == r.retry_count);
    BOOST_TEST(back->worker == r.worker);
    BOOST_TEST(back->ok == r.ok);
    BOOST_TEST(back->content_json == r.content_json);
    BOOST_TEST(back->error == r.error);
    BOOST_TEST(back->permanent == r.permanent);
    BOOST_TEST(back->duration_ms == r.duration_ms);
  }
  std::vector<std::string> names;
  for (const auto& [k, v] : to_fields(sample_result(false))) names.push_back(k);
  std::vector<std::string> want{"job_id", "worker", "error", "error_kind", "duration_ms"};
  for (const auto& w : want)
    BOOST_TEST((std::find(names.begin(), names.end(), w) != names.end()), w);
  BOOST_TEST((std::find(names.begin(), names.end(), "content") == names.end()));
}

BOOST_AUTO_TEST_CASE(malformed_results_are_refused_with_the_reason) {
  auto ok = to_fields(sample_result(true));
  auto failed = to_fields(sample_result(false));
  refused(parse_generation_result(without_field(ok, "job_id")), "field job_id is missing");
  refused(parse_generation_result(with_field(ok, "course_id", "")),
          "field course_id must have at least 1 characters");
  refused(parse_generation_result(without_field(ok, "worker")), "field worker is missing");
  refused(parse_generation_result(with_field(ok, "attempt", "two")), "attempt is not an integer");
  refused(parse_generation_result(with_field(ok, "attempt", "0")), "attempt is out of range");
  refused(parse_generation_result(with_field(ok, "attempt", "3x")), "attempt is not an integer");
  refused(parse_generation_result(with_field(ok, "retry_count", "-1")),
          "retry_count is out of range");
  refused(parse_generation_result(with_field(ok, "duration_ms", "")),
          "field duration_ms must have at least 1 characters");
  refused(parse_generation_result(with_field(ok, "outcome", "done")),
          "field outcome must be one of [\"completed\",\"failed\"]");
  refused(parse_generation_result(without_field(ok, "content")), "field content is missing");
  refused(parse_generation_result(with_field(ok, "content", "[]")), "not a JSON object");
  refused(parse_generation_result(with_field(ok, "content", "{\"a\":\"\xff\"}")), "UTF-8");
  refused(parse_generation_result(without_field(failed, "error")), "field error is missing");
  refused(parse_generation_result(with_field(failed, "error_kind", "fatal")),
          "field error_kind must be one of [\"transient\",\"permanent\"]");
  refused(parse_generation_result(with_field(failed, "worker", "w\x80")), "UTF-8");
}

BOOST_AUTO_TEST_SUITE_END()
