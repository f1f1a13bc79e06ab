// libFuzzer target: the inbound bus message parser (domain/bus_inbound.*), what the BusInbound
// actor applies to every stream entry other modules write. Properties: any fields parse to a
// message or an invalid_argument error, never an exception; an accepted message keeps the
// documented rules (a payment completed has a three-letter currency and an amount >= 0, every
// message an id and a course) and everything of it that is stored or logged serializes. Input:
// lines taken in pairs as field name and value ("data\n{...}\nevent\n{...}"); a single line is
// the value of field `data`.
#include <cstdint>

#include "domain/bus_inbound.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace cf::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto pieces = lines(text_of(data, size), 16);
  std::vector<std::pair<std::string, std::string>> fields;
  if (pieces.size() == 1)
    fields.emplace_back("data", pieces[0]);
  for (size_t i = 0; i + 1 < pieces.size(); i += 2) fields.emplace_back(pieces[i], pieces[i + 1]);
  auto m = parse_inbound(fields);
  if (!m) {
    expect(is(m.error(), errc::invalid_argument), "an error of another kind");
    must_dump(nlohmann::json{{"error", error_context(m.error())}}, "the error (logged)");
    return 0;
  }
  expect(!m->id.empty() && !m->course_id.empty(), "a message without id or course");
  expect(m->outcome == "completed" || m->outcome == "failed", "an outcome of another kind");
  if (m->what == inbound_message::kind::payment && m->outcome == "completed")
    expect(m->currency.size() == 3 && m->amount_cents >= 0 && !m->transaction_id.empty(),
           "an accepted payment breaks its rules", m->currency);
  if (m->outcome == "failed")
    expect(!m->reason.empty(), "a failure without a reason");
  must_dump(nlohmann::json{{"id", m->id},
                           {"type", m->type},
                           {"course_id", m->course_id},
                           {"transaction_id", m->transaction_id},
                           {"amount_cents", m->amount_cents},
                           {"currency", m->currency},
                           {"reason", m->reason},
                           {"request_id", m->request_id},
                           {"url", m->url}},
            "an accepted message's fields");
  return 0;
}
