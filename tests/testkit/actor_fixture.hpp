// Test kit: a Boost.Test fixture that owns an actor system on CAF's deterministic scheduler.
// Nothing runs until the test says so (run(), advance()), so message order is the test's choice.
#pragma once

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <chrono>
#include <vector>

#include "actors/type_ids.hpp"
#include "util/errc.hpp"

namespace cf::testkit {

class actor_fixture {
public:
  actor_fixture()
      : sys_(init(cfg_)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())),
        self(sys_) {}

  /// Stops every kept actor and drains the scheduler, so ~actor_system() cannot hang.
  ~actor_fixture() {
    for (auto& a : kept_) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
    while (sched.trigger_timeouts() > 0) sched.run();
  }

  caf::actor_system& sys() { return sys_; }

  /// Keeps `h` alive for the test and stops it at the end. Returns `h`.
  template <class Handle>
  Handle keep(Handle h) {
    kept_.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  /// Runs every pending message until all actors are idle (timers do not fire).
  void run() { sched.run(); }

  /// Moves virtual time forward by `d`, firing due timers, then runs until idle.
  void advance(std::chrono::milliseconds d) {
    sched.advance_time(d);
    sched.run();
  }

  /// Sends a request to `h`, runs until idle and returns the reply or the error. When no reply
  /// has arrived by then (the actor waits for a timer), answers errc::internal "no reply".
  template <class R, class Handle, class... Ts>
  caf::expected<R> call(const Handle& h, Ts&&... xs) {
    caf::expected<R> result = make_error(errc::internal, "no reply: the actor is still busy");
    auto pending = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    if (self->mailbox().empty())
      return result; // receive() would block forever: nothing runs by itself here
    pending.receive([&](R& r) { result = std::move(r); },
                    [&](caf::error& e) { result = std::move(e); });
    return result;
  }

private:
  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    register_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  std::vector<caf::actor> kept_;

public:
  caf::scheduler::test_coordinator& sched; ///< For finer control: run_once(), next_job().
  caf::scoped_actor self;                  ///< Talks to actors on the test's behalf.
};

} // namespace cf::testkit
