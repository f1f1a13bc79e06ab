// `coursefactory serve`, in the order the service lives: settings, the log, the actors, HTTP, and
// the ordered shutdown.
#include "app/serve.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "actors/bus_inbound.hpp"
#include "actors/bus_relay.hpp"
#include "actors/course_factory.hpp"
#include "actors/distribution.hpp"
#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "actors/type_ids.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/sd_notify.hpp"
#include "app/token_command.hpp"
#include "channels/channel.hpp"
#include "channels/webhook_channel.hpp"
#include "content/generator.hpp"
#include "domain/catalogue.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/crypto.hpp"
#include "util/errc.hpp"
#include "util/file_lock.hpp"
#include "util/log.hpp"

namespace cf {

namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in{text};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// This process's name in the inbound consumer group: host and pid, so that a restarted
/// service is a new consumer and takes over what its predecessor held after claim_idle_ms.
std::string consumer_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string{"coursefactory-"} + host + "-" + std::to_string(getpid());
}

retry_policy retry_of(const settings& s) {
  retry_policy p;
  p.initial_delay = std::chrono::milliseconds{s.retry_initial_delay_ms};
  p.multiplier = s.retry_multiplier;
  p.max_delay = std::chrono::milliseconds{s.retry_max_delay_ms};
  p.max_attempts = s.retry_max_attempts;
  return p;
}

/// How long the service keeps answering after a failed sync before it stops.
constexpr std::chrono::seconds storage_failed_drain{3};

/// What serve() has read before it spawns anything.
struct service_inputs {
  file_lock lock; ///< "<db>.lock", held for the life of the process: one service per log
  settings s;
  std::string webhook_secret;
  std::unique_ptr<sqlite_event_store> store;
  std::shared_ptr<sqlite_token_store> tokens;
};

/// The payment webhook secret and the opened log for settings `given`. Errors are said in log lines
/// before they are returned; `rc` is the exit code they mean.
caf::expected<service_inputs> build_inputs(settings given, int& rc) {
  service_inputs in;
  in.s = std::move(given);
  const auto& s = in.s;
  if (!s.bus_redis_url.empty())
    if (auto url = parse_redis_url(s.bus_redis_url); !url) {
      std::cerr << "coursefactory serve: " << error_context(url.error()) << "\n";
      rc = 2;
      return url.error();
    }
  // One service per log, before anything is read or written (README, "Failure modes").
  if (s.db != ":memory:") {
    auto lock = file_lock::acquire(lock_file_of(s.db));
    if (!lock) {
      std::cerr << "coursefactory serve: the log " << s.db
                << " is in use: " << error_context(lock.error()) << "; one service per log (exit "
                << exit_code::log_in_use << ")\n";
      rc = is(lock.error(), errc::conflict) ? exit_code::log_in_use : exit_code::failure;
      return lock.error();
    }
    in.lock = std::move(*lock);
  }
  // From here on, what goes wrong is said in JSON log lines (see util/log.hpp).
  set_log_level(parse_log_level(s.log_level).value_or(log_level::info));
  rc = 1;
  in.webhook_secret = s.stripe_webhook_secret;
  if (in.webhook_secret.empty()) {
    auto secret = load_or_create_secret(s.stripe_webhook_secret_file);
    if (!secret) {
      log_event(log_level::error, "main", "no payment webhook secret",
                {{"error", error_context(secret.error())}});
      return secret.error();
    }
    in.webhook_secret = std::move(*secret);
  }
  auto store = sqlite_event_store::open(
      s.db, s.durability == "normal" ? durability::normal : durability::full);
  if (!store) {
    log_event(log_level::error, "main", "cannot open the log",
              {{"db", s.db}, {"error", error_context(store.error())}});
    return store.error();
  }
  in.store = std::move(*store);
  // The API tokens; on the first start an admin token, in a file next to the webhook secret's.
  auto tokens = sqlite_token_store::open(s.db);
  auto token_file = admin_token_file(s);
  auto err = tokens ? ensure_admin_token(**tokens, token_file) : tokens.error();
  if (err) {
    log_event(log_level::error, "main", "cannot set up the API tokens",
              {{"file", token_file}, {"error", error_context(err)}});
    return err;
  }
  in.tokens = std::move(*tokens);
  rc = 0;
  return in;
}

