// Settings: defaults, the documented config file, flags overriding the file, clear errors.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "config/settings.hpp"
#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

/// The context of the error `x` holds, or "" when it holds a value.
template <class T>
std::string why(const caf::expected<T>& x) {
  return x ? std::string{} : error_context(x.error());
}

/// What parse_command_line says about `args` ("" when it accepts them); every rejection must be
/// invalid_argument, the code that tells the caller to fix the flags.
std::string flag_error(const std::vector<std::string>& args) {
  auto cmd = parse_command_line(args);
  if (cmd)
    return "";
  BOOST_TEST(is(cmd.error(), errc::invalid_argument), why(cmd));
  return why(cmd);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(embedded_defaults_are_localhost_8080_and_a_file_under_var) {
  settings s;
  BOOST_TEST(s.host == "127.0.0.1");
  BOOST_TEST(s.port == 8080);
  BOOST_TEST(s.state_dir == "./var");
  BOOST_TEST(s.db == "coursefactory.db"); // in state_dir: see config_sources
  BOOST_TEST(s.durability == "full");
}

BOOST_AUTO_TEST_CASE(config_file_in_repo_is_the_generated_one_and_loads_to_the_defaults) {
  std::string path = std::string{CF_SOURCE_DIR} + "/config/coursefactory.ini";
  std::ifstream in{path};
  BOOST_REQUIRE_MESSAGE(in, "config/coursefactory.ini is missing");
  std::stringstream text;
  text << in.rdbuf();
  BOOST_TEST(text.str() == default_config_file(),
             "config/coursefactory.ini is out of step: run `build/coursefactory config > "
             "config/coursefactory.ini`");
  settings base;
  base.port = 1;
  auto s = load_config_file(path, base);
  BOOST_TEST(why(s) == "");
  BOOST_REQUIRE(s);
  BOOST_TEST(s->port == 8080);
}

BOOST_AUTO_TEST_CASE(flags_override_the_config_file_wherever_it_stands) {
  testkit::temp_dir dir;
  auto path = dir.file("c.ini");
  std::ofstream{path} << "[http]\nport = 9000\nthreads = 4\n[storage]\ndb = /tmp/x.db\n";
  auto cmd =
      parse_command_line({"--http-port", "9100", "--config", path, "--storage-db=/tmp/y.db"});
  BOOST_TEST(why(cmd) == "");
  BOOST_REQUIRE(cmd);
  BOOST_TEST(cmd->s.port == 9100);
  BOOST_TEST(cmd->s.http_threads == 4);
  BOOST_TEST(cmd->s.db == "/tmp/y.db");
  BOOST_TEST(!cmd->help);
}

BOOST_AUTO_TEST_CASE(bad_values_and_unknown_keys_are_reported) {
  BOOST_TEST(flag_error({"--port", "70000"}) != "");
  BOOST_TEST(flag_error({"--nope", "1"}) != "");
  BOOST_TEST(flag_error({"--storage-durability", "maybe"}) != "");
  BOOST_TEST(flag_error({"--port"}) != "");
  testkit::temp_dir dir;
  auto path = dir.file("c.ini");
  std::ofstream{path} << "[http]\nprot = 1\n";
  auto loaded = load_config_file(path);
  BOOST_REQUIRE(!loaded);
  BOOST_TEST(is(loaded.error(), errc::invalid_argument));
  auto err = why(loaded);
  BOOST_TEST(err.find("c.ini:2") != std::string::npos);
  BOOST_TEST(err.find("http.prot") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(inline_comments_are_rejected_naming_file_line_and_key) {
  testkit::temp_dir dir;
  auto path = dir.file("c.ini");
  for (const char* line : {"port = 9000 # the port", "port = 9000\t; the port", "port = # none"}) {
    BOOST_TEST_INFO("line: " << line);
    std::ofstream{path} << "[http]\n# a comment on its own line is fine\n" << line << "\n";
    auto loaded = load_config_file(path);
    BOOST_REQUIRE(!loaded);
    BOOST_TEST(is(loaded.error(), errc::invalid_argument));
    BOOST_TEST(why(loaded)
               == path
                      + ":3: http.port: a comment after the value (comments go on their own "
                        "lines; quote a value holding \" #\" or \" ;\")");
  }
  // Quoted, or without a blank before it, "#" and ";" are part of the value.
  std::ofstream{path} << "[payment]\nstripe_webhook_secret = \"a # b\"\n"
                      << "[generation]\ncommand = gen --tag=c#;x\n";
  auto loaded = load_config_file(path);
  BOOST_REQUIRE_MESSAGE(loaded, why(loaded));
  BOOST_TEST(loaded->stripe_webhook_secret == "a # b");
  BOOST_TEST(loaded->generation_command == "gen --tag=c#;x");
}

BOOST_AUTO_TEST_CASE(the_default_file_names_each_section_once) {
  std::istringstream in{default_config_file()};
  std::vector<std::string> sections;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '[')
      continue;
    BOOST_TEST(std::count(sections.begin(), sections.end(), line) == 0, line << " repeated");
    sections.push_back(line);
  }
  // The section the table named twice (its command came after [retry]) is there, once.
  BOOST_TEST(std::count(sections.begin(), sections.end(), "[generation]") == 1);
}

BOOST_AUTO_TEST_CASE(help_is_reported_beside_the_settings_and_does_not_hide_bad_flags) {
  auto cmd = parse_command_line({"--port", "9100", "--help"});
  BOOST_REQUIRE(cmd);
  BOOST_TEST(cmd->help);
  BOOST_TEST(cmd->s.port == 9100);
  BOOST_TEST(flag_error({"--help", "--port", "x"}) != "");
}

BOOST_AUTO_TEST_CASE(checks_across_keys_are_invalid_argument) {
  BOOST_TEST(flag_error({"--distribution-channels", "site,fax"})
             == "distribution.channels: unknown channel fax (known: site, webhook, bus)");
  BOOST_TEST(flag_error({"--distribution-channels", "webhook"})
             == "distribution.channels has webhook, but distribution.webhook_urls is empty");
  settings s;
  BOOST_TEST(!check(s));
}

BOOST_AUTO_TEST_CASE(a_missing_config_file_is_not_found_and_named) {
  testkit::temp_dir dir;
  auto path = dir.file("absent.ini");
  auto cmd = parse_command_line({"--config", path});
  BOOST_REQUIRE(!cmd);
  BOOST_TEST(is(cmd.error(), errc::not_found));
  BOOST_TEST(why(cmd) == "cannot read config file " + path);
}

BOOST_AUTO_TEST_CASE(help_lists_every_flag) {
  auto text = serve_help();
  for (const char* flag : {"--http-port", "--storage-db", "--config", "--http-host",
                           "--storage-durability", "--http-threads", "--state-dir"})
    BOOST_TEST(text.find(flag) != std::string::npos, flag);
}

BOOST_AUTO_TEST_SUITE_END()
