// Settings: defaults, the documented config file, flags overriding the file, clear errors.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "config/settings.hpp"
#include "tests/testkit/service_fixture.hpp"

using namespace cf;

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(embedded_defaults_are_localhost_8080_and_a_file_under_var) {
  settings s;
  BOOST_TEST(s.host == "127.0.0.1");
  BOOST_TEST(s.port == 8080);
  BOOST_TEST(s.db.rfind("./var/", 0) == 0u);
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
  settings s;
  s.port = 1;
  BOOST_TEST(load_config_file(path, s) == "");
  BOOST_TEST(s.port == 8080);
}

BOOST_AUTO_TEST_CASE(flags_override_the_config_file_wherever_it_stands) {
  testkit::temp_dir dir;
  auto path = dir.file("c.ini");
  std::ofstream{path} << "[http]\nport = 9000\nthreads = 4\n[storage]\ndb = /tmp/x.db\n";
  settings s;
  bool help = false;
  auto err = parse_command_line({"--port", "9100", "--config", path, "--db=/tmp/y.db"}, s, help);
  BOOST_TEST(err == "");
  BOOST_TEST(s.port == 9100);
  BOOST_TEST(s.http_threads == 4);
  BOOST_TEST(s.db == "/tmp/y.db");
  BOOST_TEST(!help);
}

BOOST_AUTO_TEST_CASE(bad_values_and_unknown_keys_are_reported) {
  settings s;
  bool help = false;
  BOOST_TEST(parse_command_line({"--port", "70000"}, s, help) != "");
  BOOST_TEST(parse_command_line({"--nope", "1"}, s, help) != "");
  BOOST_TEST(parse_command_line({"--durability", "maybe"}, s, help) != "");
  BOOST_TEST(parse_command_line({"--port"}, s, help) != "");
  testkit::temp_dir dir;
  auto path = dir.file("c.ini");
  std::ofstream{path} << "[http]\nprot = 1\n";
  auto err = load_config_file(path, s);
  BOOST_TEST(err.find("c.ini:2") != std::string::npos);
  BOOST_TEST(err.find("http.prot") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help_lists_every_flag) {
  auto text = serve_help();
  for (const char* flag :
       {"--port", "--db", "--config", "--host", "--durability", "--http-threads"})
    BOOST_TEST(text.find(flag) != std::string::npos, flag);
}

BOOST_AUTO_TEST_SUITE_END()
