// Service settings: embedded defaults, overridden by a config file, overridden by the environment,
// overridden by command-line flags. One table (config/settings_table.cpp) drives all of them, the
// documented default file config/coursefactory.ini (`coursefactory config` prints it) and the
// README's table (`coursefactory config --markdown`); tests keep both in step.
//
// Names: the key "section.key" is the flag --section-key (underscores become dashes) and the
// environment variable COURSEFACTORY_SECTION_KEY; a secret may also come from the file named by
// COURSEFACTORY_SECTION_KEY_FILE. File names resolve against state.dir (see parse_command_line).
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cf {

struct settings {
  std::string state_dir = "./var";
  std::string host = "127.0.0.1";
  int32_t port = 8080;
  std::string db = "coursefactory.db"; ///< Relative: in state_dir (see parse_command_line).
  std::string durability = "full";
  std::string log_level = "info";
  int32_t http_threads = 128;
  int32_t http_keep_alive_max = 100000;
  int32_t http_backlog = 1024;
  int32_t http_max_connections_per_client = 96;
  int32_t http_header_timeout_ms = 10000;
  int32_t http_body_timeout_ms = 30000;
  std::string tls_cert; ///< Empty: plain HTTP.
  std::string tls_key;
  int64_t http_max_body_bytes = 64 * 1024;
  int32_t http_request_timeout_ms = 5000;
  int32_t http_max_streams = 8;
  int32_t http_stream_heartbeat_ms = 15000;
  double http_rate_limit_per_s = 1000;
  int32_t http_rate_limit_burst = 2000;
  int32_t generation_max_in_flight = 256;
  int32_t generation_timeout_ms = 30000;
  int32_t scheduler_threads = 0;
  int32_t retry_initial_delay_ms = 500;
  double retry_multiplier = 2.0;
  int32_t retry_max_delay_ms = 30000;
  int32_t retry_max_attempts = 5;
  std::string generation_command;        ///< Empty: the built-in generator.
  std::string generation_mode = "local"; ///< local | redis (workers on the bus).
  std::string generation_jobs_stream = "coursefactory:generation:jobs";
  std::string generation_results_stream = "coursefactory:generation:results";
  std::string stripe_webhook_secret;
  std::string stripe_webhook_secret_file = "stripe-webhook-secret";
  int32_t stripe_tolerance_s = 300;
  int32_t payment_expiry_s = 86400;
  std::string distribution_channels = "site";
  std::string distribution_webhook_urls;
  std::string distribution_webhook_secret;
  int32_t distribution_timeout_ms = 10000;
  int32_t distribution_bus_timeout_s = 300;
  std::string site_dir = "site";
  std::string site_base_url; ///< Empty: http://<host>:<port>/courses.
  int32_t idempotency_retention_s = 86400;
  std::string bus_redis_url; ///< Empty: no bus.
  std::string bus_stream = "coursefactory:events";
  std::string bus_envelope = "cloudevents";
  int64_t bus_maxlen = 0;
  std::string bus_inbound_stream = "coursefactory:inbound";
  int32_t bus_claim_idle_ms = 30000;
};

/// What the command line asked for: the settings it makes, and whether --help was given.
struct command_line {
  settings s;
  bool help = false;
  std::vector<std::string> words;                          ///< Arguments that are not flags.
  std::vector<std::pair<std::string, std::string>> extras; ///< The caller's own flags, in order.
  std::vector<std::string> warnings; ///< Deprecated names, unknown COURSEFACTORY_* variables.
};

/// What a command takes besides the settings' flags.
struct command_syntax {
  size_t max_words = 0;            ///< Arguments that are not flags.
  std::vector<std::string> extras; ///< The command's own flags ("name" for --name), with a value.
};

/// Reads `--flag value` / `--flag=value` pairs after the command name, on top of the embedded
/// defaults: `--config FILE` first, wherever it stands, then the environment (`env`; by default
/// the process's), then the other flags. So: flag > environment > file > default. Old flag names
/// (deprecated_flags()) still work and add a warning; so do COURSEFACTORY_* variables that name no
/// setting. Last, relative file names (storage.db, payment.stripe_webhook_secret_file, site.dir,
/// http.tls_cert, http.tls_key) from the file, the environment or the defaults resolve against
/// state.dir; those given as flags are made absolute against the working directory; and check().
/// --help does not stop the reading: bad flags are reported with it too. Errors (context: the
/// sentence to show): invalid_argument for a bad flag, value, variable or combination;
/// not_found / storage_unavailable for a config file or a *_FILE that cannot be read.
[[nodiscard]] caf::expected<command_line> parse_command_line(
    const std::vector<std::string>& args, const command_syntax& syntax = {},
    const std::vector<std::string>* env = nullptr);

/// The old flag names still accepted, each with the key it sets: {"port", "http.port"}, ...
const std::vector<std::pair<std::string, std::string>>& deprecated_flags();

/// The "name=value" entries of the process environment.
std::vector<std::string> process_environment();

/// Applies a config file ("key = value" lines, "# comments" on their own lines, "[section]"
/// headers prefixing keys as "section.key") to `base` and returns the result. A "#" or ";" at the
/// start of a value or after a blank in it is an error (an inline comment), unless the value is
/// in double quotes. Errors (context: a sentence naming the
/// file, and the line when one is at fault): invalid_argument for bad content; not_found when the
/// file does not exist, storage_unavailable when it cannot be read.
[[nodiscard]] caf::expected<settings> load_config_file(const std::string& path, settings base = {});

/// The --help text for `coursefactory serve`.
std::string serve_help();

/// The documented default config file (the content of config/coursefactory.ini).
std::string default_config_file();

/// The settings as a Markdown table (key, flag, environment variable, default, meaning): the
/// README's "Settings" table, between the lines `<!-- settings:begin -->` and `<!-- settings:end
/// -->`.
std::string settings_markdown();

/// Every setting's key ("http.port", ...), in the table's order.
std::vector<std::string> setting_keys();

/// The value of `key` in `s` as the config file would write it; "" for an unknown key.
std::string setting_value(const settings& s, const std::string& key);

/// Checks what single keys cannot (channels known, webhook URLs given when the webhook channel
/// is on). Errors: invalid_argument, the context naming the keys at fault.
[[nodiscard]] caf::error check(const settings& s);

/// Splits a comma-separated list, trimming blanks and dropping empty entries.
std::vector<std::string> split_list(const std::string& text);

} // namespace cf
