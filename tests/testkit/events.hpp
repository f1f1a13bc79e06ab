// Test kit: events ready to hand to sqlite_event_store::append (id and time set, as EventLog
// would set them), for tests that build a log by hand.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "domain/course_request.hpp"
#include "domain/event.hpp"
#include "util/uuid.hpp"

namespace cf::testkit {

/// An event of `type` about `subject` with `data` (an empty object when null), source "/test",
/// correlation id "corr" and causation id "cause".
inline event stored_event(const std::string& type, const std::string& subject,
                          const nlohmann::json& data = nullptr) {
  event e;
  e.id = make_uuid_v7();
  e.source = "/test";
  e.type = type;
  e.subject = subject;
  e.time_us = now_us();
  e.correlation_id = "corr";
  e.causation_id = "cause";
  e.data = (data.is_null() ? nlohmann::json::object() : data).dump();
  return e;
}

/// A valid one-lesson course request by user "u-1"; priced in EUR when `amount_cents` > 0.
inline course_request sample_request(const std::string& title, int64_t amount_cents = 0) {
  course_request r;
  r.title = title;
  r.audiences = {"Einsteiger"};
  r.lesson_count = 1;
  r.user_id = "u-1";
  r.amount_cents = amount_cents;
  r.currency = amount_cents > 0 ? "EUR" : "";
  return r;
}

} // namespace cf::testkit
