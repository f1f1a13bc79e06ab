// coursefactory: wiring only. Reads settings, opens the log, spawns the actors, serves HTTP.
#include <pthread.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "actors/catalogue.hpp"
#include "actors/course_factory.hpp"
#include "actors/errc.hpp"
#include "actors/event_log.hpp"
#include "actors/generator.hpp"
#include "actors/type_ids.hpp"
#include "config/settings.hpp"
#include "http/server.hpp"
#include "storage/sqlite_event_store.hpp"

namespace {

constexpr const char* usage =
    "usage: coursefactory COMMAND [options]\n\n"
    "commands:\n"
    "  serve      run the service (coursefactory serve --help lists its options)\n"
    "  catalogue  print the event catalogue as Markdown (docs/events.md)\n"
    "  config     print the documented default config file (config/coursefactory.ini)\n";

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
  auto store = cf::sqlite_event_store::open(
      s.db, s.durability == "normal" ? cf::durability::normal : cf::durability::full);
  if (!store) {
    std::cerr << "coursefactory: cannot open " << s.db << ": " << cf::error_context(store.error())
              << "\n";
    return 1;
  }
  caf::actor_system_config cfg;
  cf::register_types(cfg);
  if (s.scheduler_threads > 0)
    cfg.set("scheduler.max-threads", s.scheduler_threads);
  caf::actor_system sys{cfg};
  auto log = cf::spawn_event_log(sys, std::shared_ptr<cf::sqlite_event_store>{std::move(*store)});
  cf::course_factory_settings fs;
  fs.generation_timeout = std::chrono::milliseconds{s.generation_timeout_ms};
  auto factory = cf::spawn_course_factory(sys, log, cf::make_builtin_generator(), fs);
  int rc = 0;
  {
    cf::http_server server{sys, {factory, log}, s};
    int port = server.bind();
    if (port < 0) {
      std::cerr << "coursefactory: cannot listen on " << s.host << ":" << s.port << "\n";
      rc = 1;
    } else {
      std::cout << "coursefactory listening on http://" << s.host << ":" << port
                << " (log: " << s.db << ")" << std::endl;
      std::thread waiter{[&] {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig != SIGUSR1)
          std::cout << "coursefactory: stopping on signal " << sig << std::endl;
        server.stop();
      }};
      server.run();
      pthread_kill(waiter.native_handle(), SIGUSR1); // wakes it if run() ended by itself
      waiter.join();
    }
  }
  caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
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
