// Request limits checked before a body is read, the bounded body reader, and closing the
// connection of a refused request.
#include "http/limits.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <mutex>

#include "http/problem.hpp"
#include "util/metrics.hpp"

namespace cf {

namespace {

std::mutex limits_mx;
request_limits limits_now;

// Set by refuse() (and for a body without length) and taken by close_if_refused(): one thread
// handles a request from routing to logging.
thread_local bool close_after = false;

std::string lower_trimmed(std::string v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  v.erase(0, i);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

bool all_digits(const std::string& v) {
  if (v.empty() || v.size() > 19)
    return false;
  for (unsigned char c : v)
    if (!std::isdigit(c))
      return false;
  return true;
}

// The port and numeric address of a socket address; port -1 for other families.
int port_of(const sockaddr_storage& a, std::string& addr) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    addr = text;
    return ntohs(in.sin_port);
  }
  if (a.ss_family == AF_INET6) {
    const auto& in = reinterpret_cast<const sockaddr_in6&>(a);
    ::inet_ntop(AF_INET6, &in.sin6_addr, text, sizeof text);
    addr = text;
    return ntohs(in.sin6_port);
  }
  return -1;
}

// The descriptor of the connection `req` came on: the socket whose local and peer ports are the
// request's (httplib does not hand the descriptor to handlers). -1 when none is found.
int socket_of(const httplib::Request& req) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator{"/proc/self/fd", ec}) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    sockaddr_storage local{}, peer{};
    socklen_t n = sizeof local, m = sizeof peer;
    std::string local_addr, peer_addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &n) != 0
        || port_of(local, local_addr) != req.local_port)
      continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &m) != 0
        || port_of(peer, peer_addr) != req.remote_port || peer_addr != req.remote_addr)
      continue;
    return fd;
  }
  return -1;
}

bool takes_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

} // namespace

void set_request_limits(const request_limits& l) {
  std::lock_guard<std::mutex> lock{limits_mx};
  limits_now = l;
}

request_limits current_request_limits() {
  std::lock_guard<std::mutex> lock{limits_mx};
  return limits_now;
}

bool parse_decimal(const std::string& text, int64_t& out) {
  auto digits = text.size() - (!text.empty() && text[0] == '-' ? 1 : 0);
  if (digits == 0 || digits > 19)
    return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

bool is_cursor_id(const std::string& text) {
  if (text.empty() || text.size() > 64)
    return false;
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != '-')
      return false;
  return true;
}

std::string whole_header_value(const httplib::Request& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? std::string{} : it->second;
}

void refuse(httplib::Response& res, int status, const std::string& code,
            const std::string& detail) {
  write_problem(res, status, code, detail);
  res.set_header("Connection", "close");
  close_after = true;
}

bool refuse_beyond_limits(const httplib::Request& req, httplib::Response& res) {
  close_after = false;
  auto l = current_request_limits();
  size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  auto& rejected = metrics::global().http_rejected;
  if (req.headers.size() > l.max_header_count || header_bytes > l.max_header_bytes) {
    rejected.add("header_fields_too_large");
    refuse(res, 431, "header_fields_too_large",
           "at most " + std::to_string(l.max_header_count) + " header fields of "
               + std::to_string(l.max_header_bytes) + " bytes together");
    return true;
  }
  auto encoding = lower_trimmed(whole_header_value(req, "Content-Encoding"));
  if (req.has_header("Content-Encoding") && encoding != "identity") {
    rejected.add("content_encoding");
    refuse(res, 415, "unsupported_content_encoding",
           "request bodies are taken without Content-Encoding (identity only)");
    return true;
  }
  auto has_length = req.has_header("Content-Length");
  auto length = whole_header_value(req, "Content-Length");
  if (req.has_header("Transfer-Encoding")) {
    if (lower_trimmed(whole_header_value(req, "Transfer-Encoding")) != "chunked"
        || req.get_header_value_count("Transfer-Encoding") != 1) {
      refuse(res, 501, "unsupported_transfer_encoding", "only Transfer-Encoding: chunked is taken");
      return true;
    }
    if (has_length) {
      refuse(res, 400, "conflicting_framing",
             "a request has Content-Length or Transfer-Encoding, not both");
      return true;
    }
    if (req.method != "POST") { // httplib would read it unbounded: only post_bounded bounds it
      refuse(res, 411, "length_required", "a chunked body is taken on POST only");
      return true;
    }
    return false; // read by post_bounded's reader, bounded
  }
  if (has_length) {
    if (!all_digits(length) || req.get_header_value_count("Content-Length") != 1) {
      refuse(res, 400, "invalid_content_length", "Content-Length must be one decimal number");
      return true;
    }
    if (std::stoull(length) > l.max_body_bytes) {
      rejected.add("body_too_large");
      refuse(res, 413, "payload_too_large",
             "the request body is larger than " + std::to_string(l.max_body_bytes) + " bytes");
      return true;
    }
    return false;
  }
  // No length and no chunks: the body is empty (RFC 9112 6.3), and the connection is closed after
  // the answer, so that what a client meant as the body is not parsed as further requests. The
  // request object is httplib's own mutable one, handed to this handler as const.
  if (takes_body(req.method)) {
    const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    res.set_header("Connection", "close");
    close_after = true;
  }
  return false;
}

void post_bounded(httplib::Server& srv, const std::string& pattern, plain_handler h) {
  srv.Post(pattern, [h = std::move(h)](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& read) {
    auto max = current_request_limits().max_body_bytes;
    std::string body;
    bool over = false;
    bool ok = read([&](const char* data, size_t n) {
      if (body.size() + n > max) {
        over = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (over) {
      metrics::global().http_rejected.add("body_too_large");
      return refuse(res, 413, "payload_too_large",
                    "the request body is larger than " + std::to_string(max) + " bytes");
    }
    if (!ok)
      return refuse(res, 400, "unreadable_body", "the request body could not be read");
    // As above: httplib's own request object; the route reads the body from it.
    const_cast<httplib::Request&>(req).body = std::move(body);
    h(req, res);
  });
}

void close_if_refused(const httplib::Request& req) {
  if (!close_after)
    return;
  close_after = false;
  // The answer has been written: shutting both directions makes httplib's next read end (after
  // at most what the socket had buffered) and its next write fail, so it closes the connection.
  auto fd = socket_of(req);
  if (fd >= 0)
    ::shutdown(fd, SHUT_RDWR);
}

} // namespace cf
