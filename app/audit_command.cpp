// The verify, backup and rebuild commands: argument parsing and one line of output around
// storage/audit and the store's rebuild.
#include "app/audit_command.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/commands.hpp"
#include "storage/audit.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/errc.hpp"
#include "util/file_lock.hpp"

namespace cf {

namespace {

constexpr const char* verify_usage =
    "usage: coursefactory verify [--config FILE] [--storage-db FILE] [--state-dir DIR]\n"
    "Checks the audit trail of the event log (storage.db, as `serve` finds it) read-only; the\n"
    "service may be running.\n"
    "Exit status: 0 whole, 1 broken (the first broken seq is named), 2 usage error or "
    "unreadable.\n";

constexpr const char* backup_usage =
    "usage: coursefactory backup [--config FILE] [--storage-db FILE] [--state-dir DIR] TARGET\n"
    "Writes a consistent copy of the event log (storage.db) to TARGET while the service may be\n"
    "running; the copy is verified before it replaces TARGET. Exit status: 0 written, 1 failed,\n"
    "2 usage error.\n";

constexpr const char* rebuild_usage =
    "usage: coursefactory rebuild [--config FILE] [--storage-db FILE] [--state-dir DIR]\n"
    "Rebuilds the course read model in the event log (storage.db) from its events, in one\n"
    "transaction. The service may be running: its writes wait until the rebuild commits. Exit\n"
    "status: 0 rebuilt, 1 failed, 2 usage error or no such file.\n";

// One line on stderr when a service holds the log at `db` (its lock file): what `what` means
// for it. Commands that only read run alongside; none of them takes the lock.
void note_running_service(const std::string& command, const std::string& db, const char* what) {
  if (auto pid = file_lock::holder(lock_file_of(db)); pid > 0)
    std::cerr << "coursefactory " << command << ": note: a service (pid " << pid << ") holds " << db
              << "; " << what << "\n";
}

// Reads the settings of `command` (which takes `words` more words) into `db` and `rest`. Returns
// -1 when the command should run, else the exit status after printing `usage` (0 for --help, 2
// on a usage error).
int parse_command(const char* command, const std::vector<std::string>& args, const char* usage,
                  size_t words, std::string& db, std::vector<std::string>& rest) {
  auto cmd = read_command_line(command, args, {words, {}});
  if (!cmd || (!cmd->help && cmd->words.size() != words)) {
    std::cerr << usage;
    return 2;
  }
  if (cmd->help) {
    std::cout << usage;
    return 0;
  }
  db = cmd->s.db;
  rest = cmd->words;
  return -1;
}

} // namespace

int run_verify_command(const std::vector<std::string>& args) {
  std::string db;
  std::vector<std::string> rest;
  if (int rc = parse_command("verify", args, verify_usage, 0, db, rest); rc >= 0)
    return rc;
  note_running_service("verify", db,
                       "verify reads one consistent snapshot beside it and changes nothing");
  auto report = verify_log(db);
  if (!report) {
    std::cerr << "coursefactory verify: cannot check " << db << ": "
              << error_context(report.error()) << "\n";
    return 2;
  }
  if (!report->ok()) {
    std::cout << "broken at seq " << report->broken_seq << ": " << report->reason << std::endl;
    return 1;
  }
  std::cout << "ok: " << report->events << " events, head hash "
            << (report->head_hash.empty() ? "(none)" : report->head_hash) << std::endl;
  return 0;
}

int run_backup_command(const std::vector<std::string>& args) {
  std::string db;
  std::vector<std::string> rest;
  if (int rc = parse_command("backup", args, backup_usage, 1, db, rest); rc >= 0)
    return rc;
  note_running_service("backup", db,
                       "the copy is one consistent snapshot; what it commits later is not in it");
  auto report = backup_database(db, rest[0]);
  if (!report) {
    std::cerr << "coursefactory backup: " << db << " not copied to " << rest[0] << ": "
              << error_context(report.error()) << "\n";
    return 1;
  }
  std::cout << "backup: " << report->events << " events copied to " << rest[0]
            << ", verified, head hash "
            << (report->head_hash.empty() ? "(none)" : report->head_hash) << std::endl;
  return 0;
}

int run_rebuild_command(const std::vector<std::string>& args) {
  std::string db;
  std::vector<std::string> rest;
  if (int rc = parse_command("rebuild", args, rebuild_usage, 0, db, rest); rc >= 0)
    return rc;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) { // opening would create an empty database
    std::cerr << "coursefactory rebuild: no database file " << db << "\n";
    return 2;
  }
  note_running_service("rebuild", db,
                       "its writes wait for this rebuild's commit, and answer 503 "
                       "storage_unavailable after its 2 s busy timeout");
  auto store = sqlite_event_store::open(db);
  auto report = store ? (*store)->rebuild() : caf::expected<rebuild_report>{store.error()};
  if (!report) {
    std::cerr << "coursefactory rebuild: " << db
              << " not rebuilt: " << error_context(report.error()) << "\n";
    return 1;
  }
  std::cout << "rebuilt: " << report->events << " events folded into " << report->courses
            << " courses in " << std::fixed << std::setprecision(3)
            << static_cast<double>(report->elapsed.count()) / 1e6 << " s" << std::endl;
  return 0;
}

} // namespace cf
