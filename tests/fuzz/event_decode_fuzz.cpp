// libFuzzer target: event decoding with upcasting (domain/upcast.*, domain/event.*,
// domain/course_events.*): what every reader of the log does with a stored row. Properties:
// upcast() either brings the event to its type's current version or fails leaving it unchanged;
// every read_* function returns a value or an error (storage_corrupt / invalid_argument) and
// delay_until_retry a delay, never an exception; what a reader accepts builds an event that reads
// back; an accepted event serializes as a CloudEvent. Input: a CloudEvent JSON object
// (from_cloudevent), or a stored row as
// "<type or catalogue index 0-8> <schema_version> <time_us> <seq>\n<data>".
#include <cstdint>
#include <cstdlib>

#include "domain/catalogue.hpp"
#include "domain/course_events.hpp"
#include "domain/retry_policy.hpp"
#include "domain/upcast.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace cf::fuzz;

namespace {

void expect_known_error(const caf::error& err, const char* what) {
  expect(is(err, errc::storage_corrupt) || is(err, errc::invalid_argument), what,
         error_context(err));
}

// One reader on `e`; what it accepts must build an event that it accepts again.
template <class Data>
int round_trip(const event& e, caf::expected<Data> (*read)(const event&)) {
  auto d = read(e);
  if (!d) {
    expect_known_error(d.error(), "a reader fails with another error");
    return 0;
  }
  auto rebuilt = make_event(follows(e), *d);
  auto again = read(rebuilt);
  expect(static_cast<bool>(again), "an accepted event's data does not read back", rebuilt.data);
  return 1;
}

void decode(event e) {
  const auto stored = e;
  if (auto err = upcast(e)) {
    expect_known_error(err, "upcast fails with another error");
    expect(e == stored, "a failed upcast changed the event");
    return;
  }
  delay_until_retry(e); // what CourseFactory and Distribution ask of a failure after a restart
  const auto* info = find_event_type(e.type);
  expect(info != nullptr && e.schema_version == info->schema_version, "upcast left an old version");
  int accepted = round_trip(e, read_generation_started) + round_trip(e, read_generation_completed)
                 + round_trip(e, read_generation_failed) + round_trip(e, read_payment_required)
                 + round_trip(e, read_payment_completed) + round_trip(e, read_payment_failed)
                 + round_trip(e, read_distribution_requested)
                 + round_trip(e, read_distribution_completed)
                 + round_trip(e, read_distribution_failed);
  expect(accepted <= 1, "more than one reader accepts an event");
  if (accepted == 1) { // the event API's two ways to write it
    auto text = to_cloudevent_text(e);
    auto j = must_dump(to_cloudevent(e), "to_cloudevent(accepted event).dump()");
    expect(nlohmann::json::parse(text) == nlohmann::json::parse(j),
           "to_cloudevent_text differs from to_cloudevent", text);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = text_of(data, size);
  if (auto j = parse_json(text); j.is_object()) {
    if (auto e = from_cloudevent(j))
      decode(*e);
    else
      expect(is(e.error(), errc::invalid_argument), "from_cloudevent fails with another error");
    return 0;
  }
  auto parts = lines(text, 2);
  parts.resize(2);
  event e;
  // "type version time seq", split on spaces: lines() cuts at '\n', so swap the separators.
  auto head = lines(
      [&] {
        auto h = parts[0];
        for (auto& c : h)
          if (c == ' ')
            c = '\n';
        return h;
      }(),
      4);
  head.resize(4);
  const auto& types = catalogue();
  e.type = head[0].size() == 1 && head[0][0] >= '0' && head[0][0] <= '8'
               ? std::string{types[static_cast<size_t>(head[0][0] - '0')].type}
               : head[0];
  e.schema_version = static_cast<int32_t>(std::strtol(head[1].c_str(), nullptr, 10));
  e.time_us = std::strtoll(head[2].c_str(), nullptr, 10);
  e.seq = std::strtoll(head[3].c_str(), nullptr, 10);
  e.id = "0190a0b1-0000-7000-8000-000000000001";
  e.source = "/coursefactory/fuzz";
  e.subject = "course-1";
  e.subject_version = 1;
  e.correlation_id = "corr-1";
  e.data = parts[1];
  decode(e);
  return 0;
}
