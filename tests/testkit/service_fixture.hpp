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
#include "actors/errc.hpp"
#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "http/server.hpp"
#include "storage/sqlite_event_store.hpp"

namespace cf::testkit {

/// A fresh temporary folder, removed with everything in it on destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir();
  ~temp_dir();
  std::string file(const std::string& name) const { return (path / name).string(); }
};

class service_fixture {
public:
  /// Starts EventLog over a new database and CourseFactory with `gen` (built-in when null).
  explicit service_fixture(std::shared_ptr<generator> gen = nullptr,
                           course_factory_settings fs = {});
  ~service_fixture();

  caf::actor_system& sys() { return *sys_; }
  event_log_actor log() const { return log_; }
  course_factory_actor factory() const { return factory_; }
  const std::string& db_path() const { return db_path_; }

  /// Starts the HTTP front on 127.0.0.1 and an ephemeral port; returns the port.
  int start_http(settings s = {});

  /// Sends a request and waits up to `timeout` for the reply or error.
  template <class R, class Handle, class... Ts>
  caf::expected<R> call(const Handle& h, Ts&&... xs) {
    caf::expected<R> result = make_error(errc::internal, "no reply");
    caf::scoped_actor self{*sys_};
    self->request(h, std::chrono::seconds{10}, std::forward<Ts>(xs)...)
        .receive([&](R& r) { result = std::move(r); },
                 [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  /// Blocks until an event of `type` for `subject` is committed (or was already), up to
  /// `timeout`. Returns it, or nothing on timeout. Uses a log subscription, not polling.
  std::optional<event> await_event(const std::string& type, const std::string& subject,
                                   std::chrono::milliseconds timeout = std::chrono::seconds{10});

private:
  temp_dir dir_;
  std::string db_path_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  event_log_actor log_;
  course_factory_actor factory_;
  std::unique_ptr<http_server> http_;
  std::thread http_thread_;
};

} // namespace cf::testkit