/// The actors that live for the whole service; Distribution comes once HTTP has its port (the
/// site channel's URLs name it).
struct service_actors {
  event_log_actor log;
  std::shared_ptr<storage_health> health; ///< How EventLog's writes go.
  bus_relay_actor relay;                  ///< null without bus.redis_url
  bus_relay_actor jobs;      ///< generation.mode = redis: the started events to the workers
  bus_inbound_actor inbound; ///< null without bus.redis_url
  std::shared_ptr<bus_relay_status> bus;
  std::shared_ptr<bus_inbound_status> bus_in;
  course_factory_actor factory;
  payment_actor payment;
  distribution_actor distribution;
  retry_policy retry;
};

service_actors spawn_actors(caf::actor_system& sys, const settings& s,
                            std::unique_ptr<sqlite_event_store> store) {
  service_actors a;
  event_log_options lo;
  lo.health = a.health = std::make_shared<storage_health>();
  // A failed sync: EventLog refuses every later write. The service answers what it can for
  // storage_failed_drain (reads; 503 to writes; /v1/health "failing" with 503, so that a load
  // balancer takes it out), then stops as on SIGTERM and exits with exit_code::storage_failed,
  // so that its supervisor starts a process that reads only what is on disk.
  a.health->on_failed = [](const caf::error&) {
    std::thread{[] {
      std::this_thread::sleep_for(storage_failed_drain);
      kill(getpid(), SIGTERM); // taken by the signal thread, as an operator's would be
    }}.detach();
  };
  if (const char* n = std::getenv("COURSEFACTORY_TEST_EVENT_LOG_DIES_AFTER"))
    lo.die_after_commits = std::atol(n); // test only: tests/integration/storage_faults_test.py
  a.log = spawn_event_log(sys, std::shared_ptr<sqlite_event_store>{std::move(store)}, lo);
  // EventLog is the service's memory. Should it ever stop on its own (an exception in it), the
  // service stops serving and exits non-zero (the shutdown below reads why it stopped); the next
  // start recovers from the log. The actors wait for its answers without a timeout
  // (log_wait), so this must not go unnoticed.
  caf::actor_cast<caf::abstract_actor*>(a.log)->attach_functor([](const caf::error& why) {
    if (why == caf::exit_reason::user_shutdown)
      return;
    log_event(log_level::error, "main", "the event log stopped", {{"error", caf::to_string(why)}});
    kill(getpid(), SIGTERM); // taken by the signal thread: stops HTTP, then the actors
  });
  auto gen =
      s.generation_command.empty()
          ? make_builtin_generator()
          : make_external_generator(split_words(s.generation_command), s.generation_timeout_ms);
  course_factory_settings fs;
  // The generator enforces generation.timeout_ms itself (and says why it stopped); the factory's
  // own deadline comes a little later, for a generator that does not answer at all.
  fs.generation_timeout = std::chrono::milliseconds{s.generation_timeout_ms + 2000};
  fs.retry = a.retry = retry_of(s);
  fs.channels = split_list(s.distribution_channels);
  fs.idempotency_retention = std::chrono::seconds{s.idempotency_retention_s};
  fs.max_in_flight = static_cast<size_t>(s.generation_max_in_flight);
  fs.remote = s.generation_mode == "redis";
  a.factory = spawn_course_factory(sys, a.log, gen, fs);
  payment_settings ps;
  ps.expiry = std::chrono::seconds{s.payment_expiry_s};
  a.payment = spawn_payment(sys, a.log, ps);
  if (!s.bus_redis_url.empty()) {
    bus_relay_settings bs;
    bs.redis = *parse_redis_url(s.bus_redis_url); // checked by build_inputs
    bs.stream = s.bus_stream;
    parse_bus_envelope(s.bus_envelope, bs.envelope);
    bs.maxlen = s.bus_maxlen;
    a.bus = std::make_shared<bus_relay_status>();
    a.relay = spawn_bus_relay(sys, a.log, bs, a.bus);
    if (fs.remote) { // each committed generation.started is a job: the log is the outbox
      bus_relay_settings js = bs;
      js.stream = s.generation_jobs_stream;
      js.pattern = event_types::generation_started;
      js.consumer = "generation_jobs";
      js.envelope = bus_envelope::cloudevents;
      js.maxlen = 0;
      a.jobs = spawn_bus_relay(sys, a.log, js, std::make_shared<bus_relay_status>());
    }
    a.bus_in = std::make_shared<bus_inbound_status>(); // its consumer comes with Distribution
  }
  return a;
}

