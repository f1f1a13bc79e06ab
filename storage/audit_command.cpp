// The verify and backup commands: argument parsing and one line of output around storage/audit.
#include "storage/audit_command.hpp"

#include <iostream>

#include "actors/errc.hpp"
#include "storage/audit.hpp"

namespace cf {

namespace {

constexpr const char* verify_usage =
    "usage: coursefactory verify --db FILE\n"
    "Checks the audit trail of the event log in FILE (read-only; the service may be running).\n"
    "Exit status: 0 whole, 1 broken (the first broken seq is named), 2 usage error or "
    "unreadable.\n";

constexpr const char* backup_usage =
    "usage: coursefactory backup --db FILE TARGET\n"
    "Writes a consistent copy of FILE to TARGET while the service may be running; the copy is\n"
    "verified before it replaces TARGET. Exit status: 0 written, 1 failed, 2 usage error.\n";

// Splits `args` into the value of --db (or --db=FILE) and the remaining words. False on a
// malformed argument.
bool parse(const std::vector<std::string>& args, std::string& db, std::vector<std::string>& rest,
           bool& help) {
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h")
      help = true;
    else if (a == "--db" && i + 1 < args.size())
      db = args[++i];
    else if (a.rfind("--db=", 0) == 0)
      db = a.substr(5);
    else if (!a.empty() && a[0] == '-')
      return false;
    else
      rest.push_back(a);
  }
  return true;
}

} // namespace

int run_verify_command(const std::vector<std::string>& args) {
  std::string db;
  std::vector<std::string> rest;
  bool help = false;
  if (!parse(args, db, rest, help) || (!help && (db.empty() || !rest.empty()))) {
    std::cerr << verify_usage;
    return 2;
  }
  if (help) {
    std::cout << verify_usage;
    return 0;
  }
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
  bool help = false;
  if (!parse(args, db, rest, help) || (!help && (db.empty() || rest.size() != 1))) {
    std::cerr << backup_usage;
    return 2;
  }
  if (help) {
    std::cout << backup_usage;
    return 0;
  }
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

} // namespace cf
