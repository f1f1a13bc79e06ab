// The settings table and its three readers: defaults, config file and command line.
#include "config/settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "util/errc.hpp"

namespace cf {

namespace {

struct option {
  const char* section;
  const char* key;
  const char* flag; // without the leading "--"
  const char* help;
  std::function<caf::error(settings&, const std::string&)> set; // invalid_argument: why
  std::function<std::string(const settings&)> get;
};

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
option int_option(const char* section, const char* key, const char* flag, const char* help,
                  Int settings::*member, int64_t lo, int64_t hi) {
  return {section,
          key,
          flag,
          help,
          [=](settings& s, const std::string& v) {
            int64_t n = 0;
            auto err = set_int(n, v, lo, hi);
            if (!err)
              s.*member = static_cast<Int>(n);
            return err;
          },
          [=](const settings& s) { return std::to_string(s.*member); }};
}

option double_option(const char* section, const char* key, const char* flag, const char* help,
                     double settings::*member, double lo, double hi) {
  return {section,
          key,
          flag,
          help,
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

option string_option(const char* section, const char* key, const char* flag, const char* help,
                     std::string settings::*member, std::vector<std::string> allowed = {},
                     bool may_be_empty = false) {
  return {section,
          key,
          flag,
          help,
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

const std::vector<option>& options() {
  static const std::vector<option> table{
      string_option("http", "host", "host", "Address to listen on (127.0.0.1: this machine only).",
                    &settings::host),
      int_option("http", "port", "port", "TCP port to listen on; 0 picks a free one.",
                 &settings::port, 0, 65535),
      int_option("http", "threads", "http-threads",
                 "Worker threads answering HTTP requests. A keep-alive connection holds one "
                 "while it is open, so this bounds the clients served at once; when all are "
                 "taken, idle keep-alive connections and slow headers are closed for the clients "
                 "that wait. cpp-httplib's default is 8.",
                 &settings::http_threads, 1, 1024),
      int_option(
          "http", "keep_alive_max", "http-keep-alive-max",
          "Requests per keep-alive connection (cpp-httplib's default of 5 forces reconnects).",
          &settings::http_keep_alive_max, 1, 100000000),
      int_option("http", "backlog", "http-backlog",
                 "Listen backlog (cpp-httplib's default of 5 drops connections under load).",
                 &settings::http_backlog, 1, 65535),
      int_option("http", "max_connections_per_client", "http-max-connections-per-client",
                 "Connections one client address may hold open at once (each holds an HTTP "
                 "thread); more are answered 503 and closed. Behind a proxy every client has "
                 "the proxy's address: raise it there. 0: no cap.",
                 &settings::http_max_connections_per_client, 0, 100000),
      int_option("http", "header_timeout_ms", "http-header-timeout-ms",
                 "A request's whole header must arrive within this (from the connection's start "
                 "or the request's first byte); then 408 and the connection is closed. When every "
                 "HTTP thread is taken, headers slower than 1 s and idle keep-alive connections "
                 "are closed at once.",
                 &settings::http_header_timeout_ms, 100, 600000),
      int_option("http", "body_timeout_ms", "http-body-timeout-ms",
                 "A request's whole body must arrive within this after its header.",
                 &settings::http_body_timeout_ms, 100, 3600000),
      string_option("http", "tls_cert", "tls-cert",
                    "PEM certificate chain (leaf first) to serve HTTPS with; needs tls_key. "
                    "Empty: plain HTTP.",
                    &settings::tls_cert, {}, true),
      string_option("http", "tls_key", "tls-key", "PEM private key of tls_cert.",
                    &settings::tls_key, {}, true),
      int_option("http", "max_body_bytes", "http-max-body-bytes",
                 "Largest accepted request body; larger ones get 413.",
                 &settings::http_max_body_bytes, 1024, 64 * 1024 * 1024),
      int_option("http", "request_timeout_ms", "http-request-timeout-ms",
                 "How long an HTTP request waits for the actors before it answers 504.",
                 &settings::http_request_timeout_ms, 10, 600000),
      int_option("http", "max_streams", "http-max-streams",
                 "Open GET /v1/events/stream connections at most (each holds an HTTP thread); "
                 "more get 503.",
                 &settings::http_max_streams, 0, 1024),
      int_option("http", "stream_heartbeat_ms", "http-stream-heartbeat-ms",
                 "An idle event stream sends a comment line this often, so proxies keep it open.",
                 &settings::http_stream_heartbeat_ms, 10, 3600000),
      double_option("http", "rate_limit_per_s", "http-rate-limit-per-s",
                    "Write requests (POST) one client address may make per second on average; "
                    "beyond, 429 with Retry-After. 0: no limit.",
                    &settings::http_rate_limit_per_s, 0.0, 1e9),
      int_option("http", "rate_limit_burst", "http-rate-limit-burst",
                 "How many write requests a client may make at once before the rate applies.",
                 &settings::http_rate_limit_burst, 1, 100000000),
      string_option("storage", "db", "db", "SQLite file of the event log; its folder is created.",
                    &settings::db),
      string_option("storage", "durability", "durability",
                    "full: fsync at every commit (nothing committed is lost on power cut); normal: "
                    "fsync at checkpoints (faster; a power cut may lose the last commits).",
                    &settings::durability, {"full", "normal"}),
      string_option("log", "level", "log-level",
                    "Lowest level of the JSON log lines on stderr: debug (also every HTTP "
                    "request), info, warn or error.",
                    &settings::log_level, {"debug", "info", "warn", "error"}),
      int_option("generation", "timeout_ms", "generation-timeout-ms",
                 "A generation that takes longer fails as transient.",
                 &settings::generation_timeout_ms, 10, 3600000),
      int_option("generation", "max_in_flight", "generation-max-in-flight",
                 "Generations running at once; a new course beyond that gets 429 (try again).",
                 &settings::generation_max_in_flight, 1, 100000),
      string_option("generation", "command", "generation-command",
                    "External generator: a program (and arguments, space-separated) that reads the "
                    "request as JSON on stdin and writes the course as JSON on stdout. Empty: the "
                    "built-in generator.",
                    &settings::generation_command, {}, true),
      string_option("generation", "mode", "generation-mode",
                    "local: the service runs the generator; redis: workers (coursefactory worker) "
                    "take the jobs from a Redis stream (needs bus.redis_url).",
                    &settings::generation_mode, {"local", "redis"}),
      string_option("generation", "jobs_stream", "generation-jobs-stream",
                    "redis mode: the stream every committed course.generation.started goes to "
                    "(a job; workers read it with the consumer group generators).",
                    &settings::generation_jobs_stream),
      string_option("generation", "results_stream", "generation-results-stream",
                    "redis mode: the stream workers append their results to (read with the "
                    "consumer group coursefactory).",
                    &settings::generation_results_stream),
      int_option("actors", "scheduler_threads", "scheduler-threads",
                 "CAF worker threads; 0 means one per core.", &settings::scheduler_threads, 0, 256),
      int_option("retry", "initial_delay_ms", "retry-initial-delay-ms",
                 "Delay before the first retry of a transient failure (before jitter).",
                 &settings::retry_initial_delay_ms, 1, 3600000),
      double_option("retry", "multiplier", "retry-multiplier",
                    "Each further retry waits this many times longer.", &settings::retry_multiplier,
                    1.0, 100.0),
      int_option("retry", "max_delay_ms", "retry-max-delay-ms", "Cap on any one retry delay.",
                 &settings::retry_max_delay_ms, 1, 86400000),
      int_option("retry", "max_attempts", "retry-max-attempts",
                 "Attempts in all (the first included) before a step rests as failed.",
                 &settings::retry_max_attempts, 1, 100),
      string_option("payment", "stripe_webhook_secret", "stripe-webhook-secret",
                    "Endpoint secret that signs payment webhooks (Stripe's whsec_...). Also "
                    "COURSEFACTORY_STRIPE_WEBHOOK_SECRET. Empty: use secret_file.",
                    &settings::stripe_webhook_secret, {}, true),
      string_option("payment", "stripe_webhook_secret_file", "stripe-webhook-secret-file",
                    "Used when no secret is given: read from this file, created with a random "
                    "secret (mode 0600) if missing; `coursefactory pay` reads it too.",
                    &settings::stripe_webhook_secret_file),
      int_option("payment", "signature_tolerance_s", "stripe-tolerance-s",
                 "Webhooks signed further than this from now are rejected.",
                 &settings::stripe_tolerance_s, 1, 86400),
      int_option("payment", "expiry_s", "payment-expiry-s",
                 "A payment not completed this long after it was required fails as expired.",
                 &settings::payment_expiry_s, 1, 365 * 86400),
      string_option("distribution", "channels", "distribution-channels",
                    "Comma-separated channels to publish to: site, webhook, bus (an outside "
                    "module on the bus; needs bus.redis_url).",
                    &settings::distribution_channels),
      string_option("distribution", "webhook_urls", "distribution-webhook-urls",
                    "Comma-separated http:// URLs the webhook channel POSTs published courses to.",
                    &settings::distribution_webhook_urls, {}, true),
      string_option("distribution", "webhook_secret", "distribution-webhook-secret",
                    "Secret that signs outgoing webhooks (Coursefactory-Signature header). Empty: "
                    "the payment webhook secret.",
                    &settings::distribution_webhook_secret, {}, true),
      int_option("distribution", "timeout_ms", "distribution-timeout-ms",
                 "Per webhook delivery as a whole (connect, send, the complete answer); a slower "
                 "receiver counts as a transient failure.",
                 &settings::distribution_timeout_ms, 10, 600000),
      int_option("distribution", "bus_timeout_s", "distribution-bus-timeout-s",
                 "Channel bus: an order without an answer this long fails the channel "
                 "(transient: retried with a new order).",
                 &settings::distribution_bus_timeout_s, 1, 604800),
      string_option("site", "dir", "site-dir",
                    "Folder the site channel writes published courses to; served at /courses/.",
                    &settings::site_dir),
      string_option("site", "base_url", "site-base-url",
                    "Public URL of that folder. Empty: http://<host>:<port>/courses.",
                    &settings::site_base_url, {}, true),
      int_option("idempotency", "retention_s", "idempotency-retention-s",
                 "How long Idempotency-Key values of POST /v1/courses are remembered.",
                 &settings::idempotency_retention_s, 1, 365 * 86400),
      string_option("bus", "redis_url", "redis-url",
                    "redis://HOST[:PORT][/DB] of the shared bus. Empty: no bus; every committed "
                    "event is relayed to bus.stream when set.",
                    &settings::bus_redis_url, {}, true),
      string_option("bus", "stream", "bus-stream", "The Redis stream committed events go to.",
                    &settings::bus_stream),
      string_option("bus", "envelope", "bus-envelope",
                    "Format of relayed entries: cloudevents (fields id, type, subject, seq, time, "
                    "data) or platform (one field event with the platform's envelope).",
                    &settings::bus_envelope, {"cloudevents", "platform"}),
      string_option("bus", "inbound_stream", "bus-inbound-stream",
                    "The Redis stream other modules publish payment results to (consumer group "
                    "coursefactory); unusable entries go to <stream>:dead.",
                    &settings::bus_inbound_stream),
      int_option("bus", "claim_idle_ms", "bus-claim-idle-ms",
                 "An inbound entry pending this long with a consumer that went away is taken "
                 "over (XAUTOCLAIM).",
                 &settings::bus_claim_idle_ms, 1000, 86400000),
      int_option("bus", "maxlen", "bus-maxlen",
                 "Trim the stream to about this many entries (MAXLEN ~); 0: never.",
                 &settings::bus_maxlen, 0, 1000000000000),
  };
  return table;
}

const option* find_by_flag(const std::string& flag) {
  for (const auto& o : options())
    if (flag == o.flag)
      return &o;
  return nullptr;
}

const option* find_by_key(const std::string& key) {
  for (const auto& o : options())
    if (key == std::string{o.section} + "." + o.key)
      return &o;
  return nullptr;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

/// True when `value` holds what INI readers that allow inline comments (Python's configparser
/// with inline_comment_prefixes, for one) would cut off as one: "#" or ";" at its start
/// or after a blank. We reject rather than strip, so no reader sees a different value than we do.
bool has_inline_comment(const std::string& value) {
  for (size_t i = 0; i < value.size(); ++i)
    if ((value[i] == '#' || value[i] == ';')
        && (i == 0 || value[i - 1] == ' ' || value[i - 1] == '\t'))
      return true;
  return false;
}

} // namespace

caf::expected<settings> load_config_file(const std::string& path, settings base) {
  std::ifstream in{path};
  if (!in) {
    std::error_code ec;
    return make_error(
        std::filesystem::exists(path, ec) ? errc::storage_unavailable : errc::not_found,
        "cannot read config file " + path);
  }
  auto bad = [&](int n, const std::string& why) {
    return make_error(errc::invalid_argument, path + ":" + std::to_string(n) + ": " + why);
  };
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return bad(n, "unterminated section header");
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return bad(n, "expected key = value");
    auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    auto full = section.empty() ? key : section + "." + key;
    const auto* o = find_by_key(full);
    if (o == nullptr)
      return bad(n, "unknown key " + full);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    else if (has_inline_comment(value))
      return bad(n, full + ": a comment after the value (comments go on their own lines; quote a "
                           "value holding \" #\" or \" ;\")");
    if (auto err = o->set(base, value))
      return bad(n, full + ": " + error_context(err));
  }
  return base;
}

caf::expected<command_line> parse_command_line(const std::vector<std::string>& args) {
  auto bad = [](std::string why) { return make_error(errc::invalid_argument, std::move(why)); };
  command_line out;
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0)
      return bad("unexpected argument " + a);
    auto eq = a.find('=');
    auto name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value;
    if (eq != std::string::npos)
      value = a.substr(eq + 1);
    else if (i + 1 < args.size())
      value = args[++i];
    else
      return bad("--" + name + " needs a value");
    flags.emplace_back(name, value);
  }
  for (const auto& [name, value] : flags) {
    if (name != "config")
      continue;
    auto loaded = load_config_file(value, std::move(out.s));
    if (!loaded)
      return loaded.error();
    out.s = std::move(*loaded);
  }
  if (const char* secret = std::getenv("COURSEFACTORY_STRIPE_WEBHOOK_SECRET"); secret && *secret)
    out.s.stripe_webhook_secret = secret;
  if (const char* url = std::getenv("COURSEFACTORY_BUS_REDIS_URL"); url && *url)
    out.s.bus_redis_url = url;
  for (const auto& [name, value] : flags) {
    if (name == "config")
      continue;
    const auto* o = find_by_flag(name);
    if (o == nullptr)
      return bad("unknown option --" + name + " (see --help)");
    if (auto err = o->set(out.s, value))
      return bad("--" + name + ": " + error_context(err));
  }
  if (auto err = check(out.s))
    return err;
  return out;
}

std::string serve_help() {
  settings defaults;
  std::ostringstream out;
  out << "usage: coursefactory serve [options]\n\n"
         "Starts the service. Settings come from the embedded defaults, then --config FILE,\n"
         "then the flags below.\n\n"
         "  --config FILE  read settings from FILE (see config/coursefactory.ini)\n"
         "  --help         show this text\n";
  for (const auto& o : options()) {
    std::string flag = std::string{"--"} + o.flag + " V";
    out << "  " << flag << std::string(flag.size() < 30 ? 30 - flag.size() : 1, ' ') << o.help
        << " [" << o.section << "." << o.key << ", default: " << o.get(defaults) << "]\n";
  }
  return out.str();
}

std::string default_config_file() {
  settings defaults;
  std::ostringstream out;
  out << "# coursefactory settings: every key with its embedded default.\n"
         "# Use with `coursefactory serve --config config/coursefactory.ini`; flags override it.\n"
         "# Generated by `coursefactory config`; tests/unit/config/config_test.cpp keeps it in "
         "step.\n"
         "# Comments stand on their own lines, starting with # or ;. `key = value # note` is\n"
         "# rejected: INI readers disagree on whether the note belongs to the value. Put a value\n"
         "# that holds \" #\" or \" ;\" in double quotes.\n";
  // Each section once (strict INI readers reject a repeated one), in the order the table first
  // names it; within it, the table's order.
  std::vector<std::string> sections;
  for (const auto& o : options())
    if (std::find(sections.begin(), sections.end(), o.section) == sections.end())
      sections.emplace_back(o.section);
  for (const auto& section : sections) {
    out << "\n[" << section << "]\n";
    for (const auto& o : options()) {
      if (section != o.section)
        continue;
      auto value = o.get(defaults);
      // No blank after "=" when the value is empty: editors that strip trailing blanks would
      // otherwise put the file out of step with this function.
      out << "# " << o.help << " (flag --" << o.flag << ")\n"
          << o.key << " =" << (value.empty() ? "" : " ") << value << "\n";
    }
  }
  return out.str();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in{text};
  while (std::getline(in, item, ','))
    if (auto t = trim(item); !t.empty())
      out.push_back(t);
  return out;
}

caf::error check(const settings& s) {
  auto bad = [](std::string why) { return make_error(errc::invalid_argument, std::move(why)); };
  if (s.host.empty())
    return bad("http.host must not be empty");
  if (s.tls_cert.empty() != s.tls_key.empty())
    return bad("http.tls_cert and http.tls_key go together: give both or neither");
  auto channels = split_list(s.distribution_channels);
  if (channels.empty())
    return bad("distribution.channels must name at least one channel");
  for (const auto& c : channels) {
    if (c != "site" && c != "webhook" && c != "bus")
      return bad("distribution.channels: unknown channel " + c + " (known: site, webhook, bus)");
    if (c == "bus" && s.bus_redis_url.empty())
      return bad("distribution.channels has bus, but bus.redis_url is empty");
    if (c == "webhook" && split_list(s.distribution_webhook_urls).empty())
      return bad("distribution.channels has webhook, but distribution.webhook_urls is empty");
  }
  if (s.generation_mode == "redis" && s.bus_redis_url.empty())
    return bad("generation.mode is redis, but bus.redis_url is empty");
  if (!s.bus_redis_url.empty() && s.bus_redis_url.rfind("redis://", 0) != 0)
    return bad("bus.redis_url must start with redis://");
  return caf::none;
}

} // namespace cf