void spawn_distribution_for(caf::actor_system& sys, service_actors& a, const settings& s,
                            const std::string& base_url, const std::string& webhook_secret) {
  distribution_settings ds;
  ds.retry = a.retry;
  ds.channels["site"] = make_site_channel(s.site_dir, base_url);
  ds.channels["webhook"] = make_webhook_channel(
      split_list(s.distribution_webhook_urls),
      s.distribution_webhook_secret.empty() ? webhook_secret : s.distribution_webhook_secret,
      s.distribution_timeout_ms);
  ds.bus_timeout = std::chrono::seconds{s.distribution_bus_timeout_s};
  a.distribution = spawn_distribution(sys, a.log, ds);
  if (a.bus_in) {
    bus_inbound_settings is;
    is.redis = *parse_redis_url(s.bus_redis_url); // checked by build_inputs
    is.stream = s.bus_inbound_stream;
    is.claim_idle = std::chrono::milliseconds{s.bus_claim_idle_ms};
    is.consumer = consumer_name();
    if (s.generation_mode == "redis") {
      is.results_stream = s.generation_results_stream;
      is.jobs_stream = s.generation_jobs_stream;
    }
    a.inbound = spawn_bus_inbound(sys, a.payment, a.distribution, a.factory, is, a.bus_in);
  }
}

/// Binds, spawns Distribution, serves until a stop signal. Returns the exit code.
int serve_http(caf::actor_system& sys, service_actors& a, const service_inputs& in,
               sigset_t signals) {
  const auto& s = in.s;
  http_server server{sys,
                     {a.factory, a.log, a.payment, a.bus, a.bus_in, in.tokens, a.health},
                     http_options_of(s),
                     in.webhook_secret};
  int port = server.bind();
  if (port < 0) {
    log_event(log_level::error, "main", "cannot listen", {{"host", s.host}, {"port", s.port}});
    return 1;
  }
  auto origin = (s.tls_cert.empty() ? "http://" : "https://") + s.host + ":" + std::to_string(port);
  auto base_url = s.site_base_url.empty() ? origin + "/courses" : s.site_base_url;
  spawn_distribution_for(sys, a, s, base_url, in.webhook_secret);
  std::cout << "coursefactory listening on " << origin << " (log: " << s.db
            << ", site: " << base_url << "/)" << std::endl;
  log_event(log_level::info, "main", "listening",
            {{"host", s.host}, {"port", port}, {"db", s.db}, {"site", base_url + "/"}});
  notify_ready(); // systemd (Type=notify): the port is bound
  std::thread waiter{[&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != SIGUSR1) {
      std::cout << "coursefactory: stopping on signal " << sig << std::endl;
      log_event(log_level::info, "main", "stopping", {{"signal", sig}});
      notify_stopping();
    }
    server.stop();
  }};
  server.run();
  pthread_kill(waiter.native_handle(), SIGUSR1); // wakes it if run() ended by itself
  waiter.join();
  return 0;
}

