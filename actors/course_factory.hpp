// CourseFactory: accepts course requests, records course.generation.started, runs the generator
// asynchronously and records course.generation.completed or course.generation.failed.
#pragma once

#include <caf/typed_actor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "actors/course_request.hpp"
#include "actors/event_log.hpp"
#include "actors/generator.hpp"
#include "actors/type_ids.hpp"

namespace cf {

/// The answer to an accepted request: the request counts from `started_seq` on.
struct course_accepted {
  std::string course_id;
  std::string status;      ///< "generating".
  int64_t started_seq = 0; ///< Sequence number of the committed course.generation.started.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_accepted& x) {
  return f(caf::meta::type_name("cf.course_accepted"), x.course_id, x.status, x.started_seq);
}

using course_factory_actor = caf::typed_actor<
    // Validates the request, commits course.generation.started (with the given correlation id, or a
    // new one when empty) and answers once it is committed; generation then runs in the background.
    // Errors: invalid_argument (nothing written), errors of EventLog's append.
    caf::replies_to<create_atom, course_request, std::string>::with<course_accepted>>;

/// Tunables of CourseFactory.
struct course_factory_settings {
  std::chrono::milliseconds log_timeout{5000};         ///< Per request to EventLog.
  std::chrono::milliseconds generation_timeout{30000}; ///< A slower generator has failed.
};

/// The `source` attribute of every event CourseFactory emits.
inline constexpr const char* course_factory_source = "/coursefactory/course-factory";

/// Spawns CourseFactory. Events go to `log`; content comes from `gen`, which runs on a worker
/// actor per course, never on CourseFactory itself. REQUIRES: gen != nullptr.
course_factory_actor spawn_course_factory(caf::actor_system& sys, event_log_actor log,
                                          std::shared_ptr<generator> gen,
                                          course_factory_settings settings = {});

} // namespace cf
