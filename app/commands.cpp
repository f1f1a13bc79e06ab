// The command table of the coursefactory binary.
#include "app/commands.hpp"

#include <sys/stat.h>

#include <functional>
#include <iostream>
#include <map>

#include "app/audit_command.hpp"
#include "app/pay_command.hpp"
#include "app/serve.hpp"
#include "app/token_command.hpp"
#include "app/worker_command.hpp"
#include "config/settings.hpp"
#include "domain/bus_inbound.hpp"
#include "domain/catalogue.hpp"
#include "domain/event_schema.hpp"
#include "domain/generation_job.hpp"

namespace cf {

namespace {

constexpr const char* usage =
    "usage: coursefactory COMMAND [options]\n\n"
    "commands:\n"
    "  serve      run the service (coursefactory serve --help lists its options)\n"
    "  pay        complete a pending payment with a signed webhook (coursefactory pay --help)\n"
    "  verify     check the audit trail of a log: coursefactory verify --db FILE\n"
    "  backup     copy a log consistently while it runs: coursefactory backup --db FILE TARGET\n"
    "  rebuild    rebuild the course read model from the log: coursefactory rebuild --db FILE\n"
    "  token      create, list or revoke API tokens (coursefactory token --help)\n"
    "  catalogue  the event catalogue as Markdown (docs/events.md); --schemas: JSON Schemas\n"
    "  config     print the documented default config file (config/coursefactory.ini)\n"
    "  worker     run generation jobs from Redis (coursefactory worker --help)\n";

using command_fn = std::function<int(const std::vector<std::string>&)>;

} // namespace

int run_command(std::vector<std::string> args, sigset_t stop_signals) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  const std::map<std::string, command_fn> commands{
      {"serve", [&](const auto& a) { return run_serve_command(a, stop_signals); }},
      {"pay", run_pay_command},
      {"verify", run_verify_command},
      {"backup", run_backup_command},
      {"rebuild", run_rebuild_command},
      {"worker", [&](const auto& a) { return run_worker_command(a, stop_signals); }},
      {"token", run_token_command},
      {"catalogue",
       [](const auto& a) {
         if (!a.empty() && a[0] == "--schemas") // JSON Schemas (tools/contracts/generate.py)
           std::cout << nlohmann::json{{"events", catalogue_schemas()},
                                       {"inbound", inbound_schemas()},
                                       {"generation_result", generation_result_schema()}}
                            .dump(2)
                     << "\n";
         else
           std::cout << catalogue_markdown();
         return 0;
       }},
      {"config",
       [](const auto&) {
         std::cout << default_config_file();
         return 0;
       }},
  };
  // Everything the service creates is its own: the database with its -wal and -shm, secrets,
  // tokens, backups and folders (mode 0600 / 0700), whatever umask the caller had.
  ::umask(077);
  auto command = args[0];
  args.erase(args.begin());
  auto it = commands.find(command);
  if (it == commands.end()) {
    std::cerr << "coursefactory: unknown command " << command << "\n" << usage;
    return 2;
  }
  return it->second(args);
}

} // namespace cf
