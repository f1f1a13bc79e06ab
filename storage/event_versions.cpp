// The start-up check of event types and schema versions, by index seeks over events_by_schema.
#include "storage/detail/event_versions.hpp"

#include <SQLiteCpp/Statement.h>

#include <string>

#include "domain/upcast.hpp"

namespace cf {

namespace {

constexpr const char* next_type_sql =
    "SELECT type FROM events WHERE type > ? ORDER BY type LIMIT 1";
// Two seeks, not MIN() and MAX() in one query: SQLite optimises a lone MIN or MAX into a seek,
// but both together scan every index entry of the type (linear in the log: measured 10k page
// reads at start-up with a million events).
constexpr const char* lowest_version_sql =
    "SELECT schema_version FROM events WHERE type = ? ORDER BY schema_version LIMIT 1";
constexpr const char* highest_version_sql =
    "SELECT schema_version FROM events WHERE type = ? ORDER BY schema_version DESC LIMIT 1";
constexpr const char* first_seq_sql =
    "SELECT MIN(seq) FROM events WHERE type = ? AND schema_version = ?";

} // namespace

caf::error check_event_versions(SQLite::Database& db) {
  SQLite::Statement next_type{db, next_type_sql};
  SQLite::Statement lowest_of{db, lowest_version_sql};
  SQLite::Statement highest_of{db, highest_version_sql};
  SQLite::Statement first_seq{db, first_seq_sql};
  auto seq_of = [&](const std::string& type, int32_t version) {
    first_seq.reset();
    first_seq.bind(1, type);
    first_seq.bind(2, version);
    first_seq.executeStep();
    auto seq = first_seq.getColumn(0).getInt64();
    first_seq.reset();
    return seq;
  };
  for (std::string type;;) {
    next_type.reset();
    next_type.bind(1, type);
    if (!next_type.executeStep())
      return {};
    type = next_type.getColumn(0).getString();
    next_type.reset();
    auto version_by = [&](SQLite::Statement& st) {
      st.reset();
      st.bind(1, type);
      st.executeStep();
      auto v = st.getColumn(0).getInt();
      st.reset();
      return v;
    };
    int32_t lowest = version_by(lowest_of);
    int32_t highest = version_by(highest_of);
    // The newest version first: an unknown type or a too new version is the likelier news. The
    // oldest then covers every version between, since a chain from it passes through them all.
    for (auto version : {highest, lowest})
      if (check_readable(type, version, 0))
        return check_readable(type, version, seq_of(type, version));
  }
}

} // namespace cf