/// HTTP has stopped taking connections and answered every request it had. Now the actors:
/// producers first, then EventLog once it has committed every append they sent. Work still in
/// flight (a generation, a publication) is carried on at the next start from the log and the
/// checkpoints. Returns 1 when EventLog had stopped on its own, else `rc`.
int shut_down(caf::actor_system& sys, service_actors& a, int rc) {
  caf::scoped_actor self{sys};
  // The inbound consumer before Payment, so that it takes no new entry Payment cannot answer
  // (an unanswered one stays pending until the next process takes it over after claim_idle).
  for (auto h :
       {caf::actor_cast<caf::actor>(a.inbound), caf::actor_cast<caf::actor>(a.factory),
        caf::actor_cast<caf::actor>(a.payment), caf::actor_cast<caf::actor>(a.distribution),
        caf::actor_cast<caf::actor>(a.relay), caf::actor_cast<caf::actor>(a.jobs)})
    if (h) {
      self->send_exit(h, caf::exit_reason::user_shutdown);
      self->wait_for(h);
    }
  self->request(a.log, std::chrono::seconds{10}, head_atom::value)
      .receive([](int64_t) {}, [](caf::error&) {});
  // Why EventLog ended: a log that stopped on its own before (its down message comes at once)
  // or now, rather than by this exit, makes the exit code 1.
  self->monitor(a.log);
  self->send_exit(a.log, caf::exit_reason::user_shutdown);
  self->receive([&](const caf::down_msg& down) {
    if (down.reason != caf::exit_reason::user_shutdown)
      rc = 1;
  });
  return rc;
}

} // namespace

http_options http_options_of(const settings& s) {
  http_options o;
  o.host = s.host;
  o.port = s.port;
  o.threads = s.http_threads;
  o.keep_alive_max = s.http_keep_alive_max;
  o.backlog = s.http_backlog;
  o.max_connections_per_client = s.http_max_connections_per_client;
  o.header_timeout_ms = s.http_header_timeout_ms;
  o.body_timeout_ms = s.http_body_timeout_ms;
  o.tls_cert_file = s.tls_cert;
  o.tls_key_file = s.tls_key;
  o.max_body_bytes = s.http_max_body_bytes;
  o.request_timeout_ms = s.http_request_timeout_ms;
  o.max_streams = s.http_max_streams;
  o.stream_heartbeat_ms = s.http_stream_heartbeat_ms;
  o.rate_limit_per_s = s.http_rate_limit_per_s;
  o.rate_limit_burst = s.http_rate_limit_burst;
  o.site_dir = s.site_dir;
  o.stripe_tolerance_s = s.stripe_tolerance_s;
  return o;
}

int run_serve_command(const std::vector<std::string>& args, sigset_t signals) {
  auto cmd = parse_command_line(args);
  if (!cmd) {
    std::cerr << "coursefactory serve: " << error_context(cmd.error()) << "\n";
    return 2;
  }
  print_warnings("serve", *cmd);
  if (cmd->help) {
    std::cout << serve_help();
    return 0;
  }
  int rc = 0;
  auto in = build_inputs(std::move(cmd->s), rc);
  if (!in)
    return rc;
  caf::actor_system_config cfg;
  register_types(cfg);
  // CAF 0.17 alone would start max(4, cores) workers; more workers than cores only sleep and
  // wake in turn (2 cores, POST at 64 connections: 2,770-3,460 req/s with 4, 3,790 with 2).
  auto cores = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  cfg.set("scheduler.max-threads", in->s.scheduler_threads > 0 ? in->s.scheduler_threads : cores);
  caf::actor_system sys{cfg};
  auto actors = spawn_actors(sys, in->s, std::move(in->store));
  rc = serve_http(sys, actors, *in, signals);
  rc = shut_down(sys, actors, rc);
  if (actors.health->failed) {
    rc = exit_code::storage_failed;
    log_event(log_level::error, "main", "stopped after a failed sync; restart to recover",
              {{"exit_code", rc}});
  }
  actors = service_actors{}; // drop the handles, or await_all_actors_done() waits for ever
  sys.await_all_actors_done();
  if (rc == 0)
    log_event(log_level::info, "main", "stopped");
  return rc;
}

} // namespace cf
