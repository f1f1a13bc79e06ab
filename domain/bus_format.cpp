// Events as stream entries, in both formats.
#include "domain/bus_format.hpp"

#include <nlohmann/json.hpp>

namespace cf {

bool parse_bus_envelope(const std::string& name, bus_envelope& out) {
  if (name == "cloudevents")
    out = bus_envelope::cloudevents;
  else if (name == "platform")
    out = bus_envelope::platform;
  else
    return false;
  return true;
}

std::string platform_envelope(const event& e) {
  auto payload = nlohmann::json::parse(e.data, nullptr, false);
  nlohmann::json env{{"id", e.id},
                     {"type", e.type},
                     {"source", "coursefactory"},
                     {"target", nullptr},
                     {"payload", payload},
                     {"timestamp", format_time(e.time_us)},
                     {"correlation_id", e.correlation_id}};
  if (!e.actor.empty()) // the API token whose request caused it
    env["actor_id"] = e.actor;
  else if (payload.is_object() && payload.contains("user_id") && payload["user_id"].is_string())
    env["actor_id"] = payload["user_id"];
  return env.dump();
}

std::vector<std::pair<std::string, std::string>> bus_fields(const event& e, bus_envelope format) {
  if (format == bus_envelope::platform)
    return {{"event", platform_envelope(e)}};
  return {{"id", e.id},
          {"type", e.type},
          {"subject", e.subject},
          {"seq", std::to_string(e.seq)},
          {"time", format_time(e.time_us)},
          {"data", to_cloudevent_text(e)}};
}

} // namespace cf
