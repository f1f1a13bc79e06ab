// Test kit: events ready to hand to sqlite_event_store::append (id and time set, as EventLog
// would set them), for tests that build a log by hand.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "actors/event.hpp"
#include "actors/uuid.hpp"

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

} // namespace cf::testkit
