// The worker process: flags, one thread per concurrent job (each with its own Redis connection),
// and the main thread taking stop signals and writing the heartbeat.
#include "app/worker_command.hpp"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "app/commands.hpp"
#include "bus/generation_queue.hpp"
#include "config/settings.hpp"
#include "content/generator.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"

namespace cf {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr const char* worker_usage =
    "usage: coursefactory worker --redis-url redis://HOST[:PORT][/DB] [options]\n\n"
    "Takes generation jobs from Redis (consumer group `generators`), runs the generator and\n"
    "appends the results; the service (generation.mode = redis) records them. Needs no database\n"
    "and no HTTP port. SIGTERM or SIGINT: finishes the jobs in hand, then exits 0.\n\n"
    "options:\n"
    "  --generation-command CMD   external generator program and its arguments (split on\n"
    "                             spaces, no shell); default: the built-in generator\n"
    "  --generation-timeout-ms N  kill an external generator after N ms (default 30000)\n"
    "  --concurrency N            jobs run at once, one thread each (default 1)\n"
    "  --jobs-stream S            default coursefactory:generation:jobs\n"
    "  --results-stream S         default coursefactory:generation:results\n"
    "  --claim-timeout-s N        take over a job its worker has not touched for N s (default 60)\n"
    "  --max-deliveries N         a job handed out more often fails instead (default 3)\n"
    "  --name NAME                this worker's name in the group (default HOST:PID)\n\n"
    "--redis-url, the generation flags and the streams default to bus.redis_url,\n"
    "generation.command, generation.timeout_ms, generation.jobs_stream and\n"
    "generation.results_stream as `serve` reads them: --config FILE, COURSEFACTORY_* variables,\n"
    "--bus-redis-url, --generation-jobs-stream, ... (coursefactory serve --help).\n";

struct worker_options {
  redis_address redis;
  std::string generation_command;
  int64_t generation_timeout_ms = settings{}.generation_timeout_ms;
  int concurrency = 1;
  std::string jobs_stream = generation_streams{}.jobs;
  std::string results_stream = generation_streams{}.results;
  int64_t claim_timeout_s = 60;
  int64_t max_deliveries = 3;
  std::string name;
};

std::string default_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string{host} + ":" + std::to_string(getpid());
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in{text};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Reads the flags on top of the settings `serve` would read; an empty error text means --help.
caf::expected<worker_options> parse_options(const std::vector<std::string>& args) {
  auto bad = [](const std::string& why) { return make_error(errc::invalid_argument, why); };
  auto cmd = parse_command_line(args, {0,
                                       {"redis-url", "jobs-stream", "results-stream", "concurrency",
                                        "claim-timeout-s", "max-deliveries", "name"}});
  if (!cmd)
    return cmd.error();
  if (cmd->help)
    return bad("");
  print_warnings("worker", *cmd);
  worker_options o;
  o.generation_command = cmd->s.generation_command;
  o.generation_timeout_ms = cmd->s.generation_timeout_ms;
  o.jobs_stream = cmd->s.generation_jobs_stream;
  o.results_stream = cmd->s.generation_results_stream;
  std::string url = cmd->s.bus_redis_url;
  auto number = [&](const std::string& flag, const std::string& text, int64_t lo,
                    int64_t hi) -> caf::expected<int64_t> {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < lo || v > hi)
      return bad(flag + " must be a number from " + std::to_string(lo) + " to "
                 + std::to_string(hi));
    return v;
  };
  for (const auto& [name, value] : cmd->extras) {
    auto flag = "--" + name;
    caf::expected<int64_t> n{0};
    if (flag == "--redis-url")
      url = value;
    else if (flag == "--jobs-stream")
      o.jobs_stream = value;
    else if (flag == "--results-stream")
      o.results_stream = value;
    else if (flag == "--name")
      o.name = value;
    else if (flag == "--concurrency" && (n = number(flag, value, 1, 256)))
      o.concurrency = static_cast<int>(*n);
    else if (flag == "--claim-timeout-s" && (n = number(flag, value, 1, 86400)))
      o.claim_timeout_s = *n;
    else if (flag == "--max-deliveries" && (n = number(flag, value, 1, 1000)))
      o.max_deliveries = *n;
    else if (!n)
      return n.error();
  }
  if (url.empty())
    return bad("--redis-url (or bus.redis_url) is required");
  auto addr = parse_redis_url(url);
  if (!addr)
    return addr.error();
  o.redis = *addr;
  if (o.jobs_stream.empty() || o.results_stream.empty() || o.jobs_stream == o.results_stream)
    return bad("the jobs and results streams must be two different non-empty keys");
  if (o.name.empty())
    o.name = default_name();
  return o;
}

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Set once a stop signal came; sleeps wake up at once.
class stop_flag {
public:
  void set() {
    std::lock_guard<std::mutex> guard{mx_};
    stopped_ = true;
    cv_.notify_all();
  }
  bool is_set() const {
    std::lock_guard<std::mutex> guard{mx_};
    return stopped_;
  }
  /// Sleeps for `d` or until set(); true when set.
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock{mx_};
    return cv_.wait_for(lock, d, [this] { return stopped_; });
  }

