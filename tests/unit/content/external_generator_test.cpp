// Tests for the external generator: small shell scripts in a temporary directory play the program
// (valid output, crashes, timeouts, bad output, programs that ignore stdin, concurrency, fd leaks).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "content/generator.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"

namespace {

cf::course_request make_request(const std::string& title = "Sourdough baking") {
  cf::course_request req;
  req.title = title;
  req.description = "Bake reliable sourdough bread at home.";
  req.language = "en";
  req.audiences = {"home bakers"};
  req.lesson_count = 3;
  req.user_id = "user-1";
  return req;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t open_fds() {
  size_t n = 0;
  if (auto* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++n;
    ::closedir(dir);
  }
  return n;
}

/// A temporary directory with `content.json` (valid output from the builtin generator) and
/// helpers to write scripts into it.
struct script_dir {
  std::string dir;
  std::string content_path;
  std::string expected;

  script_dir() {
    char tmpl[] = "/tmp/cf_extgen_XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    content_path = dir + "/content.json";
    expected = cf::to_json(*cf::make_builtin_generator()->generate(make_request())).dump();
    std::ofstream{content_path} << expected;
  }

  ~script_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// Writes an executable `#!/bin/sh` script named `name` with `body`; returns its path.
  std::string script(const std::string& name, const std::string& body) {
    auto path = dir + "/" + name;
    std::ofstream{path} << "#!/bin/sh\n" << body << "\n";
    BOOST_REQUIRE(::chmod(path.c_str(), 0755) == 0);
    return path;
  }

  /// Runs `body` as a script with the given timeout.
  caf::expected<cf::course_content> run(const std::string& body, int64_t timeout_ms = 10'000,
                                        const cf::course_request& req = make_request()) {
    auto gen = cf::make_external_generator({"/bin/sh", script("gen.sh", body)}, timeout_ms);
    return gen->generate(req);
  }
};

void check_error(const caf::expected<cf::course_content>& res, cf::errc code,
                 const std::string& part) {
  BOOST_REQUIRE(!res);
  auto msg = cf::error_context(res.error());
  BOOST_TEST_INFO("message: " << msg);
  BOOST_CHECK(cf::is(res.error(), code));
  BOOST_TEST_INFO("message: " << msg);
  BOOST_CHECK(msg.find(part) != std::string::npos);
}

/// True when `pid` is gone or a zombie.
bool is_dead(const std::string& pid) {
  auto stat = read_file("/proc/" + pid + "/stat");
  auto paren = stat.rfind(')');
  return stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
}

} // namespace

BOOST_AUTO_TEST_SUITE(external_generator)

BOOST_FIXTURE_TEST_CASE(name_is_basename_of_program, script_dir) {
  BOOST_CHECK_EQUAL(cf::make_external_generator({"/usr/local/bin/gen", "-x"}, 1000)->name(),
                    "external:gen");
  BOOST_CHECK_EQUAL(cf::make_external_generator({"gen"}, 1000)->name(), "external:gen");
}

BOOST_FIXTURE_TEST_CASE(empty_argv_is_permanent, script_dir) {
  auto res = cf::make_external_generator({}, 1000)->generate(make_request());
  check_error(res, cf::errc::generator_permanent, "no command configured");
}

BOOST_FIXTURE_TEST_CASE(valid_output_is_returned, script_dir) {
  auto res = run("cat >/dev/null; cat " + content_path);
  BOOST_REQUIRE(res);
  BOOST_CHECK_EQUAL(cf::to_json(*res).dump(), expected);
}

// A program that exits 0 with valid output but leaves a background child holding its stdout:
// the output counts once a short grace period after the exit is over; the child is killed.
// Waiting for the child would end in the timeout, an error, twice as long as the check allows.
BOOST_FIXTURE_TEST_CASE(a_background_child_does_not_turn_success_into_a_timeout, script_dir) {
  auto t0 = std::chrono::steady_clock::now();
  auto res = run("cat >/dev/null; sleep 1000 & cat " + content_path, 60'000);
  auto took = std::chrono::steady_clock::now() - t0;
  BOOST_REQUIRE(res);
  BOOST_CHECK_EQUAL(cf::to_json(*res).dump(), expected);
  BOOST_CHECK(took < cf::testkit::patience);
}

// The program gets a clean environment: what it needs to run, none of the service's secrets.
BOOST_FIXTURE_TEST_CASE(the_program_gets_no_secrets_from_the_environment, script_dir) {
  ::setenv("COURSEFACTORY_STRIPE_WEBHOOK_SECRET", "whsec_must_not_leak", 1);
  ::setenv("SOME_TOKEN", "must_not_leak_either", 1);
  auto res = run("cat >/dev/null; env >" + dir + "/env.txt; cat " + content_path);
  ::unsetenv("COURSEFACTORY_STRIPE_WEBHOOK_SECRET");
  ::unsetenv("SOME_TOKEN");
  BOOST_REQUIRE(res);
  auto env = read_file(dir + "/env.txt");
  BOOST_TEST_INFO("environment: " << env);
  BOOST_CHECK(env.find("PATH=") != std::string::npos);
  BOOST_CHECK(env.find("COURSEFACTORY_") == std::string::npos);
  BOOST_CHECK(env.find("must_not_leak") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(runs_directly_without_shell_in_argv, script_dir) {
  auto path = script("direct.sh", "cat >/dev/null; cat " + content_path);
  auto res = cf::make_external_generator({path}, 10'000)->generate(make_request());
  BOOST_REQUIRE(res);
  BOOST_CHECK_EQUAL(cf::to_json(*res).dump(), expected);
}

BOOST_FIXTURE_TEST_CASE(request_arrives_on_stdin, script_dir) {
  auto res = run("cat >" + dir + "/stdin.json; cat " + content_path, 10'000,
                 make_request("Knife sharpening"));
  BOOST_REQUIRE(res);
  auto j = nlohmann::json::parse(read_file(dir + "/stdin.json"));
  BOOST_CHECK_EQUAL(j.at("title").get<std::string>(), "Knife sharpening");
}

BOOST_FIXTURE_TEST_CASE(non_zero_exit_is_transient_with_stderr, script_dir) {
  auto res = run("echo 'model quota exhausted' >&2; echo second line >&2; exit 3");
  check_error(res, cf::errc::generator_transient, "exited with status 3: model quota exhausted");
  BOOST_CHECK(cf::error_context(res.error()).find("second line") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(killed_by_signal_is_transient, script_dir) {
  check_error(run("kill -9 $$"), cf::errc::generator_transient, "killed by signal 9");
}

// The timeout is long enough for a busy machine to start the shell and its child before it ends
// them; the program itself would run for a minute.
BOOST_FIXTURE_TEST_CASE(timeout_kills_the_process_group, script_dir) {
  auto start = std::chrono::steady_clock::now();
  auto res = run("sleep 120 & echo $! >" + dir + "/child.pid; sleep 60", 2'000);
  auto elapsed = std::chrono::steady_clock::now() - start;
  check_error(res, cf::errc::generator_transient, "timed out after 2000 ms");
  BOOST_CHECK(elapsed < cf::testkit::patience);
  auto pid = read_file(dir + "/child.pid");
  pid = pid.substr(0, pid.find('\n'));
  BOOST_REQUIRE(!pid.empty());
  BOOST_CHECK_MESSAGE(cf::testkit::eventually([&] { return is_dead(pid); }),
                      "background child " << pid << " survived the timeout");
}

BOOST_FIXTURE_TEST_CASE(invalid_json_is_permanent, script_dir) {
  check_error(run("cat >/dev/null; echo 'this is not json {'"), cf::errc::generator_permanent,
              "not JSON");
  check_error(run("cat >/dev/null"), cf::errc::generator_permanent, "not JSON");
}

BOOST_FIXTURE_TEST_CASE(invalid_content_is_permanent_naming_the_field, script_dir) {
  auto j = nlohmann::json::parse(expected);
  j["quiz"][0]["options"].erase(3);
  std::ofstream{dir + "/bad.json"} << j.dump();
  check_error(run("cat >/dev/null; cat " + dir + "/bad.json"), cf::errc::generator_permanent,
              "quiz[0].options");
}

BOOST_FIXTURE_TEST_CASE(oversized_output_is_permanent, script_dir) {
  check_error(run("cat >/dev/null; head -c 17000000 /dev/zero"), cf::errc::generator_permanent,
              "output exceeds");
}

BOOST_FIXTURE_TEST_CASE(missing_program_is_transient, script_dir) {
  auto res = cf::make_external_generator({dir + "/nope"}, 1000)->generate(make_request());
  check_error(res, cf::errc::generator_transient, "nope");
  res = cf::make_external_generator({"cf-no-such-program-here"}, 1000)->generate(make_request());
  check_error(res, cf::errc::generator_transient, "not found");
  auto path = dir + "/not_executable";
  std::ofstream{path} << "#!/bin/sh\n";
  res = cf::make_external_generator({path}, 1000)->generate(make_request());
  check_error(res, cf::errc::generator_transient, "cannot execute");
}

BOOST_FIXTURE_TEST_CASE(program_that_ignores_stdin_works, script_dir) {
  auto req = make_request();
  req.description.assign(1 << 20, 'x'); // Far beyond the pipe buffer: the write hits EPIPE.
  auto res = run("exec 0<&-; cat " + content_path, 10'000, req);
  BOOST_REQUIRE(res);
  BOOST_CHECK_EQUAL(cf::to_json(*res).dump(), expected);
}

BOOST_FIXTURE_TEST_CASE(big_request_does_not_deadlock, script_dir) {
  auto req = make_request();
  req.description.assign(4 << 20, 'y');
  // Writes a lot to stdout and stderr before reading stdin at all.
  auto res =
      run("cat " + content_path + "; head -c 1000000 /dev/zero >&2; cat >" + dir + "/in.json",
          20'000, req);
  BOOST_REQUIRE(res);
  BOOST_CHECK_EQUAL(cf::to_json(*res).dump(), expected);
  BOOST_CHECK_EQUAL(std::filesystem::file_size(dir + "/in.json"), cf::to_json(req).dump().size());
}

BOOST_FIXTURE_TEST_CASE(concurrent_calls_succeed, script_dir) {
  auto gen = cf::make_external_generator(
      {"/bin/sh", script("gen.sh", "cat >/dev/null; cat " + content_path)}, 20'000);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto res = gen->generate(make_request());
      if (res && cf::to_json(*res).dump() == expected)
        ++ok;
    });
  for (auto& t : threads) t.join();
  BOOST_CHECK_EQUAL(ok.load(), 8);
}

BOOST_FIXTURE_TEST_CASE(no_fd_leaks, script_dir) {
  auto good = cf::make_external_generator(
      {"/bin/sh", script("good.sh", "cat >/dev/null; cat " + content_path)}, 10'000);
  auto bad = cf::make_external_generator({"/bin/sh", script("bad.sh", "exit 1")}, 10'000);
  auto slow = cf::make_external_generator({"/bin/sh", script("slow.sh", "sleep 5")}, 50);
  auto missing = cf::make_external_generator({dir + "/nope"}, 10'000);
  auto before = open_fds();
  for (int i = 0; i < 50; ++i) {
    BOOST_CHECK(good->generate(make_request()));
    if (i % 10 == 0) {
      BOOST_CHECK(!bad->generate(make_request()));
      BOOST_CHECK(!slow->generate(make_request()));
      BOOST_CHECK(!missing->generate(make_request()));
    }
  }
  BOOST_CHECK_EQUAL(open_fds(), before);
}

BOOST_AUTO_TEST_SUITE_END()
