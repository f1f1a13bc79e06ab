// Test kit: the real service in-process: a temporary SQLite file, the real EventLog and
// CourseFactory on CAF's normal scheduler, and optionally the HTTP front on an ephemeral port.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "actors/course_factory.hpp"
#include "actors/distribution.hpp"
#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "actors/type_ids.hpp"
#include "http/server.hpp"
#include "storage/sqlite_event_store.hpp"
#include "tests/testkit/sync.hpp"
#include "tests/testkit/tokens.hpp"
#include "util/errc.hpp"

namespace cf::testkit {

/// A fresh temporary folder, removed with everything in it on destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir();
  ~temp_dir();
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// How to set up the in-process service. Defaults: built-in generator, site channel into a
/// temporary folder (URLs "/courses/<slug>/"), webhook secret "whsec_test", short retries.
struct service_options {
  std::shared_ptr<generator> gen; ///< Null: the built-in generator.
  course_factory_settings factory;
  payment_settings payment;
  distribution_settings distribution; ///< Its "site" channel is added unless present.
  std::string webhook_secret = "whsec_test";
  std::string db_path;   ///< Empty: a new database in a temporary folder.
  bool log_only = false; ///< EventLog alone: no actor reacts to (or recovers) what tests append.
  std::string vfs;       ///< The SQLite VFS to open the database with (empty: the default).
  service_options();
};

class service_fixture {
public:
  /// Starts EventLog over a new database, CourseFactory, Payment and Distribution.
  explicit service_fixture(service_options o = {});

  /// The same with generator `gen` (built-in when null) and factory settings `fs`.
  service_fixture(std::shared_ptr<generator> gen, course_factory_settings fs = {});
  ~service_fixture();

  caf::actor_system& sys() { return *sys_; }
  event_log_actor log() const { return log_; }
  course_factory_actor factory() const { return factory_; }
  payment_actor payment() const { return payment_; }
  distribution_actor distribution() const { return distribution_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& site_dir() const { return site_dir_; }
  const std::string& webhook_secret() const { return options_.webhook_secret; }

  /// Starts the HTTP front on 127.0.0.1 and an ephemeral port; returns the port. It accepts the
  /// bearer token testkit::admin_token (tests/testkit/tokens.hpp).
  int start_http(http_options s = {});

  /// Sends a request and waits for the reply or error (up to `patience`).
  template <class R, class Handle, class... Ts>
  caf::expected<R> call(const Handle& h, Ts&&... xs) {
    caf::expected<R> result = make_error(errc::internal, "no reply");
    caf::scoped_actor self{*sys_};
    self->request(h, patience, std::forward<Ts>(xs)...)
        .receive([&](R& r) { result = std::move(r); },
                 [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  /// Blocks until an event of `type` for `subject` is committed (or was already), up to
  /// `timeout`. Returns it, or nothing on timeout. Uses a log subscription, not polling.
  std::optional<event> await_event(const std::string& type, const std::string& subject,
                                   std::chrono::milliseconds timeout = patience);

  /// The checkpoint stored for `consumer` ("payment", "course_factory", "distribution"); 0 when
  /// it has none.
  int64_t checkpoint_of(const std::string& consumer);

  /// Waits (up to `patience`) until `consumer`'s stored checkpoint reaches `seq`. Then every
  /// event of its subscription up to `seq` was handled and the effect committed: the barrier
  /// after which a test may check that some effect did not happen.
  bool await_checkpoint(const std::string& consumer, int64_t seq);

  /// The types of `subject`'s events so far, in order.
  std::vector<std::string> types_of(const std::string& subject);

private:
  temp_dir dir_;
  std::string db_path_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  event_log_actor log_;
  course_factory_actor factory_;
  payment_actor payment_;
  distribution_actor distribution_;
  service_options options_;
  std::string site_dir_;
  std::unique_ptr<http_server> http_;
  std::thread http_thread_;
};

} // namespace cf::testkit
