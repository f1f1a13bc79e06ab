// Problem details (RFC 9457) for HTTP callers: the one mapping from caf::error to status codes.
#pragma once

#include <caf/error.hpp>
#include <string>
#include <vector>

#include "domain/course_request.hpp"

namespace httplib {
struct Response;
}

namespace cf {

/// The HTTP status for an error that came back from an actor.
int status_for(const caf::error& err);

/// Writes an application/problem+json body: `code` is a short machine-readable name
/// ("validation_failed"), `detail` the sentence for humans, `errors` the field-level list.
void write_problem(httplib::Response& res, int status, const std::string& code,
                   const std::string& detail, const std::vector<field_error>& errors = {});

/// Writes the problem for an actor error (status from status_for, detail from its context).
void write_problem(httplib::Response& res, const caf::error& err, const std::string& render);

} // namespace cf
