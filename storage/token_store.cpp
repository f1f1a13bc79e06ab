// The tokens table: one connection, one mutex, statements named at the top.
#include "storage/token_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <mutex>
#include <system_error>

#include "storage/detail/store_impl.hpp"
#include "storage/migrations.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

constexpr const char* insert_token =
    "INSERT INTO tokens(name, hash, scopes, created_us, expires_us, revoked_us) "
    "VALUES(?,?,?,?,?,0)";
constexpr const char* revoke_token =
    "UPDATE tokens SET revoked_us = ? WHERE name = ? AND revoked_us = 0";
constexpr const char* token_exists = "SELECT 1 FROM tokens WHERE name = ?";
constexpr const char* select_tokens =
    "SELECT name, hash, scopes, created_us, expires_us, revoked_us FROM tokens ORDER BY name";

// The `token` command waits this long for the service's write lock (a group commit is short).
constexpr int busy_timeout_ms = 5000;

} // namespace

struct sqlite_token_store::impl {
  explicit impl(SQLite::Database migrated) : db(std::move(migrated)) {}
  SQLite::Database db;
  std::mutex mu;
};

sqlite_token_store::sqlite_token_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sqlite_token_store::~sqlite_token_store() = default;

caf::expected<std::unique_ptr<sqlite_token_store>> sqlite_token_store::open(
    const std::string& path) {
  try {
    std::unique_ptr<SQLite::Database> db;
    if (auto err = open_migrated(path, busy_timeout_ms, db))
      return err;
    return std::unique_ptr<sqlite_token_store>{
        new sqlite_token_store(std::make_unique<impl>(std::move(*db)))};
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  } catch (const std::system_error& ex) {
    return make_error(errc::storage_unavailable, ex.what());
  }
}

caf::error sqlite_token_store::create(const api_token& t) {
  if (!is_valid_token_name(t.name))
    return make_error(errc::invalid_argument,
                      "a token name is 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
  if (t.scopes == 0 || t.hash.empty())
    return make_error(errc::invalid_argument, "a token needs a hash and at least one scope");
  std::lock_guard<std::mutex> guard{impl_->mu};
  try {
    SQLite::Statement st{impl_->db, insert_token};
    st.bind(1, t.name);
    st.bind(2, t.hash);
    st.bind(3, scopes_text(t.scopes));
    st.bind(4, t.created_us);
    st.bind(5, t.expires_us);
    st.exec();
    return {};
  } catch (const SQLite::Exception& ex) {
    if ((ex.getErrorCode() & 0xFF) == SQLITE_CONSTRAINT)
      return make_error(errc::conflict, "a token named " + t.name + " exists already");
    return from_exception(ex);
  }
}

caf::error sqlite_token_store::revoke(const std::string& name, int64_t when_us) {
  std::lock_guard<std::mutex> guard{impl_->mu};
  try {
    SQLite::Transaction tx{impl_->db, SQLite::TransactionBehavior::IMMEDIATE};
    SQLite::Statement exists{impl_->db, token_exists};
    exists.bind(1, name);
    if (!exists.executeStep())
      return make_error(errc::not_found, "no token named " + name);
    SQLite::Statement st{impl_->db, revoke_token};
    st.bind(1, when_us);
    st.bind(2, name);
    st.exec();
    tx.commit();
    return {};
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

caf::expected<std::vector<api_token>> sqlite_token_store::load_tokens() {
  std::lock_guard<std::mutex> guard{impl_->mu};
  try {
    SQLite::Statement st{impl_->db, select_tokens};
    std::vector<api_token> out;
    while (st.executeStep()) {
      api_token t;
      t.name = st.getColumn(0).getString();
      t.hash = st.getColumn(1).getString();
      // A stored list this build cannot read grants nothing rather than failing every request.
      auto bits = parse_scopes(st.getColumn(2).getString());
      t.scopes = bits ? *bits : 0;
      t.created_us = st.getColumn(3).getInt64();
      t.expires_us = st.getColumn(4).getInt64();
      t.revoked_us = st.getColumn(5).getInt64();
      out.push_back(std::move(t));
    }
    return out;
  } catch (const SQLite::Exception& ex) {
    return from_exception(ex);
  }
}

} // namespace cf
