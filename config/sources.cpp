// Where settings come from besides the defaults: the command line (derived flags and the old
// names), the environment (COURSEFACTORY_*, secrets also *_FILE) and --config; then the file names
// resolved against state.dir.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/settings.hpp"
#include "config/settings_table.hpp"
#include "util/errc.hpp"

extern char** environ; // NOLINT: POSIX

namespace cf {

using detail::find_by_key;
using detail::option;
using detail::options;

namespace {

constexpr const char* env_prefix = "COURSEFACTORY_";

caf::error bad(std::string why) { return make_error(errc::invalid_argument, std::move(why)); }

const option* find_by_flag(const std::string& flag) {
  for (const auto& o : options())
    if (flag == o.flag())
      return &o;
  return nullptr;
}

/// The environment variables of earlier releases that the derived names replace.
const std::vector<std::pair<std::string, std::string>>& deprecated_variables() {
  static const std::vector<std::pair<std::string, std::string>> names{
      {"COURSEFACTORY_STRIPE_WEBHOOK_SECRET", "payment.stripe_webhook_secret"},
  };
  return names;
}

/// The content of the file a *_FILE variable names, without one trailing newline.
caf::expected<std::string> read_secret_file(const std::string& variable, const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    std::error_code ec;
    return make_error(
        std::filesystem::exists(path, ec) ? errc::storage_unavailable : errc::not_found,
        variable + ": cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto value = text.str();
  if (!value.empty() && value.back() == '\n')
    value.pop_back();
  if (!value.empty() && value.back() == '\r')
    value.pop_back();
  return value;
}

/// Applies the COURSEFACTORY_* entries of `env` to `s`, in the table's order; names that set
/// nothing become warnings. Empty values count as unset.
caf::error apply_environment(const std::vector<std::string>& env, settings& s,
                             std::vector<std::string>& warnings) {
  std::map<std::string, std::string> vars;
  for (const auto& entry : env) {
    auto eq = entry.find('=');
    if (entry.rfind(env_prefix, 0) == 0 && eq != std::string::npos && eq + 1 < entry.size())
      vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  std::set<std::string> used;
  for (const auto& [old_name, key] : deprecated_variables()) {
    auto it = vars.find(old_name);
    if (it == vars.end())
      continue;
    used.insert(old_name);
    const auto* o = find_by_key(key);
    warnings.push_back(old_name + " is deprecated: use " + o->env()
                       + " (the old name goes in a later release)");
    if (vars.count(o->env()) == 0 && vars.count(o->env() + "_FILE") == 0)
      if (auto err = o->set(s, it->second))
        return bad(old_name + ": " + error_context(err));
  }
  for (const auto& o : options()) {
    auto name = o.env();
    auto direct = vars.find(name);
    // A secret's *_FILE, unless that is itself a setting (payment.stripe_webhook_secret_file).
    auto file = o.secret && find_by_key(o.name() + "_file") == nullptr ? vars.find(name + "_FILE")
                                                                       : vars.end();
    if (direct != vars.end() && file != vars.end())
      return bad(name + " and " + name + "_FILE are both set: give one");
    std::string value, from = name;
    if (direct != vars.end()) {
      value = direct->second;
      used.insert(name);
    } else if (file != vars.end()) {
      from = name + "_FILE";
      used.insert(from);
      auto content = read_secret_file(from, file->second);
      if (!content)
        return content.error();
      value = std::move(*content);
    } else {
      continue;
    }
    if (auto err = o.set(s, value))
      return bad(from + ": " + error_context(err));
  }
  for (const auto& [name, value] : vars)
    if (used.count(name) == 0)
      warnings.push_back(name + " names no setting (ignored; see `coursefactory serve --help`)");
  return caf::none;
}

/// A relative file name in `s` joined to state.dir, unless it came from a flag (`from_flags`:
/// those are already absolute). ":memory:" and "file:" URIs are SQLite's and stay as they are.
void resolve_paths(settings& s, const std::set<std::string>& from_flags) {
  for (const auto& o : options()) {
    if (!o.path || from_flags.count(o.name()) > 0)
      continue;
    auto value = o.get(s);
    if (value.empty() || value == ":memory:" || value.rfind("file:", 0) == 0
        || std::filesystem::path{value}.is_absolute())
      continue;
    (void)o.set(s, (std::filesystem::path{s.state_dir} / value).string()); // was valid
  }
}

} // namespace

const std::vector<std::pair<std::string, std::string>>& deprecated_flags() {
  static const std::vector<std::pair<std::string, std::string>> flags{
      {"host", "http.host"},
      {"port", "http.port"},
      {"tls-cert", "http.tls_cert"},
      {"tls-key", "http.tls_key"},
      {"db", "storage.db"},
      {"durability", "storage.durability"},
      {"scheduler-threads", "actors.scheduler_threads"},
      {"stripe-webhook-secret", "payment.stripe_webhook_secret"},
      {"stripe-webhook-secret-file", "payment.stripe_webhook_secret_file"},
      {"stripe-tolerance-s", "payment.signature_tolerance_s"},
      {"redis-url", "bus.redis_url"},
  };
  return flags;
}

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

caf::expected<command_line> parse_command_line(const std::vector<std::string>& args,
                                               const command_syntax& syntax,
                                               const std::vector<std::string>* env) {
  command_line out;
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      if (out.words.size() >= syntax.max_words)
        return bad("unexpected argument " + a);
      out.words.push_back(a);
      continue;
    }
    auto eq = a.find('=');
    auto name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value;
    if (eq != std::string::npos)
      value = a.substr(eq + 1);
    else if (i + 1 < args.size())
      value = args[++i];
    else
      return bad("--" + name + " needs a value");
    flags.emplace_back(name, value);
  }
  for (const auto& [name, value] : flags) {
    if (name != "config")
      continue;
    auto loaded = load_config_file(value, std::move(out.s));
    if (!loaded)
      return loaded.error();
    out.s = std::move(*loaded);
  }
  if (auto err = apply_environment(env ? *env : process_environment(), out.s, out.warnings))
    return err;
  std::set<std::string> from_flags;
  for (const auto& [name, value] : flags) {
    if (name == "config")
      continue;
    if (std::find(syntax.extras.begin(), syntax.extras.end(), name) != syntax.extras.end()) {
      out.extras.emplace_back(name, value);
      continue;
    }
    const auto* o = find_by_flag(name);
    for (const auto& [old_name, key] : deprecated_flags())
      if (o == nullptr && name == old_name) {
        o = find_by_key(key);
        out.warnings.push_back("--" + name + " is deprecated: use --" + o->flag()
                               + " (the old name goes in a later release)");
      }
    if (o == nullptr)
      return bad("unknown option --" + name + " (see --help)");
    auto given = value;
    if (o->path && !given.empty() && given != ":memory:" && given.rfind("file:", 0) != 0)
      given = std::filesystem::absolute(given).string(); // as a shell user means it
    if (auto err = o->set(out.s, given))
      return bad("--" + name + ": " + error_context(err));
    from_flags.insert(o->name());
  }
  resolve_paths(out.s, from_flags);
  if (auto err = check(out.s))
    return err;
  return out;
}

} // namespace cf
