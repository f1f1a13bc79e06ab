// Test kit: the in-process service and temporary folders.
#include "tests/testkit/service_fixture.hpp"

#include <caf/after.hpp>
#include <random>
#include <stdexcept>

#include "content/generator.hpp"
#include "util/errc.hpp"

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

service_options::service_options() {
  using namespace std::chrono_literals;
  factory.retry.initial_delay = 20ms;
  factory.retry.max_delay = 100ms;
  factory.retry.max_attempts = 3;
  distribution.retry = factory.retry;
}

service_fixture::service_fixture(std::shared_ptr<generator> gen, course_factory_settings fs)
    : service_fixture([&] {
        service_options o;
        o.gen = std::move(gen);
        o.factory = std::move(fs);
        return o;
      }()) {}

service_fixture::service_fixture(service_options o)
    : db_path_(o.db_path.empty() ? dir_.file("events.db") : o.db_path),
      options_(std::move(o)),
      site_dir_(dir_.file("site")) {
  register_types(cfg_);
  cfg_.set("scheduler.max-threads", 2);
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  auto store = sqlite_event_store::open(db_path_, durability::full, options_.vfs);
  if (!store)
    throw std::runtime_error("cannot open test database: " + sys_->render(store.error()));
  log_ = spawn_event_log(*sys_, std::shared_ptr<sqlite_event_store>{std::move(*store)});
  if (options_.log_only)
    return;
  auto gen = options_.gen ? options_.gen : make_builtin_generator();
  factory_ = spawn_course_factory(*sys_, log_, gen, options_.factory);
  payment_ = spawn_payment(*sys_, log_, options_.payment);
  auto ds = options_.distribution;
  if (ds.channels.count("site") == 0)
    ds.channels["site"] = make_site_channel(site_dir_, "/courses");
  distribution_ = spawn_distribution(*sys_, log_, ds);
}

service_fixture::~service_fixture() {
  if (http_) {
    http_->stop();
    http_thread_.join();
    http_.reset();
  }
  for (auto a : {caf::actor_cast<caf::actor>(factory_), caf::actor_cast<caf::actor>(payment_),
                 caf::actor_cast<caf::actor>(distribution_), caf::actor_cast<caf::actor>(log_)})
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  factory_ = nullptr;
  payment_ = nullptr;
  distribution_ = nullptr;
  log_ = nullptr;
  sys_->await_all_actors_done();
}

std::vector<std::string> service_fixture::types_of(const std::string& subject) {
  std::vector<std::string> out;
  auto page = call<event_page>(log_, query_atom::value, event_query{"", subject, 0, 1000});
  if (page)
    for (const auto& e : page->events) out.push_back(e.type);
  return out;
}

int64_t service_fixture::checkpoint_of(const std::string& consumer) {
  auto all = call<std::vector<checkpoint>>(log_, checkpoint_atom::value);
  if (all)
    for (const auto& cp : *all)
      if (cp.consumer == consumer)
        return cp.seq;
  return 0;
}

bool service_fixture::await_checkpoint(const std::string& consumer, int64_t seq) {
  return eventually([&] { return checkpoint_of(consumer) >= seq; });
}

int service_fixture::start_http(http_options s) {
  s.host = "127.0.0.1";
  s.port = 0;
  s.site_dir = site_dir_;
  http_ = std::make_unique<http_server>(
      *sys_, http_actors{factory_, log_, payment_, nullptr, nullptr, admin_tokens(), nullptr}, s,
      options_.webhook_secret);
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
  self->request(log_, patience, subscribe_atom::value, me, type, int64_t{0})
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
