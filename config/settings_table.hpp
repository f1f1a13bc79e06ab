// Internal to config/: the one table of settings. Every other name of a setting is derived from
// its section and key: the flag --section-key, the environment variable
// COURSEFACTORY_SECTION_KEY, the config file's "[section]" + "key =" line.
#pragma once

#include <caf/error.hpp>
#include <functional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "util/text.hpp"

namespace cf::detail {

struct option {
  const char* section;
  const char* key;
  const char* help;
  std::function<caf::error(settings&, const std::string&)> set; // invalid_argument: why
  std::function<std::string(const settings&)> get;
  /// A file name: relative values from the config file or the environment resolve against
  /// state.dir (see resolve_paths); from a flag, against the working directory.
  bool path = false;
  /// A secret: the environment may also name a file holding it (COURSEFACTORY_..._FILE).
  bool secret = false;

  std::string name() const { return std::string{section} + "." + key; }
  /// "http-port" for http.port (without the leading "--").
  std::string flag() const;
  /// "COURSEFACTORY_HTTP_PORT" for http.port.
  std::string env() const;
};

/// Every setting, in the order --help and the default config file show them.
const std::vector<option>& options();

/// The option named "section.key", or null.
const option* find_by_key(const std::string& key);

using cf::trim; // util/text.hpp: blanks (space, tab, CR) cut from both ends

} // namespace cf::detail
