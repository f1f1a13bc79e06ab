// A small JSON Schema (2020-12) checker for the schemas this service publishes itself (the
// inbound bus messages of docs/asyncapi.json): the keywords those schemas use, nothing more.
// Keywords: type (a name or a list), const, enum, required, properties, additionalProperties
// (false or a schema), items, minLength/maxLength (code points), minimum/maximum, anyOf, allOf,
// if/then. Any other keyword in a schema is an error of the schema, not of the value, so a
// schema cannot silently promise more than is checked.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace cf {

/// True when `v` is of the JSON Schema type `type` ("string", "integer", "number", "boolean",
/// "object", "array", "null"); false for any other name.
bool json_has_type(const nlohmann::json& v, const std::string& type);

/// Checks `value` against `schema`. Empty when it conforms; otherwise the first violation, with
/// the path of the offending member ("payload.amount_cents: must be integer").
std::string check_json_schema(const nlohmann::json& schema, const nlohmann::json& value,
                              const std::string& path = {});

} // namespace cf