private:
  mutable std::mutex mx_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

/// One line of text: the error's context with line breaks made spaces.
std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

/// One worker thread: its own connection, its own consumer name.
class job_loop {
public:
  job_loop(const worker_options& o, generation_streams s, std::shared_ptr<generator> gen,
           stop_flag& stop)
      : o_(o), s_(std::move(s)), gen_(std::move(gen)), stop_(stop) {}

  void run() {
    while (!stop_.is_set()) {
      if (!connected())
        continue;
      caf::error err;
      try {
        err = step();
      } catch (const std::exception& ex) { // never expected; logged rather than fatal
        err = make_error(errc::internal, std::string{"worker loop threw: "} + ex.what());
      }
      if (!err) {
        backoff_ = 100ms;
        continue;
      }
      log_event(log_level::warn, "worker", "redis call failed",
                {{"worker", s_.worker}, {"error", error_context(err)}});
      if (!conn_->broken() && error_context(err).find("NOGROUP") != std::string::npos)
        (void)ensure_group(*conn_, s_); // the jobs stream was deleted: make it again
      pause();
    }
  }

private:
  void pause() {
    stop_.sleep_for(backoff_);
    backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, 5s);
  }

  /// A usable connection with the group in place, or a paused false.
  bool connected() {
    if (conn_ && !conn_->broken())
      return true;
    auto c = redis_connection::connect(o_.redis, 10s);
    caf::error err;
    if (c)
      err = ensure_group(**c, s_);
    else
      err = c.error();
    if (err) {
      log_event(log_level::warn, "worker", "redis unreachable",
                {{"worker", s_.worker},
                 {"error", error_context(err)},
                 {"retry_in_ms", static_cast<int64_t>(backoff_.count())}});
      conn_.reset();
      pause();
      return false;
    }
    conn_ = std::move(*c);
    log_event(log_level::info, "worker", "connected",
              {{"worker", s_.worker}, {"jobs", s_.jobs}, {"results", s_.results}});
    return true;
  }

  /// Reclaims idle jobs, else reads new ones, and runs what it got.
  caf::error step() {
    if (unsent_) { // a result whose append failed: sent now, not generated again
      auto [entry_id, result] = std::move(*unsent_);
      if (auto err = send(entry_id, result))
        return err;
    }
    auto claimed = reclaim_jobs(*conn_, s_, std::chrono::seconds{o_.claim_timeout_s}, cursor_, 1);
    if (!claimed)
      return claimed.error();
    cursor_ = claimed->next_cursor;
    auto jobs = std::move(claimed->jobs);
    for (const auto& j : jobs)
      log_event(log_level::info, "worker", "reclaimed a job",
                {{"worker", s_.worker}, {"entry", j.entry_id}, {"deliveries", j.deliveries}});
    if (!jobs.empty())
      if (auto err = count_reclaims(*conn_, s_, static_cast<int64_t>(jobs.size())))
        return err;
    if (jobs.empty()) {
      auto fresh = read_new_jobs(*conn_, s_, 1, 1000ms);
      if (!fresh)
        return fresh.error();
      jobs = std::move(*fresh);
    }
    for (const auto& j : jobs)
      if (auto err = handle(j))
        return err;
    return caf::none;
  }

  caf::error handle(const delivered_job& j) {
    auto job = parse_generation_job(j.fields);
    if (!job) {
      auto why = error_context(job.error());
      log_event(log_level::warn, "worker", "unusable job, dead-lettered",
                {{"worker", s_.worker}, {"entry", j.entry_id}, {"reason", why}});
      return dead_letter(*conn_, s_, j, why);
    }
    generation_result r;
    r.job_id = job->job_id;
    r.course_id = job->course_id;
    r.attempt = job->attempt;
    r.retry_count = job->retry_count;
    r.worker = s_.worker;
    if (j.deliveries > o_.max_deliveries) {
      r.error =
          "job delivered " + std::to_string(j.deliveries - 1) + " times: workers died running it";
    } else {
      generate(j, *job, r);
    }
    return send(j.entry_id, r);
  }

  /// The result first, then the ack: a crash between them gives a duplicate result, which the
  /// service takes as a harmless conflict. Kept for the next step when the append fails.
  caf::error send(const std::string& entry_id, const generation_result& r) {
    unsent_.reset();
    if (auto id = add_result(*conn_, s_, r); !id) {
      unsent_.emplace(entry_id, r);
      return id.error();
    }
    log_event(log_level::info, "worker", r.ok ? "job completed" : "job failed",
              {{"worker", s_.worker},
               {"job_id", r.job_id},
               {"course_id", r.course_id},
               {"attempt", r.attempt},
               {"duration_ms", r.duration_ms},
               {"error", r.error}});
    return ack_job(*conn_, s_, entry_id);
  }

  /// Runs the generator on a thread of its own while this one keeps the job claimed.
  void generate(const delivered_job& j, const generation_job& job, generation_result& r) {
    auto t0 = clock_type::now();
    auto gen = gen_;
    auto req = job.request;
    auto running =
        std::async(std::launch::async, [gen, req] { return generate_checked(*gen, req); });
    auto touch_every = std::chrono::milliseconds{o_.claim_timeout_s * 1000 / 3};
    while (running.wait_for(touch_every) != std::future_status::ready)
      if (!conn_->broken())
        (void)touch_job(*conn_, s_, j.entry_id); // best effort: a lost touch risks a duplicate
    auto content = running.get();
    r.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
    if (content) {
      r.ok = true;
      r.content_json = to_json(*content).dump();
    } else {
      r.error = one_line(error_context(content.error()));
      r.permanent = is(content.error(), errc::generator_permanent);
    }
  }

  const worker_options& o_;
  generation_streams s_;
  std::shared_ptr<generator> gen_;
  stop_flag& stop_;
  std::unique_ptr<redis_connection> conn_;
  std::optional<std::pair<std::string, generation_result>> unsent_; ///< entry id, result
  std::string cursor_ = "0-0";
  std::chrono::milliseconds backoff_ = 100ms;
};

