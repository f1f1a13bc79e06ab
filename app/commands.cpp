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
#include "storage/sqlite_event_store.hpp"
#include "util/build_info.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

constexpr const char* usage =
    "usage: coursefactory COMMAND [options]\n"
    "       coursefactory --version\n\n"
    "commands:\n"
    "  serve      run the service (coursefactory serve --help lists its options)\n"
    "  pay        complete a pending payment with a signed webhook (coursefactory pay --help)\n"
    "  verify     check the audit trail of the log (coursefactory verify --help)\n"
    "  backup     copy the log consistently while it runs: coursefactory backup TARGET\n"
    "  rebuild    rebuild the course read model from the log (coursefactory rebuild --help)\n"
    "  token      create, list or revoke API tokens (coursefactory token --help)\n"
    "  catalogue  the event catalogue as Markdown (docs/events.md); --schemas: JSON Schemas\n"
    "  config     print the documented default config file (config/coursefactory.ini);\n"
    "             with --markdown, the README's table of settings\n"
    "  worker     run generation jobs from Redis (coursefactory worker --help)\n\n"
    "serve, verify, backup, rebuild, token and pay read the same settings: --config FILE, the\n"
    "COURSEFACTORY_* environment and the flags of `coursefactory serve --help`; files live in\n"
    "state.dir (--state-dir, default ./var).\n";

using command_fn = std::function<int(const std::vector<std::string>&)>;

} // namespace

std::string version_text() {
  return std::string{"coursefactory "} + build_version() + " (commit " + build_commit()
         + ", schema " + std::to_string(sqlite_event_store::schema_version) + ")";
}

void print_warnings(const std::string& command, const command_line& cmd) {
  for (const auto& w : cmd.warnings)
    std::cerr << "coursefactory " << command << ": warning: " << w << "\n";
}

std::optional<command_line> read_command_line(const std::string& command,
                                              const std::vector<std::string>& args,
                                              const command_syntax& syntax) {
  auto cmd = parse_command_line(args, syntax);
  if (!cmd) {
    std::cerr << "coursefactory " << command << ": " << error_context(cmd.error()) << "\n";
    return std::nullopt;
  }
  print_warnings(command, *cmd);
  return std::move(*cmd);
}

int run_command(std::vector<std::string> args, sigset_t stop_signals) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << version_text() << std::endl;
    return 0;
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
       [](const auto& a) {
         if (!a.empty() && a != std::vector<std::string>{"--markdown"}) {
           std::cerr << "usage: coursefactory config [--markdown]\n";
           return 2;
         }
         std::cout << (a.empty() ? default_config_file() : settings_markdown());
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
