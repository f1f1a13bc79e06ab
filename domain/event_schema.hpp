// JSON Schemas (2020-12) generated from the event catalogue: one for the data of every event
// type at every schema version, and one for the CloudEvents envelope as the service serves it
// (GET /v1/events, the SSE stream, the bus). `coursefactory catalogue --schemas` prints them;
// tools/contracts/generate.py writes them to docs/schemas/ and into docs/openapi.json and
// docs/asyncapi.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"

namespace cf {

/// The schema of `data` of `info` at `version` (1..info.schema_version): the fields added up to
/// that version, required as the catalogue says, nothing else.
nlohmann::json event_data_schema(const event_type_info& info, int32_t version);

/// The CloudEvents 1.0 envelope with its extensions; `data` must fit the current version of the
/// event's type (events of older versions are upcast before anyone sees them).
nlohmann::json cloudevent_schema();

/// Everything: {"cloudevent": ..., "data": {"<type>": {"<version>": schema, ...}, ...}}.
nlohmann::json catalogue_schemas();

} // namespace cf
