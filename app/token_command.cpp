// The token command: argument checks first (a usage error writes nothing), then one call to the
// token store. Tokens are printed once, at creation; only their hashes are stored.
#include "app/token_command.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/commands.hpp"
#include "util/crypto.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

constexpr const char* usage =
    "usage: coursefactory token create --name NAME --scopes LIST [--expires-in-days N] [settings]\n"
    "       coursefactory token list [settings]\n"
    "       coursefactory token revoke NAME [settings]\n"
    "settings: --config FILE, --storage-db FILE, --state-dir DIR (the database `serve` uses).\n"
    "create prints the new token (and nothing else) on stdout; only its hash is stored.\n"
    "LIST: comma-separated scopes: courses:write, courses:read, events:read, metrics:read, or\n"
    "admin (all of them). NAME: 1-64 characters of A-Z a-z 0-9 . _ -. The running service sees\n"
    "new and revoked tokens within a second. Exit status: 0 done, 1 failed, 2 usage error.\n";

int usage_error(const std::string& why) {
  std::cerr << "coursefactory token: " << why << "\n" << usage;
  return 2;
}

int failed(const caf::error& err) {
  std::cerr << "coursefactory token: " << error_context(err) << "\n";
  return 1;
}

std::string time_or(int64_t us, const char* none) { return us == 0 ? none : format_time(us); }

int list(sqlite_token_store& store) {
  auto tokens = store.load_tokens();
  if (!tokens)
    return failed(tokens.error());
  std::cout << "NAME\tSCOPES\tCREATED\tEXPIRES\tREVOKED\n";
  for (const auto& t : *tokens)
    std::cout << t.name << '\t' << scopes_text(t.scopes) << '\t' << format_time(t.created_us)
              << '\t' << time_or(t.expires_us, "never") << '\t' << time_or(t.revoked_us, "no")
              << '\n';
  return 0;
}

// Days for --expires-in-days: 1 to 36500.
bool parse_days(const std::string& text, int64_t& days) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  days = std::stoll(text);
  return days >= 1 && days <= 36500;
}

} // namespace

std::string admin_token_file(const settings& s) {
  return (std::filesystem::path{s.stripe_webhook_secret_file}.parent_path() / "admin-token")
      .string();
}

caf::expected<std::string> make_token() {
  auto random = random_hex(32);
  if (!random)
    return random.error();
  return "cf_" + *random;
}

caf::error ensure_admin_token(sqlite_token_store& store, const std::string& file) {
  auto tokens = store.load_tokens();
  if (!tokens)
    return tokens.error();
  if (!tokens->empty())
    return {};
  auto token = make_token();
  if (!token)
    return token.error();
  // The file first: a token stored but written nowhere could never be used. A stale file (its
  // database was replaced) is replaced; rename() makes the new one appear whole.
  auto tmp = file + ".tmp";
  std::remove(tmp.c_str());
  if (auto err = create_private_file(tmp, *token + "\n"))
    return err;
  if (std::rename(tmp.c_str(), file.c_str()) != 0)
    return make_error(errc::storage_unavailable, "cannot rename " + tmp + " to " + file);
  api_token t;
  t.name = "admin";
  t.hash = token_hash(*token);
  t.scopes = scopes::admin;
  t.created_us = now_us();
  if (auto err = store.create(t))
    return err;
  log_event(log_level::info, "main", "created the admin API token", {{"file", file}});
  return {};
}

int run_token_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << usage;
    return 0;
  }
  auto cmd = read_command_line("token", args, {2, {"name", "scopes", "expires-in-days"}});
  if (!cmd) {
    std::cerr << usage;
    return 2;
  }
  std::map<std::string, std::string> opts;
  for (const auto& [flag, value] : cmd->extras) opts["--" + flag] = value;
  const auto& words = cmd->words;
  if (words.empty())
    return usage_error("name a subcommand: create, list or revoke");
  auto sub = words[0];
  const auto& db = cmd->s.db;
  api_token t;
  if (sub == "create") {
    if (words.size() != 1)
      return usage_error("create takes no words besides its options");
    t.name = opts["--name"];
    if (!is_valid_token_name(t.name))
      return usage_error("--name must be 1-64 characters of A-Z a-z 0-9 . _ -");
    auto bits = parse_scopes(opts["--scopes"]);
    if (!bits)
      return usage_error("--scopes: " + error_context(bits.error()));
    t.scopes = *bits;
    t.created_us = now_us();
    int64_t days = 0;
    if (opts.count("--expires-in-days")) {
      if (!parse_days(opts["--expires-in-days"], days))
        return usage_error("--expires-in-days must be a whole number from 1 to 36500");
      t.expires_us = t.created_us + days * 86400 * int64_t{1000000};
    }
  } else if (sub == "list" || sub == "revoke") {
    if (opts.count("--name") || opts.count("--scopes") || opts.count("--expires-in-days"))
      return usage_error(sub + " takes no --name, --scopes or --expires-in-days");
    if (words.size() != (sub == "list" ? 1u : 2u))
      return usage_error(sub == "list" ? "list takes no name" : "revoke takes one NAME");
  } else {
    return usage_error("unknown subcommand " + sub);
  }
  std::error_code ec;
  if (sub != "create" && !std::filesystem::exists(db, ec)) // list and revoke make no database
    return failed(make_error(errc::not_found, "no database at " + db));
  auto store = sqlite_token_store::open(db);
  if (!store)
    return failed(store.error());
  if (sub == "list")
    return list(**store);
  if (sub == "revoke") {
    if (auto err = (*store)->revoke(words[1], now_us()))
      return failed(err);
    std::cerr << "coursefactory token: revoked " << words[1] << "\n";
    return 0;
  }
  auto token = make_token();
  if (!token)
    return failed(token.error());
  t.hash = token_hash(*token);
  if (auto err = (*store)->create(t))
    return failed(err);
  std::cout << *token << std::endl;
  return 0;
}

} // namespace cf
