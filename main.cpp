// coursefactory: wiring only. Reads settings, opens the log, spawns the actors, serves HTTP.
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

#include "actors/catalogue.hpp"
#include "actors/channel.hpp"
#include "actors/course_factory.hpp"
#include "actors/distribution.hpp"
#include "actors/errc.hpp"
#include "actors/event_log.hpp"
#include "actors/generator.hpp"
#include "actors/logging.hpp"
#include "actors/payment.hpp"
#include "actors/type_ids.hpp"
#include "config/settings.hpp"
#include "http/pay_command.hpp"
#include "http/server.hpp"
#include "http/webhook_channel.hpp"
#include "storage/audit_command.hpp"
#include "storage/sqlite_event_store.hpp"

namespace {

constexpr const char* usage =
    "usage: coursefactory COMMAND [options]\n\n"
    "commands:\n"
    "  serve      run the service (coursefactory serve --help lists its options)\n"
    "  pay        complete a pending payment with a signed webhook (coursefactory pay --help)\n"
    "  verify     check the audit trail of a log: coursefactory verify --db FILE\n"
    "  backup     copy a log consistently while it runs: coursefactory backup --db FILE TARGET\n"
    "  rebuild    rebuild the course read model from the log: coursefactory rebuild --db FILE\n"
    "  catalogue  print the event catalogue as Markdown (docs/events.md)\n"
    "  config     print the documented default config file (config/coursefactory.ini)\n";

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in{text};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

cf::retry_policy retry_of(const cf::settings& s) {
  cf::retry_policy p;
  p.initial_delay = std::chrono::milliseconds{s.retry_initial_delay_ms};
  p.multiplier = s.retry_multiplier;
  p.max_delay = std::chrono::milliseconds{s.retry_max_delay_ms};
  p.max_attempts = s.retry_max_attempts;
  return p;
}

int serve(const std::vector<std::string>& args, sigset_t signals) {
  cf::settings s;
  bool help = false;
  if (auto err = cf::parse_command_line(args, s, help); !err.empty()) {
    std::cerr << "coursefactory serve: " << err << "\n";
    return 2;
  }
  if (help) {
    std::cout << cf::serve_help();
    return 0;
  }
  // From here on, what goes wrong is said in JSON log lines (see actors/logging.hpp).
  cf::set_log_level(cf::parse_log_level(s.log_level).value_or(cf::log_level::info));
  auto secret = s.stripe_webhook_secret;
  if (secret.empty()) {
    std::string err;
    secret = cf::load_or_create_secret(s.stripe_webhook_secret_file, err);
    if (secret.empty()) {
      cf::log_event(cf::log_level::error, "main", "no payment webhook secret", {{"error", err}});
      return 1;
    }
  }
  auto store = cf::sqlite_event_store::open(
      s.db, s.durability == "normal" ? cf::durability::normal : cf::durability::full);
  if (!store) {
    cf::log_event(cf::log_level::error, "main", "cannot open the log",
                  {{"db", s.db}, {"error", cf::error_context(store.error())}});
    return 1;
  }
  caf::actor_system_config cfg;
  cf::register_types(cfg);
  // CAF 0.17 alone would start max(4, cores) workers; more workers than cores only sleep and
  // wake in turn (2 cores, POST at 64 connections: 2,770-3,460 req/s with 4, 3,790 with 2).
  auto cores = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  cfg.set("scheduler.max-threads", s.scheduler_threads > 0 ? s.scheduler_threads : cores);
  caf::actor_system sys{cfg};
  auto log = cf::spawn_event_log(sys, std::shared_ptr<cf::sqlite_event_store>{std::move(*store)});
  // EventLog is the service's memory. Should it ever stop on its own (an exception in it), the
  // service stops serving and exits non-zero (the shutdown below reads why it stopped); the next
  // start recovers from the log. The actors wait for its answers without a timeout
  // (cf::log_wait), so this must not go unnoticed.
  caf::actor_cast<caf::abstract_actor*>(log)->attach_functor([](const caf::error& why) {
    if (why == caf::exit_reason::user_shutdown)
      return;
    cf::log_event(cf::log_level::error, "main", "the event log stopped",
                  {{"error", caf::to_string(why)}});
    kill(getpid(), SIGTERM); // taken by the signal thread: stops HTTP, then the actors
  });
  auto gen =
      s.generation_command.empty()
          ? cf::make_builtin_generator()
          : cf::make_external_generator(split_words(s.generation_command), s.generation_timeout_ms);
  cf::course_factory_settings fs;
  // The generator enforces generation.timeout_ms itself (and says why it stopped); the factory's
  // own deadline comes a little later, for a generator that does not answer at all.
  fs.generation_timeout = std::chrono::milliseconds{s.generation_timeout_ms + 2000};
  fs.retry = retry_of(s);
  fs.channels = cf::split_list(s.distribution_channels);
  fs.idempotency_retention = std::chrono::seconds{s.idempotency_retention_s};
  fs.max_in_flight = static_cast<size_t>(s.generation_max_in_flight);
  auto factory = cf::spawn_course_factory(sys, log, gen, fs);
  cf::payment_settings ps;
  ps.expiry = std::chrono::seconds{s.payment_expiry_s};
  auto payment = cf::spawn_payment(sys, log, ps);
  cf::distribution_actor distribution;
  int rc = 0;
  {
    cf::http_server server{sys, {factory, log, payment}, s, secret};
    int port = server.bind();
    if (port < 0) {
      cf::log_event(cf::log_level::error, "main", "cannot listen",
                    {{"host", s.host}, {"port", s.port}});
      rc = 1;
    } else {
      auto base_url = s.site_base_url.empty()
                          ? "http://" + s.host + ":" + std::to_string(port) + "/courses"
                          : s.site_base_url;
      cf::distribution_settings ds;
      ds.retry = fs.retry;
      ds.channels["site"] = cf::make_site_channel(s.site_dir, base_url);
      ds.channels["webhook"] = cf::make_webhook_channel(
          cf::split_list(s.distribution_webhook_urls),
          s.distribution_webhook_secret.empty() ? secret : s.distribution_webhook_secret,
          s.distribution_timeout_ms);
      distribution = cf::spawn_distribution(sys, log, ds);
      std::cout << "coursefactory listening on http://" << s.host << ":" << port
                << " (log: " << s.db << ", site: " << base_url << "/)" << std::endl;
      cf::log_event(cf::log_level::info, "main", "listening",
                    {{"host", s.host}, {"port", port}, {"db", s.db}, {"site", base_url + "/"}});
      std::thread waiter{[&] {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig != SIGUSR1) {
          std::cout << "coursefactory: stopping on signal " << sig << std::endl;
          cf::log_event(cf::log_level::info, "main", "stopping", {{"signal", sig}});
        }
        server.stop();
      }};
      server.run();
      pthread_kill(waiter.native_handle(), SIGUSR1); // wakes it if run() ended by itself
      waiter.join();
    }
  }
  // HTTP has stopped taking connections and answered every request it had (run() returns
  // after its workers finish). Now the actors: producers first, then EventLog once it has
  // committed every append they sent. Work still in flight (a generation, a publication) is
  // carried on at the next start from the log and the checkpoints.
  {
    caf::scoped_actor self{sys};
    for (auto a : {caf::actor_cast<caf::actor>(factory), caf::actor_cast<caf::actor>(payment),
                   caf::actor_cast<caf::actor>(distribution)})
      if (a) {
        self->send_exit(a, caf::exit_reason::user_shutdown);
        self->wait_for(a);
      }
    self->request(log, std::chrono::seconds{10}, cf::head_atom::value)
        .receive([](int64_t) {}, [](caf::error&) {});
    // Why EventLog ended: a log that stopped on its own before (its down message comes at once)
    // or now, rather than by this exit, makes the exit code 1.
    self->monitor(log);
    self->send_exit(log, caf::exit_reason::user_shutdown);
    self->receive([&](const caf::down_msg& down) {
      if (down.reason != caf::exit_reason::user_shutdown)
        rc = 1;
    });
  }
  sys.await_all_actors_done();
  if (rc == 0)
    cf::log_event(cf::log_level::info, "main", "stopped");
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread (all are started later and inherit the mask);
  // one thread takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  auto command = args[0];
  args.erase(args.begin());
  if (command == "serve")
    return serve(args, signals);
  if (command == "pay")
    return cf::run_pay_command(args);
  if (command == "verify")
    return cf::run_verify_command(args);
  if (command == "backup")
    return cf::run_backup_command(args);
  if (command == "rebuild")
    return cf::run_rebuild_command(args);
  if (command == "catalogue") {
    std::cout << cf::catalogue_markdown();
    return 0;
  }
  if (command == "config") {
    std::cout << cf::default_config_file();
    return 0;
  }
  std::cerr << "coursefactory: unknown command " << command << "\n" << usage;
  return 2;
}
