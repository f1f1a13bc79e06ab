// Test kit: fakes for each actor interface. Each one speaks the real typed interface (the
// compiler rejects a fake that falls behind), records what it received and can be told to fail.
#pragma once

#include <caf/actor_system.hpp>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/course_factory.hpp"
#include "actors/event_log.hpp"
#include "actors/payment.hpp"
#include "content/generator.hpp"

namespace cf::testkit {

/// Stands in for EventLog: keeps appended events in memory, numbered like the real log
/// (seq, subject version, id, time), answers queries and subscriptions from them.
struct fake_event_log {
  /// Every committed event, in order. Shared with the spawned actor.
  std::shared_ptr<std::vector<event>> events = std::make_shared<std::vector<event>>();
  /// When set, every append answers this error and stores nothing.
  std::shared_ptr<caf::error> fail_appends = std::make_shared<caf::error>();
  /// Stored consumer checkpoints, as the real log keeps them (never moving backwards).
  std::shared_ptr<std::map<std::string, int64_t>> checkpoints =
      std::make_shared<std::map<std::string, int64_t>>();

  event_log_actor spawn(caf::actor_system& sys) const;

  /// The types of the stored events of `subject` (all when empty), in order.
  std::vector<std::string> types(const std::string& subject = {}) const;
};

/// Stands in for CourseFactory: records requests and accepts them with ids "course-1", ...
/// or answers `fail_with` when set.
struct fake_course_factory {
  std::shared_ptr<std::vector<course_request>> received =
      std::make_shared<std::vector<course_request>>();
  std::shared_ptr<caf::error> fail_with = std::make_shared<caf::error>();

  course_factory_actor spawn(caf::actor_system& sys) const;
};

/// Stands in for Payment: records notices and answers them as recorded, or `fail_with`.
struct fake_payment {
  std::shared_ptr<std::vector<payment_notice>> received =
      std::make_shared<std::vector<payment_notice>>();
  std::shared_ptr<caf::error> fail_with = std::make_shared<caf::error>();

  payment_actor spawn(caf::actor_system& sys) const;
};

/// A generator that plays a script: each call takes the next outcome (an error, or the
/// built-in generator's content when the entry is empty); past the script it always succeeds.
class scripted_generator : public generator {
public:
  explicit scripted_generator(std::vector<caf::error> script = {});
  std::string name() const override { return "scripted"; }
  caf::expected<course_content> generate(const course_request& req) override;
  /// How many times generate() ran.
  int calls() const;

private:
  mutable std::mutex mtx_;
  std::deque<caf::error> script_;
  int calls_ = 0;
  std::shared_ptr<generator> builtin_ = make_builtin_generator();
};

} // namespace cf::testkit
