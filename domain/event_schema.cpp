// Catalogue -> JSON Schema. The catalogue's JSON type names are JSON Schema's own.
#include "domain/event_schema.hpp"

namespace cf {

using json = nlohmann::json;

json event_data_schema(const event_type_info& info, int32_t version) {
  json props = json::object();
  json required = json::array();
  for (const auto& f : info.fields) {
    if (f.since > version)
      continue;
    props[f.name] = {{"type", f.type}, {"description", f.description}};
    if (f.required)
      required.push_back(f.name);
  }
  return {{"title", std::string{info.type} + " data, schema version " + std::to_string(version)},
          {"description", info.emitted_when},
          {"type", "object"},
          {"properties", std::move(props)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json cloudevent_schema() {
  auto text = [](const char* description) {
    return json{{"type", "string"}, {"description", description}};
  };
  auto count = [](const char* description) {
    return json{{"type", "integer"}, {"minimum", 0}, {"description", description}};
  };
  json types = json::array();
  json by_type = json::array();
  for (const auto& info : catalogue()) {
    types.push_back(info.type);
    by_type.push_back({{"if", {{"properties", {{"type", {{"const", info.type}}}}}}},
                       {"then",
                        {{"properties",
                          {{"schemaversion", {{"const", info.schema_version}}},
                           {"data", event_data_schema(info, info.schema_version)}}}}}});
  }
  json props{
      {"specversion", {{"const", "1.0"}}},
      {"id", text("The event's id (UUIDv7).")},
      {"source", text("Who wrote it (\"coursefactory\").")},
      {"type", {{"enum", types}, {"description", "The event type (docs/events.md)."}}},
      {"subject", text("The course id.")},
      {"time", {{"type", "string"}, {"format", "date-time"}, {"description", "RFC 3339, UTC."}}},
      {"datacontenttype", {{"const", "application/json"}}},
      {"seq", count("Global commit order, gap-free from 1.")},
      {"subjectversion", count("1, 2, 3... per course.")},
      {"schemaversion", count("The version of data (the type's current one).")},
      {"correlationid", text("Everything one request caused shares it.")},
      {"causationid", text("The event or request that caused this one.")},
      {"actor", text("The API token whose request caused it.")},
      {"data", {{"type", "object"}}}};
  return {{"title", "A coursefactory event (CloudEvents 1.0, structured JSON)"},
          {"type", "object"},
          {"properties", std::move(props)},
          {"required",
           {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "seq",
            "subjectversion", "schemaversion", "correlationid", "data"}},
          {"additionalProperties", false},
          {"allOf", std::move(by_type)}};
}

json catalogue_schemas() {
  json data = json::object();
  for (const auto& info : catalogue())
    for (int32_t v = 1; v <= info.schema_version; ++v)
      data[info.type][std::to_string(v)] = event_data_schema(info, v);
  return {{"cloudevent", cloudevent_schema()}, {"data", std::move(data)}};
}

} // namespace cf
