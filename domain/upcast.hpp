// Schema versions on read: an event stored under an older schema version of its type is brought
// up to the version this build writes (the catalogue's) through a chain of one-step upcasters,
// each taking the data of version N to N+1. Code past storage only ever sees current versions.
#pragma once

#include <caf/error.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>

#include "domain/event.hpp"

namespace cf {

/// One step: rewrites `data` of version N into version N+1. `e` is the stored event (its data
/// still the old text), for steps that need its time or ids.
using upcast_step = void (*)(nlohmann::json& data, const event& e);

/// Upcasters keyed by (type, from_version).
class upcaster_chain {
public:
  /// Registers the step from `from_version` to `from_version + 1` of `type`.
  void add(std::string type, int32_t from_version, upcast_step step);

  /// Empty when an event of `type` stored at `version` can be brought to `target`: a step for
  /// every version in [version, target). Otherwise errc::storage_corrupt naming seq, type and
  /// version: a version newer than `target` or below 1, or a gap in the chain.
  [[nodiscard]] caf::error check(const std::string& type, int32_t version, int32_t target,
                                 int64_t seq) const;

  /// Brings `e` to version `target` (data and schema_version). Does nothing, and parses nothing,
  /// when it is already there. Errors as check(), plus storage_corrupt when the data is not a
  /// JSON object; `e` is unchanged on error.
  [[nodiscard]] caf::error upcast(event& e, int32_t target) const;

private:
  std::map<std::pair<std::string, int32_t>, upcast_step> steps_;
};

/// This build's chain: every past version of every catalogue type.
const upcaster_chain& upcasters();

/// Empty when this build can read an event of `type` at `version` (the catalogue knows the type
/// and upcasters() reaches its current version). Otherwise errc::storage_corrupt, e.g. "event
/// 42 (course.distribution.failed) has schema version 7; this build reads up to 2".
[[nodiscard]] caf::error check_readable(const std::string& type, int32_t version, int64_t seq);

/// Brings `e` to the catalogue's current version of its type with upcasters(). Cheap for an
/// event already current (two integer compares after the catalogue lookup). Errors as
/// check_readable (an unknown type included); `e` is unchanged on error.
[[nodiscard]] caf::error upcast(event& e);

} // namespace cf
