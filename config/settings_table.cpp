// The settings table: each setting's section, key, help, parser and printer. Flags, environment
// variables and config file lines are all derived from it (config/settings_table.hpp).
#include "config/settings_table.hpp"

#include <sstream>

#include "util/errc.hpp"

namespace cf::detail {

namespace {

/// A value the option does not take; `why` completes "--flag: " or "file:line: key: ".
caf::error bad_value(std::string why) { return make_error(errc::invalid_argument, std::move(why)); }

caf::error set_int(int64_t& out, const std::string& v, int64_t lo, int64_t hi) {
  try {
    size_t used = 0;
    auto n = std::stoll(v, &used);
    if (used == v.size() && n >= lo && n <= hi) {
      out = n;
      return caf::none;
    }
  } catch (const std::exception&) {
    // reported below (std::stoll throws on no digits and on overflow)
  }
  return bad_value("expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi)
                   + ", got \"" + v + "\"");
}

template <class Int>
option int_option(const char* section, const char* key, const char* help, Int settings::*member,
                  int64_t lo, int64_t hi) {
  return {section, key, help,
          [=](settings& s, const std::string& v) {
            int64_t n = 0;
            auto err = set_int(n, v, lo, hi);
            if (!err)
              s.*member = static_cast<Int>(n);
            return err;
          },
          [=](const settings& s) { return std::to_string(s.*member); }};
}

option double_option(const char* section, const char* key, const char* help,
                     double settings::*member, double lo, double hi) {
  return {section, key, help,
          [=](settings& s, const std::string& v) -> caf::error {
            try {
              size_t used = 0;
              double d = std::stod(v, &used);
              if (used == v.size() && d >= lo && d <= hi) {
                s.*member = d;
                return caf::none;
              }
            } catch (const std::exception&) {
              // reported below
            }
            return bad_value("expected a number from " + std::to_string(lo) + " to "
                             + std::to_string(hi));
          },
          [=](const settings& s) {
            std::ostringstream out;
            out << s.*member;
            return out.str();
          }};
}

option string_option(const char* section, const char* key, const char* help,
                     std::string settings::*member, std::vector<std::string> allowed = {},
                     bool may_be_empty = false) {
  return {section, key, help,
          [=](settings& s, const std::string& v) -> caf::error {
            if (!allowed.empty()) {
              bool ok = false;
              for (const auto& a : allowed) ok = ok || a == v;
              if (!ok)
                return bad_value("\"" + v + "\" is not one of the allowed values");
            } else if (v.empty() && !may_be_empty) {
              return bad_value("must not be empty");
            }
            s.*member = v;
            return caf::none;
          },
          [=](const settings& s) { return s.*member; }};
}

/// A file name (see option::path).
option path_option(const char* section, const char* key, const char* help,
                   std::string settings::*member, bool may_be_empty = false) {
  auto o = string_option(section, key, help, member, {}, may_be_empty);
  o.path = true;
  return o;
}

/// A secret (see option::secret); empty means "not given".
option secret_option(const char* section, const char* key, const char* help,
                     std::string settings::*member) {
  auto o = string_option(section, key, help, member, {}, true);
  o.secret = true;
  return o;
}

} // namespace

std::string option::flag() const {
  auto out = name();
  for (auto& c : out)
    if (c == '.' || c == '_')
      c = '-';
  return out;
}

std::string option::env() const {
  auto out = "COURSEFACTORY_" + name();
  for (auto& c : out)
    c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<option>& options() {
  static const std::vector<option> table{
      string_option("state", "dir",
                    "Folder of everything the service keeps: database, secrets, tokens, site. "
                    "Relative: to the working directory. Relative file names in the config file "
                    "or the environment resolve against it; given as flags, against the working "
                    "directory.",
                    &settings::state_dir),
      string_option("http", "host", "Address to listen on (127.0.0.1: this machine only).",
                    &settings::host),
      int_option("http", "port", "TCP port to listen on; 0 picks a free one.", &settings::port, 0,
                 65535),
      int_option("http", "threads",
                 "Worker threads answering HTTP requests. A keep-alive connection holds one "
                 "while it is open, so this bounds the clients served at once; when all are "
                 "taken, idle keep-alive connections and slow headers are closed for the clients "
                 "that wait. cpp-httplib's default is 8.",
                 &settings::http_threads, 1, 1024),
      int_option(
          "http", "keep_alive_max",
          "Requests per keep-alive connection (cpp-httplib's default of 5 forces reconnects).",
          &settings::http_keep_alive_max, 1, 100000000),
      int_option("http", "backlog",
                 "Listen backlog (cpp-httplib's default of 5 drops connections under load).",
                 &settings::http_backlog, 1, 65535),
      int_option("http", "max_connections_per_client",
                 "Connections one client address may hold open at once (each holds an HTTP "
                 "thread); more are answered 503 and closed. Behind a proxy every client has "
                 "the proxy's address: raise it there. 0: no cap.",
                 &settings::http_max_connections_per_client, 0, 100000),
      int_option("http", "header_timeout_ms",
                 "A request's whole header must arrive within this (from the connection's start "
                 "or the request's first byte); then 408 and the connection is closed. When every "
                 "HTTP thread is taken, headers slower than 1 s and idle keep-alive connections "
                 "are closed at once.",
                 &settings::http_header_timeout_ms, 100, 600000),
      int_option("http", "body_timeout_ms",
                 "A request's whole body must arrive within this after its header.",
                 &settings::http_body_timeout_ms, 100, 3600000),
      path_option("http", "tls_cert",
                  "PEM certificate chain (leaf first) to serve HTTPS with; needs tls_key. "
                  "Empty: plain HTTP.",
                  &settings::tls_cert, true),
      path_option("http", "tls_key", "PEM private key of tls_cert.", &settings::tls_key, true),
      int_option("http", "max_body_bytes", "Largest accepted request body; larger ones get 413.",
                 &settings::http_max_body_bytes, 1024, 64 * 1024 * 1024),
      int_option("http", "request_timeout_ms",
                 "How long an HTTP request waits for the actors before it answers 504.",
                 &settings::http_request_timeout_ms, 10, 600000),
      int_option("http", "max_streams",
                 "Open GET /v1/events/stream connections at most (each holds an HTTP thread); "
                 "more get 503.",
                 &settings::http_max_streams, 0, 1024),
      int_option("http", "stream_heartbeat_ms",
                 "An idle event stream sends a comment line this often, so proxies keep it open.",
                 &settings::http_stream_heartbeat_ms, 10, 3600000),
      double_option("http", "rate_limit_per_s",
                    "Write requests (POST) one client address may make per second on average; "
                    "beyond, 429 with Retry-After. 0: no limit.",
                    &settings::http_rate_limit_per_s, 0.0, 1e9),
      int_option("http", "rate_limit_burst",
                 "How many write requests a client may make at once before the rate applies.",
                 &settings::http_rate_limit_burst, 1, 100000000),
      path_option("storage", "db", "SQLite file of the event log; its folder is created.",
                  &settings::db),
      string_option("storage", "durability",
                    "full: fsync at every commit (nothing committed is lost on power cut); normal: "
                    "fsync at checkpoints (faster; a power cut may lose the last commits).",
                    &settings::durability, {"full", "normal"}),
      string_option("log", "level",
                    "Lowest level of the JSON log lines on stderr: debug (also every HTTP "
                    "request), info, warn or error.",
                    &settings::log_level, {"debug", "info", "warn", "error"}),
      int_option("generation", "timeout_ms", "A generation that takes longer fails as transient.",
                 &settings::generation_timeout_ms, 10, 3600000),
      int_option("generation", "max_in_flight",
                 "Generations running at once; a new course beyond that gets 429 (try again).",
                 &settings::generation_max_in_flight, 1, 100000),
      string_option("generation", "command",
                    "External generator: a program (and arguments, space-separated) that reads the "
                    "request as JSON on stdin and writes the course as JSON on stdout. Empty: the "
                    "built-in generator.",
                    &settings::generation_command, {}, true),
      string_option("generation", "mode",
                    "local: the service runs the generator; redis: workers (coursefactory worker) "
                    "take the jobs from a Redis stream (needs bus.redis_url).",
                    &settings::generation_mode, {"local", "redis"}),
      string_option("generation", "jobs_stream",
                    "redis mode: the stream every committed course.generation.started goes to "
                    "(a job; workers read it with the consumer group generators).",
                    &settings::generation_jobs_stream),
      string_option("generation", "results_stream",
                    "redis mode: the stream workers append their results to (read with the "
                    "consumer group coursefactory).",
                    &settings::generation_results_stream),
      int_option("actors", "scheduler_threads", "CAF worker threads; 0 means one per core.",
                 &settings::scheduler_threads, 0, 256),
      int_option("retry", "initial_delay_ms",
                 "Delay before the first retry of a transient failure (before jitter).",
                 &settings::retry_initial_delay_ms, 1, 3600000),
      double_option("retry", "multiplier", "Each further retry waits this many times longer.",
                    &settings::retry_multiplier, 1.0, 100.0),
      int_option("retry", "max_delay_ms", "Cap on any one retry delay.",
                 &settings::retry_max_delay_ms, 1, 86400000),
      int_option("retry", "max_attempts",
                 "Attempts in all (the first included) before a step rests as failed.",
                 &settings::retry_max_attempts, 1, 100),
      secret_option("payment", "stripe_webhook_secret",
                    "Endpoint secret that signs payment webhooks (Stripe's whsec_...). Empty: "
                    "use stripe_webhook_secret_file.",
                    &settings::stripe_webhook_secret),
      path_option("payment", "stripe_webhook_secret_file",
                  "Used when no secret is given: read from this file, created with a random "
                  "secret (mode 0600) if missing; `coursefactory pay` reads it too. The admin API "
                  "token is written to admin-token in the same folder.",
                  &settings::stripe_webhook_secret_file),
      int_option("payment", "signature_tolerance_s",
                 "Webhooks signed further than this from now are rejected.",
                 &settings::stripe_tolerance_s, 1, 86400),
      int_option("payment", "expiry_s",
                 "A payment not completed this long after it was required fails as expired.",
                 &settings::payment_expiry_s, 1, 365 * 86400),
      string_option("distribution", "channels",
                    "Comma-separated channels to publish to: site, webhook, bus (an outside "
                    "module on the bus; needs bus.redis_url).",
                    &settings::distribution_channels),
      string_option("distribution", "webhook_urls",
                    "Comma-separated http:// URLs the webhook channel POSTs published courses to.",
                    &settings::distribution_webhook_urls, {}, true),
      secret_option("distribution", "webhook_secret",
                    "Secret that signs outgoing webhooks (Coursefactory-Signature header). Empty: "
                    "the payment webhook secret.",
                    &settings::distribution_webhook_secret),
      int_option("distribution", "timeout_ms",
                 "Per webhook delivery as a whole (connect, send, the complete answer); a slower "
                 "receiver counts as a transient failure.",
                 &settings::distribution_timeout_ms, 10, 600000),
      int_option("distribution", "bus_timeout_s",
                 "Channel bus: an order without an answer this long fails the channel "
                 "(transient: retried with a new order).",
                 &settings::distribution_bus_timeout_s, 1, 604800),
      path_option("site", "dir",
                  "Folder the site channel writes published courses to; served at /courses/.",
                  &settings::site_dir),
      string_option("site", "base_url",
                    "Public URL of that folder. Empty: http://<host>:<port>/courses.",
                    &settings::site_base_url, {}, true),
      int_option("idempotency", "retention_s",
                 "How long Idempotency-Key values of POST /v1/courses are remembered.",
                 &settings::idempotency_retention_s, 1, 365 * 86400),
      string_option("bus", "redis_url",
                    "redis://HOST[:PORT][/DB] of the shared bus. Empty: no bus; every committed "
                    "event is relayed to bus.stream when set.",
                    &settings::bus_redis_url, {}, true),
      string_option("bus", "stream", "The Redis stream committed events go to.",
                    &settings::bus_stream),
      string_option("bus", "envelope",
                    "Format of relayed entries: cloudevents (fields id, type, subject, seq, time, "
                    "data) or platform (one field event with the platform's envelope).",
                    &settings::bus_envelope, {"cloudevents", "platform"}),
      string_option("bus", "inbound_stream",
                    "The Redis stream other modules publish payment results to (consumer group "
                    "coursefactory); unusable entries go to <stream>:dead.",
                    &settings::bus_inbound_stream),
      int_option("bus", "claim_idle_ms",
                 "An inbound entry pending this long with a consumer that went away is taken "
                 "over (XAUTOCLAIM).",
                 &settings::bus_claim_idle_ms, 1000, 86400000),
      int_option("bus", "maxlen",
                 "Trim the stream to about this many entries (MAXLEN ~); 0: never.",
                 &settings::bus_maxlen, 0, 1000000000000),
  };
  return table;
}

const option* find_by_key(const std::string& key) {
  for (const auto& o : options())
    if (key == o.name())
      return &o;
  return nullptr;
}

} // namespace cf::detail
