// The external generator against programs that flood stderr (hundreds of MB) or never close
// stdout: stderr is drained (the program never blocks on it) and capped, so memory stays bounded;
// the deadline holds; the program is killed and reaped. Memory is the peak RSS of this process
// (VmHWM, reset through /proc/self/clear_refs before the run).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "content/generator.hpp"
#include "tests/testkit/sync.hpp"
#include "util/errc.hpp"

namespace {

cf::course_request make_request() {
  cf::course_request req;
  req.title = "Floods and deadlines";
  req.language = "en";
  req.audiences = {"operators"};
  req.lesson_count = 1;
  req.user_id = "user-1";
  return req;
}

/// A temporary folder with `content.json` (valid output) and the python3 generators below.
struct flood_dir {
  std::string dir;
  flood_dir() {
    char tmpl[] = "/tmp/cf_flood_XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    std::ofstream{dir + "/content.json"}
        << cf::to_json(*cf::make_builtin_generator()->generate(make_request())).dump();
  }
  ~flood_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  /// Runs the python3 program `body` as the generator (with `dir` as its first argument).
  caf::expected<cf::course_content> run(const std::string& body, int64_t timeout_ms) {
    auto path = dir + "/gen.py";
    std::ofstream{path} << "import os, sys, time\nd = sys.argv[1]\n" << body << "\n";
    auto gen = cf::make_external_generator({"/usr/bin/python3", path, dir}, timeout_ms);
    return gen->generate(make_request());
  }
  std::string read(const std::string& name) const {
    std::ifstream in{dir + "/" + name};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

/// A field of /proc/self/status in kB ("VmRSS", "VmHWM").
long status_kb(const std::string& field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0)
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

/// Resets this process's peak RSS to its current RSS; false where the kernel does not allow it.
bool reset_peak_rss() {
  std::ofstream out{"/proc/self/clear_refs"};
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

/// True once `pid` is gone: neither running nor a zombie (reaped).
bool reaped(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

/// True once `pid` no longer runs: gone, or a zombie its (adoptive) parent has not reaped yet.
bool dead(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat;
  std::getline(in, stat);
  auto paren = stat.rfind(')');
  return stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
}

std::string message_of(const caf::expected<cf::course_content>& res) {
  return res ? std::string{} : cf::error_context(res.error());
}

// 300 MB to stderr, then the course: the whole flood passes through in 1 MiB writes.
const char* flood_then_answer = R"(
chunk = b"x" * (1 << 20)
for _ in range(300):
    os.write(2, chunk)
sys.stdout.write(open(os.path.join(d, "content.json")).read())
)";

} // namespace

BOOST_AUTO_TEST_SUITE(generator_flood)

BOOST_FIXTURE_TEST_CASE(a_stderr_flood_is_drained_and_capped_memory_stays_bounded, flood_dir) {
  BOOST_REQUIRE(reset_peak_rss());
  auto before_kb = status_kb("VmRSS");
  auto res = run(flood_then_answer, 120'000);
  BOOST_REQUIRE_MESSAGE(res, message_of(res)); // not blocked on a full stderr pipe
  auto peak_kb = status_kb("VmHWM");
  BOOST_TEST_MESSAGE("300 MB of stderr: RSS before " << before_kb << " kB, peak " << peak_kb
                                                     << " kB");
  BOOST_TEST(peak_kb - before_kb < 32 * 1024); // 300 MB passed; what is kept is 64 KiB
}

BOOST_FIXTURE_TEST_CASE(an_endless_stderr_flood_is_cut_at_the_deadline_and_reaped, flood_dir) {
  auto res = run(R"(
open(os.path.join(d, "pid"), "w").write(str(os.getpid()))
chunk = b"flood " * 100000
while True:
    os.write(2, chunk)
)",
                 1'000);
  BOOST_REQUIRE(!res);
  BOOST_TEST(cf::is(res.error(), cf::errc::generator_transient));
  BOOST_TEST(message_of(res).find("timed out after 1000 ms") != std::string::npos, message_of(res));
  auto pid = static_cast<pid_t>(std::stol(read("pid")));
  BOOST_TEST(reaped(pid)); // killed and waited for by generate() itself, before it returned
}

BOOST_FIXTURE_TEST_CASE(a_program_that_never_closes_stdout_is_cut_at_the_deadline, flood_dir) {
  // Half a course and then silence: stdout stays open, the program never exits.
  auto res = run(R"(
open(os.path.join(d, "pid"), "w").write(str(os.getpid()))
sys.stdout.write(open(os.path.join(d, "content.json")).read()[:100])
sys.stdout.flush()
while True:
    time.sleep(1)
)",
                 1'000);
  BOOST_REQUIRE(!res);
  BOOST_TEST(cf::is(res.error(), cf::errc::generator_transient));
  BOOST_TEST(message_of(res).find("timed out after 1000 ms") != std::string::npos, message_of(res));
  BOOST_TEST(reaped(static_cast<pid_t>(std::stol(read("pid")))));
}

BOOST_FIXTURE_TEST_CASE(a_child_left_holding_stdout_does_not_outlive_the_call, flood_dir) {
  // The program answers and exits, but leaves a child that holds stdout and floods stderr:
  // the answer counts, and the child (same process group) is killed.
  auto res = run(R"(
if os.fork() == 0:
    open(os.path.join(d, "child.tmp"), "w").write(str(os.getpid()))
    os.rename(os.path.join(d, "child.tmp"), os.path.join(d, "child"))
    while True:
        os.write(2, b"child " * 10000)
while not os.path.exists(os.path.join(d, "child")):
    time.sleep(0.01)
sys.stdout.write(open(os.path.join(d, "content.json")).read())
)",
                 30'000);
  BOOST_REQUIRE_MESSAGE(res, message_of(res));
  auto child = static_cast<pid_t>(std::stol(read("child")));
  // Not our child (its parent exited): killed by generate(), reaped by whoever adopted it.
  BOOST_TEST(cf::testkit::eventually([&] { return dead(child); }));
}

BOOST_AUTO_TEST_SUITE_END()
