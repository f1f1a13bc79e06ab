// Test kit: the in-process service and temporary folders.
#include "tests/testkit/service_fixture.hpp"

#include <caf/after.hpp>
#include <random>
#include <stdexcept>

#include "actors/errc.hpp"
#include "actors/generator.hpp"

namespace cf::testkit {

temp_dir::temp_dir() {
  std::random_device rd;
  path = std::filesystem::temp_directory_path()
         / ("coursefactory-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

service_fixture::service_fixture(std::shared_ptr<generator> gen, course_factory_settings fs)
    : db_path_(dir_.file("events.db")) {
  register_types(cfg_);
  cfg_.set("scheduler.max-threads", 2);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  auto store = sqlite_event_store::open(db_path_);
  if (!store)
    throw std::runtime_error("cannot open test database: " + sys_->render(store.error()));
  log_ = spawn_event_log(*sys_, std::shared_ptr<sqlite_event_store>{std::move(*store)});
  factory_ = spawn_course_factory(*sys_, log_, gen ? gen : make_builtin_generator(), fs);
}

service_fixture::~service_fixture() {
  if (http_) {
    http_->stop();
    http_thread_.join();
    http_.reset();
  }
  caf::anon_send_exit(factory_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log_, caf::exit_reason::user_shutdown);
  factory_ = nullptr;
  log_ = nullptr;
  sys_->await_all_actors_done();
}

int service_fixture::start_http(settings s) {
  s.host = "127.0.0.1";
  s.port = 0;
  http_ = std::make_unique<http_server>(*sys_, http_actors{factory_, log_}, s);
  int port = http_->bind();
  if (port < 0)
    throw std::runtime_error("cannot bind the test HTTP server");
  http_thread_ = std::thread{[this] { http_->run(); }};
  return port;
}

std::optional<event> service_fixture::await_event(const std::string& type,
                                                  const std::string& subject,
                                                  std::chrono::milliseconds timeout) {
  caf::scoped_actor self{*sys_};
  auto me = caf::actor_cast<subscriber_actor>(self);
  std::optional<event> found;
  bool subscribed = false;
  self->request(log_, std::chrono::seconds{10}, subscribe_atom::value, me, type, int64_t{0})
      .receive([&](int64_t) { subscribed = true; }, [&](caf::error&) {});
  if (!subscribed)
    return found;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // The catch-up batch may already be in the mailbox, ahead of the subscription's reply.
  while (!found && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    self->receive(
        [&](notify_atom, const std::vector<event>& evs) {
          for (const auto& e : evs)
            if (!found && e.subject == subject)
              found = e;
        },
        caf::after(left) >> [] {});
  }
  return found;
}

} // namespace cf::testkit
