// libFuzzer target: the course request parser (domain/course_request.*), as POST /v1/courses
// and read_generation_started use it. Properties: parsing never throws; an accepted request
// validates, serializes (dump) and parses back to itself, and survives the round trip through a
// course.generation.started event. Input: a JSON body; input that is not JSON is split into
// lines and used as the fields of a request directly, to reach validate() with any bytes.
#include <cstdint>
#include <cstdlib>

#include "domain/course_events.hpp"
#include "domain/course_request.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cf;
using namespace cf::fuzz;

namespace {

bool same(const course_request& a, const course_request& b) {
  return a.title == b.title && a.description == b.description && a.language == b.language
         && a.audiences == b.audiences && a.lesson_count == b.lesson_count && a.user_id == b.user_id
         && a.amount_cents == b.amount_cents && a.currency == b.currency && a.dry_run == b.dry_run;
}

void check_accepted(const course_request& r) {
  expect(validate(r).empty(), "an accepted request fails validate()");
  auto text = must_dump(to_json(r), "to_json(accepted request).dump()");
  std::vector<field_error> errs;
  auto again = parse_course_request(nlohmann::json::parse(text), errs);
  expect(errs.empty(), "the serialized request is rejected", text);
  expect(same(r, again), "the serialized request parses to another request", text);
  auto ev = make_event({"c-1", 1, "corr", "cause"}, generation_started_data{r, 1});
  auto back = read_generation_started(ev);
  expect(static_cast<bool>(back), "read_generation_started rejects its own event", ev.data);
  expect(same(r, back->request), "the started event reads back another request", ev.data);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = text_of(data, size);
  auto body = parse_json(text);
  if (!body.is_discarded()) {
    std::vector<field_error> errs;
    auto r = parse_course_request(body, errs);
    for (const auto& e : errs) // what the route answers with (problem+json)
      must_dump(nlohmann::json{{"field", e.field}, {"message", e.message}}, "a field error");
    if (errs.empty())
      check_accepted(r);
    return 0;
  }
  // Any bytes as the fields: title, description, language, user_id, currency, audiences...
  auto f = lines(text, 8);
  f.resize(8);
  course_request r;
  r.title = f[0];
  r.description = f[1];
  r.language = f[2];
  r.user_id = f[3];
  r.currency = f[4];
  r.amount_cents = std::atoll(f[5].c_str());
  r.lesson_count = static_cast<int32_t>(std::atoi(f[6].c_str()));
  if (!f[7].empty())
    r.audiences = {f[7]};
  if (validate(r).empty())
    check_accepted(r);
  return 0;
}
