// The upcaster chain and this build's steps, one per past schema version of each type.
#include "domain/upcast.hpp"

#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "util/errc.hpp"
#include "util/json_text.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

std::string describe(int64_t seq, const std::string& type, int32_t version) {
  return "event " + std::to_string(seq) + " (" + type + ") has schema version "
         + std::to_string(version);
}

// Failure events, version 1 -> 2: retry_at tells when the next attempt is due. Version 1 builds
// retried at once after a restart, so a retry planned by them is due at the failure's time.
void add_retry_at(nlohmann::json& data, const event& e) {
  if (data.value("will_retry", false) && !data.contains("retry_at"))
    data["retry_at"] = format_time(e.time_us);
}

upcaster_chain make_upcasters() {
  upcaster_chain chain;
  chain.add(event_types::generation_failed, 1, add_retry_at);
  chain.add(event_types::distribution_failed, 1, add_retry_at);
  chain.add(event_types::distribution_requested, 1,
            [](nlohmann::json& data, const event&) { data["retry_count"] = 0; });
  return chain;
}

} // namespace

void upcaster_chain::add(std::string type, int32_t from_version, upcast_step step) {
  steps_[{std::move(type), from_version}] = step;
}

caf::error upcaster_chain::check(const std::string& type, int32_t version, int32_t target,
                                 int64_t seq) const {
  if (version > target)
    return make_error(
        errc::storage_corrupt,
        describe(seq, type, version) + "; this build reads up to " + std::to_string(target));
  if (version < 1)
    return make_error(errc::storage_corrupt,
                      describe(seq, type, version) + "; versions start at 1");
  for (auto v = version; v < target; ++v)
    if (steps_.count({type, v}) == 0)
      return make_error(errc::storage_corrupt,
                        describe(seq, type, version) + "; this build has no upcaster from version "
                            + std::to_string(v) + " to " + std::to_string(v + 1));
  return {};
}

caf::error upcaster_chain::upcast(event& e, int32_t target) const {
  if (e.schema_version == target)
    return {};
  if (auto err = check(e.type, e.schema_version, target, e.seq))
    return err;
  auto data = parse_json_exact(e.data);
  if (!data.is_object())
    return make_error(errc::storage_corrupt,
                      describe(e.seq, e.type, e.schema_version)
                          + " and data that is not a JSON object: it cannot be upcast");
  try {
    for (auto v = e.schema_version; v < target; ++v) steps_.at({e.type, v})(data, e);
  } catch (const nlohmann::json::exception& ex) { // a value a step reads has another type
    return make_error(errc::storage_corrupt,
                      describe(e.seq, e.type, e.schema_version)
                          + " and data it cannot be upcast from: " + ex.what());
  }
  e.data = data.dump();
  e.schema_version = target;
  return {};
}

const upcaster_chain& upcasters() {
  static const upcaster_chain instance = make_upcasters();
  return instance;
}

caf::error check_readable(const std::string& type, int32_t version, int64_t seq) {
  const auto* info = find_event_type(type);
  if (info == nullptr)
    return make_error(errc::storage_corrupt, "event " + std::to_string(seq) + " has type " + type
                                                 + " (schema version " + std::to_string(version)
                                                 + "), which this build does not know");
  return upcasters().check(type, version, info->schema_version, seq);
}

caf::error upcast(event& e) {
  const auto* info = find_event_type(e.type);
  if (info == nullptr)
    return check_readable(e.type, e.schema_version, e.seq);
  return upcasters().upcast(e, info->schema_version);
}

} // namespace cf
