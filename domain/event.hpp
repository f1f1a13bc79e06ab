// The stored event and its CloudEvents 1.0 form. An event is a past-tense fact about one course;
// EventLog assigns its sequence number, id, time and subject version at commit.
#pragma once

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "util/time.hpp"

namespace cf {

/// One row of the log. Fields marked (log) are filled by EventLog when the event commits.
struct event {
  int64_t seq = 0;             ///< (log) Global order of commit, 1, 2, 3...
  std::string id;              ///< (log) UUIDv7.
  std::string source;          ///< CloudEvents source, e.g. "/coursefactory/course-factory".
  std::string type;            ///< One of the catalogue's types, e.g. "course.generation.started".
  std::string subject;         ///< The course id.
  int64_t subject_version = 0; ///< (log) 1, 2, 3... per subject. A producer that sets it
                               ///< gets the append only if it is the next version.
  int64_t time_us = 0;         ///< (log) UTC, microseconds since the Unix epoch.
  int32_t schema_version = 1;  ///< Version of `data`'s schema for this type.
  std::string correlation_id;  ///< Ties together everything one request caused.
  std::string causation_id;    ///< The id of the event (or request) that caused this one.
  std::string data;            ///< The payload as a JSON object, serialized.
  std::string actor = {};      ///< The API token whose request caused it (its name); may be empty.

  bool operator==(const event& other) const;
  bool operator!=(const event& other) const { return !(*this == other); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("cf.event"), x.seq, x.id, x.source, x.type, x.subject,
           x.subject_version, x.time_us, x.schema_version, x.correlation_id, x.causation_id, x.data,
           x.actor);
}

/// A filter over the log. Empty strings match everything.
struct event_query {
  std::string type;      ///< Exact type, or a prefix ending in ".*" ("course.generation.*").
  std::string subject;   ///< Exact subject (course id).
  int64_t after_seq = 0; ///< Only events with seq > after_seq.
  int32_t limit = 100;   ///< At most this many events (1-1000).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_query& x) {
  return f(caf::meta::type_name("cf.event_query"), x.type, x.subject, x.after_seq, x.limit);
}

/// A page of events in sequence order; `next_after` is the cursor for the next page (0: no more).
struct event_page {
  std::vector<event> events;
  int64_t next_after = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_page& x) {
  return f(caf::meta::type_name("cf.event_page"), x.events, x.next_after);
}

/// A remembered request: an Idempotency-Key or a webhook event id, stored in the same
/// transaction as the events it caused, so a repeat is recognised exactly once.
struct idempotency_record {
  std::string scope;         ///< What the key belongs to: "courses", "stripe", ...
  std::string key;           ///< The caller's key (Idempotency-Key header, Stripe event id).
  std::string fingerprint;   ///< Hash of the request body: the same key with another body differs.
  std::string response;      ///< What to answer a repeat with (JSON text).
  int64_t created_us = 0;    ///< When it was stored (filled by storage).
  int64_t not_before_us = 0; ///< Records created before this are expired: ignored and replaced.
  bool found = false;        ///< Lookups: whether a live record exists.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, idempotency_record& x) {
  return f(caf::meta::type_name("cf.idempotency_record"), x.scope, x.key, x.fingerprint, x.response,
           x.created_us, x.not_before_us, x.found);
}

/// A durable subscriber's position in the log: every event delivered to `consumer` with a seq up
/// to `seq` has been handled, its effects committed. Stored in the same transaction as those
/// effects, so a crash can neither lose an effect nor make it happen twice.
struct checkpoint {
  std::string consumer; ///< A stable name: "course_factory", "payment", "distribution", ...
  int64_t seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint& x) {
  return f(caf::meta::type_name("cf.checkpoint"), x.consumer, x.seq);
}

/// True for a valid type filter: empty, an exact dotted name, or a dotted prefix ending in ".*".
bool is_valid_type_pattern(const std::string& pattern);

/// True when `type` matches `pattern` (see event_query::type).
bool type_matches(const std::string& pattern, const std::string& type);

/// The event as a CloudEvents 1.0 structured-mode JSON object. Extension attributes: `seq`,
/// `subjectversion`, `schemaversion`, `correlationid`, `causationid`, and `actor` when known.
nlohmann::json to_cloudevent(const event& e);

/// The same, serialized, with the stored `data` text spliced in rather than parsed and
/// re-serialized (the hot path of the event API). Equal to to_cloudevent(e).dump() as JSON.
std::string to_cloudevent_text(const event& e);

/// Reads a CloudEvents object written by to_cloudevent. Errors: errc::invalid_argument.
caf::expected<event> from_cloudevent(const nlohmann::json& j);

} // namespace cf
