// How an event looks on the shared bus (a Redis stream), in the two formats the service writes:
// CloudEvents fields, or the platform's envelope that the other modules already decode.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "domain/event.hpp"

namespace cf {

/// The format of relayed entries (config bus.envelope).
enum class bus_envelope {
  cloudevents, ///< Fields id, type, subject, seq, time and data (the CloudEvents JSON).
  platform,    ///< One field `event`: {id, type, source, target, payload, timestamp,
               ///< correlation_id, actor_id when known}.
};

/// "cloudevents" or "platform" to the value; false for anything else.
bool parse_bus_envelope(const std::string& name, bus_envelope& out);

/// The stream entry fields of `e` in `format`, in order. `e.data` must be a JSON object (as
/// every committed event's is).
std::vector<std::pair<std::string, std::string>> bus_fields(const event& e, bus_envelope format);

/// The platform envelope of `e` as JSON text: source "coursefactory", target null, payload the
/// event's data, timestamp RFC 3339 (ISO 8601) UTC, actor_id the event's actor (the API token
/// whose request caused it) or else the data's user_id when it has one.
std::string platform_envelope(const event& e);

} // namespace cf
