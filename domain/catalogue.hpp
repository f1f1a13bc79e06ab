// The event catalogue: every event type coursefactory emits, with its current schema version,
// when it is emitted, its data fields and its version history. Defined once, here; the document
// docs/events.md is generated from it (`coursefactory catalogue`) and a test keeps them in step.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace cf {

namespace event_types {
inline constexpr const char* generation_started = "course.generation.started";
inline constexpr const char* generation_completed = "course.generation.completed";
inline constexpr const char* generation_failed = "course.generation.failed";
inline constexpr const char* payment_required = "course.payment.required";
inline constexpr const char* payment_completed = "course.payment.completed";
inline constexpr const char* payment_failed = "course.payment.failed";
inline constexpr const char* distribution_requested = "course.distribution.requested";
inline constexpr const char* distribution_completed = "course.distribution.completed";
inline constexpr const char* distribution_failed = "course.distribution.failed";
} // namespace event_types

/// One field of an event's data.
struct field_info {
  const char* name;
  const char* type; ///< JSON type: "string", "integer", "boolean", "object", "array".
  bool required;
  const char* description;
  int32_t since = 1; ///< The schema version that added it (older versions' data lack it).
};

/// One step in a type's schema history.
struct version_info {
  int32_t version;
  const char* change;
};

/// Everything an integrator needs to know about one event type.
struct event_type_info {
  const char* type;
  int32_t schema_version; ///< The version this build writes.
  const char* emitted_when;
  std::vector<field_info> fields;
  std::vector<version_info> history;
  bool emitted_yet; ///< False while no code path emits it (documented ahead of its issue).
};

/// All nine types, in lifecycle order.
const std::vector<event_type_info>& catalogue();

/// The entry for `type`, or nullptr for an unknown type.
const event_type_info* find_event_type(const std::string& type);

/// Checks `data` against the catalogue entry of `type`: every required field present with the
/// right JSON type, no field the catalogue does not list. Empty string when it conforms.
std::string check_event_data(const std::string& type, const nlohmann::json& data);

/// The catalogue as Markdown (the content of docs/events.md).
std::string catalogue_markdown();

} // namespace cf
