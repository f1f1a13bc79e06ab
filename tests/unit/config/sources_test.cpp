// Where settings come from: flag > environment > config file > default, every key by its
// environment variable, secrets by *_FILE, the old flag names, unknown variables, state.dir, and
// the README's table of settings.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/settings.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

using env_list = std::vector<std::string>;

std::string why(const caf::expected<command_line>& x) {
  return x ? std::string{} : error_context(x.error());
}

/// parse_command_line with `env` as the whole environment; fails the test case on an error.
command_line parsed(const std::vector<std::string>& args, const env_list& env = {}) {
  auto cmd = parse_command_line(args, {}, &env);
  BOOST_REQUIRE_MESSAGE(cmd, why(cmd));
  return std::move(*cmd);
}

bool has_warning(const command_line& cmd, const std::string& part) {
  for (const auto& w : cmd.warnings)
    if (w.find(part) != std::string::npos)
      return true;
  return false;
}

/// "COURSEFACTORY_HTTP_PORT" for "http.port".
std::string env_name(const std::string& key) {
  std::string out = "COURSEFACTORY_";
  for (char c : key) out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

/// "http-port" for "http.port".
std::string flag_name(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '.' || c == '_' ? '-' : c;
  return out;
}

/// The base every key is tried on: a config file with a Redis URL and a TLS pair, so that values
/// needing them (generation.mode = redis, distribution.channels = bus, tls_cert) pass the checks
/// across keys.
struct base_file {
  testkit::temp_dir dir;
  std::string path = dir.file("base.ini");
  base_file() {
    std::ofstream{path} << "[bus]\nredis_url = redis://127.0.0.1:1\n"
                        << "[http]\ntls_cert = /base/cert.pem\ntls_key = /base/key.pem\n";
  }
};

/// A value for `key` that its flag accepts on top of `base` and that differs from what the base
/// alone gives; "" when no candidate does.
std::string other_value(const std::string& key, const base_file& base) {
  // An absolute path first: a relative one would mean the working directory as a flag and
  // state.dir from the environment.
  static const char* candidates[] = {
      "/abs/x", "7",     "1500",     "2.5",      "normal",
      "debug",  "redis", "platform", "site,bus", "redis://127.0.0.1:2"};
  auto before = setting_value(parsed({"--config", base.path}).s, key);
  env_list none;
  for (const char* v : candidates) {
    auto cmd = parse_command_line({"--config", base.path, "--" + flag_name(key), v}, {}, &none);
    if (cmd && setting_value(cmd->s, key) != before)
      return v;
  }
  return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_sources)

BOOST_AUTO_TEST_CASE(flag_beats_environment_beats_file_beats_default) {
  testkit::temp_dir dir;
  auto ini = dir.file("c.ini");
  std::ofstream{ini} << "[http]\nport = 9001\n[storage]\ndurability = normal\n"
                     << "[retry]\nmultiplier = 3\n[distribution]\nwebhook_secret = from-file\n";
  auto secret = dir.file("secret");
  std::ofstream{secret} << "from-env-file\n";
  // Default only.
  auto d = parsed({});
  BOOST_TEST(d.s.port == 8080);
  BOOST_TEST(d.s.durability == "full");
  // File over default.
  auto f = parsed({"--config", ini});
  BOOST_TEST(f.s.port == 9001);
  BOOST_TEST(f.s.durability == "normal");
  BOOST_TEST(f.s.retry_multiplier == 3.0);
  BOOST_TEST(f.s.distribution_webhook_secret == "from-file");
  // Environment over file (the secret by its *_FILE, one trailing newline cut).
  env_list env{"COURSEFACTORY_HTTP_PORT=9002", "COURSEFACTORY_RETRY_MULTIPLIER=4",
               "COURSEFACTORY_DISTRIBUTION_WEBHOOK_SECRET_FILE=" + secret, "PATH=/usr/bin"};
  auto e = parsed({"--config", ini}, env);
  BOOST_TEST(e.s.port == 9002);
  BOOST_TEST(e.s.durability == "normal"); // not in the environment: the file's
  BOOST_TEST(e.s.retry_multiplier == 4.0);
  BOOST_TEST(e.s.distribution_webhook_secret == "from-env-file");
  BOOST_TEST(e.warnings.empty());
  // Flag over environment, wherever --config stands.
  auto x = parsed(
      {"--http-port", "9003", "--distribution-webhook-secret", "from-flag", "--config", ini}, env);
  BOOST_TEST(x.s.port == 9003);
  BOOST_TEST(x.s.retry_multiplier == 4.0);
  BOOST_TEST(x.s.distribution_webhook_secret == "from-flag");
}

BOOST_AUTO_TEST_CASE(every_key_of_the_table_is_set_by_its_variable_as_by_its_flag) {
  base_file base;
  auto keys = setting_keys();
  BOOST_TEST(keys.size() >= 45u);
  for (const auto& key : keys) {
    BOOST_TEST_CONTEXT("key " << key) {
      auto value = other_value(key, base);
      BOOST_REQUIRE_MESSAGE(value != "", "no test value for " << key << ": add a candidate");
      auto by_flag = parsed({"--config", base.path, "--" + flag_name(key), value});
      auto by_env = parsed({"--config", base.path}, {env_name(key) + "=" + value});
      BOOST_TEST(by_env.warnings.empty());
      // Paths from a flag are absolute already; from the environment they join state.dir (which
      // an absolute candidate skips), so both give the same text.
      BOOST_TEST(setting_value(by_env.s, key) == setting_value(by_flag.s, key));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_secret_from_a_file_and_its_errors) {
  testkit::temp_dir dir;
  auto path = dir.file("s");
  std::ofstream{path} << "whsec_from_file\r\n";
  auto cmd = parsed({}, {"COURSEFACTORY_PAYMENT_STRIPE_WEBHOOK_SECRET_FILE=" + path});
  // payment.stripe_webhook_secret_file is a setting of its own: that variable sets it (the
  // service reads the secret from that file), it does not read the file into the secret.
  BOOST_TEST(cmd.s.stripe_webhook_secret_file == path);
  BOOST_TEST(cmd.s.stripe_webhook_secret == "");
  auto webhook = parsed({}, {"COURSEFACTORY_DISTRIBUTION_WEBHOOK_SECRET_FILE=" + path});
  BOOST_TEST(webhook.s.distribution_webhook_secret == "whsec_from_file");
  env_list none;
  env_list both{"COURSEFACTORY_DISTRIBUTION_WEBHOOK_SECRET=a",
                "COURSEFACTORY_DISTRIBUTION_WEBHOOK_SECRET_FILE=" + path};
  auto twice = parse_command_line({}, {}, &both);
  BOOST_REQUIRE(!twice);
  BOOST_TEST(is(twice.error(), errc::invalid_argument));
  BOOST_TEST(why(twice).find("both set") != std::string::npos, why(twice));
  env_list missing{"COURSEFACTORY_DISTRIBUTION_WEBHOOK_SECRET_FILE=" + dir.file("absent")};
  auto gone = parse_command_line({}, {}, &missing);
  BOOST_REQUIRE(!gone);
  BOOST_TEST(is(gone.error(), errc::not_found));
  BOOST_TEST(why(gone).find(dir.file("absent")) != std::string::npos, why(gone));
}

BOOST_AUTO_TEST_CASE(unknown_variables_are_warnings_and_empty_ones_count_as_unset) {
  auto cmd = parsed({}, {"COURSEFACTORY_HTTP_PROT=1", "COURSEFACTORY_HTTP_PORT=", "OTHER_X=1"});
  BOOST_TEST(cmd.s.port == 8080);
  BOOST_TEST(cmd.warnings.size() == 1u);
  BOOST_TEST(has_warning(cmd, "COURSEFACTORY_HTTP_PROT names no setting"));
  env_list bad{"COURSEFACTORY_HTTP_PORT=70000"};
  auto refused = parse_command_line({}, {}, &bad);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(why(refused).rfind("COURSEFACTORY_HTTP_PORT: expected an integer", 0) == 0u,
             why(refused));
}

BOOST_AUTO_TEST_CASE(old_flag_names_set_their_key_and_warn) {
  base_file base;
  for (const auto& [old_name, key] : deprecated_flags()) {
    BOOST_TEST_CONTEXT("--" << old_name) {
      BOOST_TEST(flag_name(key) != old_name);
      auto value = other_value(key, base);
      BOOST_REQUIRE(value != "");
      auto by_new = parsed({"--config", base.path, "--" + flag_name(key), value});
      auto by_old = parsed({"--config", base.path, "--" + old_name, value});
      BOOST_TEST(setting_value(by_old.s, key) == setting_value(by_new.s, key));
      BOOST_TEST(by_new.warnings.empty());
      BOOST_TEST(has_warning(by_old, "--" + old_name + " is deprecated: use --" + flag_name(key)));
    }
  }
  // The variable of earlier releases too.
  auto legacy = parsed({}, {"COURSEFACTORY_STRIPE_WEBHOOK_SECRET=whsec_old"});
  BOOST_TEST(legacy.s.stripe_webhook_secret == "whsec_old");
  BOOST_TEST(has_warning(legacy, "use COURSEFACTORY_PAYMENT_STRIPE_WEBHOOK_SECRET"));
}

BOOST_AUTO_TEST_CASE(files_live_in_the_state_dir_unless_given_as_flags) {
  auto d = parsed({});
  BOOST_TEST(d.s.state_dir == "./var");
  BOOST_TEST(d.s.db == "./var/coursefactory.db");
  BOOST_TEST(d.s.stripe_webhook_secret_file == "./var/stripe-webhook-secret");
  BOOST_TEST(d.s.site_dir == "./var/site");
  auto moved = parsed({"--state-dir", "/srv/cf"});
  BOOST_TEST(moved.s.db == "/srv/cf/coursefactory.db");
  BOOST_TEST(moved.s.site_dir == "/srv/cf/site");
  BOOST_TEST(moved.s.tls_cert == ""); // empty stays empty
  testkit::temp_dir dir;
  auto ini = dir.file("c.ini");
  std::ofstream{ini} << "[state]\ndir = /srv/a\n[storage]\ndb = log/events.db\n[site]\n"
                     << "dir = /www/site\n";
  auto file = parsed({"--config", ini});
  BOOST_TEST(file.s.db == "/srv/a/log/events.db");
  BOOST_TEST(file.s.site_dir == "/www/site"); // absolute: as given
  auto env = parsed({"--config", ini}, {"COURSEFACTORY_STATE_DIR=/srv/b"});
  BOOST_TEST(env.s.db == "/srv/b/log/events.db");
  auto flag = parsed({"--config", ini, "--storage-db", "mine.db", "--state-dir", "/srv/c"});
  BOOST_TEST(flag.s.db == (std::filesystem::current_path() / "mine.db").string());
  BOOST_TEST(flag.s.stripe_webhook_secret_file == "/srv/c/stripe-webhook-secret");
  BOOST_TEST(parsed({"--storage-db", ":memory:"}).s.db == ":memory:");
}

BOOST_AUTO_TEST_CASE(flags_and_variables_are_derived_from_the_keys_one_name_each) {
  auto keys = setting_keys();
  auto help = serve_help();
  auto ini = default_config_file();
  for (const auto& key : keys) {
    BOOST_TEST(help.find("--" + flag_name(key) + " V") != std::string::npos, key);
    BOOST_TEST(ini.find("environment " + env_name(key)) != std::string::npos, key);
    for (const auto& [old_name, _] : deprecated_flags())
      BOOST_TEST(old_name != flag_name(key), "--" << old_name << " is both old and current");
  }
}

BOOST_AUTO_TEST_CASE(the_readme_table_is_the_generated_one) {
  std::ifstream in{std::string{CF_SOURCE_DIR} + "/README.md"};
  BOOST_REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto readme = text.str();
  const std::string begin = "<!-- settings:begin -->\n", end = "<!-- settings:end -->";
  auto b = readme.find(begin);
  auto e = readme.find(end);
  BOOST_REQUIRE(b != std::string::npos);
  BOOST_REQUIRE(e != std::string::npos);
  BOOST_TEST(readme.substr(b + begin.size(), e - b - begin.size()) == settings_markdown(),
             "README.md's settings table is out of step: replace it with the output of "
             "`coursefactory config --markdown`");
}

BOOST_AUTO_TEST_SUITE_END()
