// The published contracts, embedded from docs/ at build time (tools/embed_documents.cmake).
#pragma once

#include <string>

namespace cf {

/// docs/openapi.json: the REST API (OpenAPI 3.1).
const std::string& openapi_document();

/// docs/asyncapi.json: the events on SSE, the course webhook and the Redis streams (AsyncAPI 3.0).
const std::string& asyncapi_document();

} // namespace cf
