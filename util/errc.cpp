// Names and context access for cf::errc.
#include "util/errc.hpp"

namespace cf {

std::string to_string(errc x) {
  switch (x) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::storage_unavailable:
      return "storage_unavailable";
    case errc::storage_corrupt:
      return "storage_corrupt";
    case errc::generator_transient:
      return "generator_transient";
    case errc::generator_permanent:
      return "generator_permanent";
    case errc::channel_transient:
      return "channel_transient";
    case errc::channel_permanent:
      return "channel_permanent";
    case errc::duplicate:
      return "duplicate";
    case errc::internal:
      return "internal";
    case errc::overloaded:
      return "overloaded";
    case errc::storage_full:
      return "storage_full";
    case errc::storage_failed:
      return "storage_failed";
  }
  return "unknown";
}

std::string error_context(const caf::error& err) {
  if (!err) // CAF 0.17: context() of an empty error dereferences its missing data
    return {};
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

} // namespace cf
