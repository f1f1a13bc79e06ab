// hiredis behind redis_connection: replies become redis_value, failures become caf::error.
#include "bus/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <cstdlib>

#include "util/errc.hpp"

namespace cf {

namespace {

redis_value copy_reply(const redisReply& r) {
  redis_value v;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      v.type = redis_value::kind::integer;
      v.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
      v.type = redis_value::kind::string;
      v.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = redis_value::kind::status;
      v.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = redis_value::kind::error;
      v.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      v.type = redis_value::kind::array;
      v.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) v.elements.push_back(copy_reply(*r.element[i]));
      break;
    default: // REDIS_REPLY_NIL
      break;
  }
  return v;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

} // namespace

caf::expected<redis_address> parse_redis_url(const std::string& url) {
  const std::string scheme = "redis://";
  auto bad = [&](const std::string& why) {
    return make_error(errc::invalid_argument, "redis URL " + url + ": " + why);
  };
  if (url.compare(0, scheme.size(), scheme) != 0)
    return bad("expected redis://HOST[:PORT][/DB]");
  auto rest = url.substr(scheme.size());
  redis_address a;
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    auto db = rest.substr(slash + 1);
    if (db.empty() || db.size() > 2 || db.find_first_not_of("0123456789") != std::string::npos)
      return bad("the database must be a number from 0 to 99");
    a.db = std::atoi(db.c_str());
    rest.resize(slash);
  }
  if (rest.find('@') != std::string::npos)
    return bad("credentials are not supported");
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    auto port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos
        || std::atoi(port.c_str()) < 1 || std::atoi(port.c_str()) > 65535)
      return bad("the port must be a number from 1 to 65535");
    a.port = std::atoi(port.c_str());
    rest.resize(colon);
  }
  if (rest.empty())
    return bad("no host");
  a.host = rest;
  return a;
}

struct redis_connection::impl {
  redisContext* ctx = nullptr;
  ~impl() {
    if (ctx)
      redisFree(ctx);
  }
};

redis_connection::redis_connection(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

redis_connection::~redis_connection() = default;

caf::expected<std::unique_ptr<redis_connection>> redis_connection::connect(
    const redis_address& addr, std::chrono::milliseconds timeout) {
  auto p = std::make_unique<impl>();
  p->ctx = redisConnectWithTimeout(addr.host.c_str(), addr.port, to_timeval(timeout));
  auto where = addr.host + ":" + std::to_string(addr.port);
  if (!p->ctx)
    return make_error(errc::storage_unavailable, "redis " + where + ": cannot allocate");
  if (p->ctx->err)
    return make_error(errc::storage_unavailable, "redis " + where + ": " + p->ctx->errstr);
  if (redisSetTimeout(p->ctx, to_timeval(timeout)) != REDIS_OK)
    return make_error(errc::storage_unavailable, "redis " + where + ": cannot set a timeout");
  std::unique_ptr<redis_connection> c{new redis_connection{std::move(p)}};
  if (addr.db != 0) {
    auto r = c->command({"SELECT", std::to_string(addr.db)});
    if (!r)
      return r.error();
  }
  return c;
}

caf::expected<redis_value> redis_connection::command(const std::vector<std::string>& args) {
  auto r = pipeline({redis_args(args.begin(), args.end())});
  if (!r)
    return r.error();
  auto v = std::move(r->front());
  if (v.type == redis_value::kind::error)
    return make_error(errc::invalid_argument,
                      "redis " + (args.empty() ? "" : args[0]) + ": " + v.str);
  return v;
}

caf::expected<std::vector<redis_value>> redis_connection::pipeline(
    const std::vector<redis_args>& commands) {
  if (broken_)
    return make_error(errc::storage_unavailable, "redis: the connection broke earlier");
  auto broke = [this] { // hiredis: the connection is broken (I/O error, EOF, timeout), for good
    broken_ = true;
    return make_error(errc::storage_unavailable, std::string{"redis: "} + impl_->ctx->errstr);
  };
  // The whole pipeline in RESP, written here in one buffer: hiredis would format each command
  // into a string of its own before copying it into its output buffer.
  size_t size = 0;
  for (const auto& args : commands) {
    size += 16;
    for (auto a : args) size += a.size() + 24;
  }
  std::string resp;
  resp.reserve(size);
  auto add_header = [&resp](char kind, size_t n) {
    resp += kind;
    resp += std::to_string(n);
    resp += "\r\n";
  };
  for (const auto& args : commands) {
    add_header('*', args.size());
    for (auto a : args) {
      add_header('$', a.size());
      resp.append(a.data(), a.size());
      resp += "\r\n";
    }
  }
  if (redisAppendFormattedCommand(impl_->ctx, resp.data(), resp.size()) != REDIS_OK)
    return broke();
  std::vector<redis_value> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(impl_->ctx, &r) != REDIS_OK || !r)
      return broke();
    replies.push_back(copy_reply(*static_cast<redisReply*>(r)));
    freeReplyObject(r);
  }
  return replies;
}

} // namespace cf
