// GET /v1/openapi.json and GET /v1/asyncapi.json: the contracts this build serves by, public like
// /v1/health (http/auth.cpp): they describe the API and hold no data, and clients and code
// generators fetch them before they have a token.
#include <httplib.h>

#include "http/contract_documents.hpp"
#include "http/routes.hpp"

namespace cf {

void register_contract_routes(httplib::Server& srv) {
  for (auto [path, text] : {std::pair{"/v1/openapi.json", &openapi_document()},
                            std::pair{"/v1/asyncapi.json", &asyncapi_document()}}) {
    srv.Get(path, [text](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "public, max-age=300");
      res.set_content(*text, "application/json");
    });
    reject_other_methods(srv, path, "GET");
  }
}

} // namespace cf