/// Until a stop signal: the heartbeat every 5 s, on a connection of its own.
void wait_and_beat(const worker_options& o, const generation_streams& s, sigset_t signals) {
  std::unique_ptr<redis_connection> conn;
  const timespec every{5, 0};
  for (;;) {
    if (!conn || conn->broken()) {
      auto c = redis_connection::connect(o.redis, 5s);
      if (c)
        conn = std::move(*c);
    }
    if (conn)
      if (auto err = heartbeat(*conn, s, unix_ms()))
        log_event(log_level::warn, "worker", "heartbeat failed",
                  {{"worker", s.worker}, {"error", error_context(err)}});
    int sig = sigtimedwait(&signals, nullptr, &every);
    if (sig == SIGTERM || sig == SIGINT) {
      log_event(log_level::info, "worker", "stopping: finishing the jobs in hand",
                {{"worker", s.worker}, {"signal", sig}});
      return;
    }
  }
}

} // namespace

int run_worker_command(const std::vector<std::string>& args, sigset_t signals) {
  auto o = parse_options(args);
  if (!o) {
    auto why = error_context(o.error());
    if (why.empty()) {
      std::cout << worker_usage;
      return 0;
    }
    std::cerr << "coursefactory worker: " << why << "\n" << worker_usage;
    return 2;
  }
  auto gen =
      o->generation_command.empty()
          ? make_builtin_generator()
          : make_external_generator(split_words(o->generation_command), o->generation_timeout_ms);
  generation_streams base;
  base.jobs = o->jobs_stream;
  base.results = o->results_stream;
  base.worker = o->name;
  log_event(log_level::info, "worker", "started",
            {{"worker", o->name},
             {"generator", gen->name()},
             {"concurrency", o->concurrency},
             {"jobs", base.jobs},
             {"results", base.results}});
  stop_flag stop;
  std::vector<std::thread> threads;
  for (int i = 0; i < o->concurrency; ++i) {
    auto s = base;
    if (o->concurrency > 1)
      s.worker += "/" + std::to_string(i + 1);
    threads.emplace_back([&, s] { job_loop{*o, s, gen, stop}.run(); });
  }
  wait_and_beat(*o, base, signals);
  stop.set();
  for (auto& t : threads) t.join();
  log_event(log_level::info, "worker", "stopped", {{"worker", o->name}});
  return 0;
}

} // namespace cf
