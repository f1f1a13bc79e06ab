// caf::error -> HTTP status and problem+json body.
#include "http/problem.hpp"

#include <httplib.h>

#include <caf/sec.hpp>
#include <nlohmann/json.hpp>

#include "util/errc.hpp"
#include "util/metrics.hpp"

namespace cf {

namespace {

const char* title_for(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status < 500 ? "Client Error" : "Internal Server Error";
  }
}

} // namespace

int status_for(const caf::error& err) {
  if (err.category() == caf::atom("cf")) {
    switch (static_cast<errc>(err.code())) {
      case errc::invalid_argument:
        return 400;
      case errc::not_found:
        return 404;
      case errc::conflict:
        return 409;
      case errc::storage_unavailable:
      case errc::storage_full:
      case errc::storage_failed:
        return 503;
      case errc::overloaded:
        return 429;
      default:
        return 500;
    }
  }
  if (err == caf::sec::request_timeout)
    return 504;
  if (err == caf::sec::request_receiver_down)
    return 503;
  return 500;
}

void write_problem(httplib::Response& res, int status, const std::string& code,
                   const std::string& detail, const std::vector<field_error>& errors) {
  nlohmann::json body{{"type", "urn:coursefactory:problem:" + code},
                      {"title", title_for(status)},
                      {"status", status},
                      {"detail", detail}};
  if (!errors.empty()) {
    auto& list = body["errors"] = nlohmann::json::array();
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
  }
  res.status = status;
  res.set_content(body.dump(), "application/problem+json");
}

void write_problem(httplib::Response& res, const caf::error& err, const std::string& render) {
  auto status = status_for(err);
  std::string code = "internal";
  std::string detail = render;
  std::string retry_after;
  if (err.category() == caf::atom("cf")) {
    auto x = static_cast<errc>(err.code());
    // A full disk keeps the type clients know for "the storage cannot write now: retry".
    code = to_string(x == errc::storage_full ? errc::storage_unavailable : x);
    if (auto ctx = error_context(err); !ctx.empty())
      detail = ctx;
    if (x == errc::storage_unavailable || x == errc::storage_full)
      retry_after = "1";
    else if (x == errc::storage_failed) // this process stops; its supervisor starts the next
      retry_after = "5";
  } else if (status == 504) {
    code = "timeout";
    detail = "the service did not answer in time; the request may still complete";
  } else if (status == 503) {
    code = "unavailable";
  }
  write_problem(res, status, code, detail);
  if (!retry_after.empty())
    res.set_header("Retry-After", retry_after);
  if (status == 429) {
    res.set_header("Retry-After", "1");
    metrics::global().http_rejected.add("in_flight");
  }
}

} // namespace cf
