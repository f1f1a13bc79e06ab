// Limits of the HTTP front that cpp-httplib 0.11.4 does not hold by itself (see
// ../shared/guides/platform-notes.md and README "Security"):
// - httplib applies its payload limit only to bodies with a Content-Length; chunked bodies and
//   bodies without a length (read to close) are read whole, and gzip, deflate and brotli bodies
//   are decoded without a bound. Here a request with a Content-Encoding gets 415, a request
//   without a length is taken to have none (RFC 9112 6.3), and every POST body, whatever its
//   framing, is read by a bounded reader (post_bounded): 413 beyond the limit.
// - httplib has no cap on the number or total size of headers: 431 beyond ours.
// A refused request's connection is closed after the answer, so the rest of a refused body is
// not read (nor parsed as further requests).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace cf {

struct request_limits {
  size_t max_body_bytes = 64 * 1024;   ///< Decoded and on the wire alike (no decoding is done).
  size_t max_header_count = 100;       ///< Header fields per request.
  size_t max_header_bytes = 16 * 1024; ///< Names and values of all header fields together.
};

/// The limits post_bounded reads bodies with (one HTTP front per process; the server sets it).
void set_request_limits(const request_limits& l);
request_limits current_request_limits();

/// For the pre-routing handler, before any byte of the body is read: answers 431, 415, 413,
/// 400 (conflicting framing) or 501 (a transfer coding other than chunked) and returns true when
/// the request is refused. A POST, PUT or PATCH without Content-Length or Transfer-Encoding is
/// given `Content-Length: 0` (its body is empty by RFC 9112; httplib would read to close).
bool refuse_beyond_limits(const httplib::Request& req, httplib::Response& res);

using plain_handler = std::function<void(const httplib::Request&, httplib::Response&)>;

/// Registers POST `pattern` on `srv` with a body read by a bounded reader (Content-Length or
/// chunked): beyond the limit 413 and the connection closed; within it `h` runs with req.body
/// filled. Every POST route must be registered this way: httplib reads the body of any other
/// POST unbounded.
void post_bounded(httplib::Server& srv, const std::string& pattern, plain_handler h);

/// Writes the problem `status`/`code`/`detail` and marks the connection to be closed after the
/// answer (see close_if_refused).
void refuse(httplib::Response& res, int status, const std::string& code, const std::string& detail);

/// For the logger (which runs after the answer is written): when this thread's request was
/// refused, shuts the client's socket down so httplib stops reading from it.
void close_if_refused(const httplib::Request& req);

/// Reads a decimal integer (an optional '-' and 1-19 digits) that fits int64_t into `out`;
/// false for anything else (overflow included), so a cursor beyond range is a 400, not a 500.
bool parse_decimal(const std::string& text, int64_t& out);

/// True for a course id as a list cursor: 1-64 characters of [0-9A-Za-z-].
bool is_cursor_id(const std::string& text);

/// The whole value of header `name`: httplib's get_header_value stops at a NUL byte, so
/// "key\0tail" would read as "key".
std::string whole_header_value(const httplib::Request& req, const std::string& name);

} // namespace cf
