// CourseFactory: accepts course requests, records course.generation.started, runs the generator
// asynchronously (or leaves it to workers: generation.mode = redis) and records
// course.generation.completed or course.generation.failed.
#pragma once

#include <caf/typed_actor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "content/generator.hpp"
#include "domain/course_request.hpp"
#include "domain/retry_policy.hpp"

namespace cf {

/// The answer to an accepted request (or retry): it counts from `seq` on.
struct course_accepted {
  std::string course_id;
  std::string status;    ///< "generating" (or "distributing" for a retried distribution).
  int64_t seq = 0;       ///< Sequence number of the committed event that started the step.
  bool replayed = false; ///< True when this repeats the answer to an earlier, identical request.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_accepted& x) {
  return f(caf::meta::type_name("cf.course_accepted"), x.course_id, x.status, x.seq, x.replayed);
}

/// An Idempotency-Key and the fingerprint (hash) of the request body it came with.
struct idempotency_key {
  std::string key;
  std::string fingerprint;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, idempotency_key& x) {
  return f(caf::meta::type_name("cf.idempotency_key"), x.key, x.fingerprint);
}

/// A generation another process ran (a worker, generation.mode = redis), as read from the
/// results stream: the outcome of the job that course.generation.started `job_id` was.
struct remote_generation {
  std::string job_id; ///< The course.generation.started event's id.
  std::string course_id;
  int32_t attempt = 1;
  bool ok = false;          ///< Completed (content_json) or failed (error).
  std::string content_json; ///< ok: the content, checked here as a local generator's is.
  std::string error;        ///< !ok: what went wrong.
  bool permanent = false;   ///< !ok: retrying will not help.
  int64_t duration_ms = 0;
  std::string worker; ///< Who ran it (host:pid), for the completed event's generator field.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_generation& x) {
  return f(caf::meta::type_name("cf.remote_generation"), x.job_id, x.course_id, x.attempt, x.ok,
           x.content_json, x.error, x.permanent, x.duration_ms, x.worker);
}

using course_factory_actor = caf::typed_actor<
    // Validates the request, commits course.generation.started (with the given correlation id, or a
    // new one when empty) and answers once it is committed; generation then runs in the background.
    // Errors: invalid_argument (nothing written), overloaded (max_in_flight generations run:
    // nothing written, try again shortly), errors of EventLog's append.
    caf::replies_to<create_atom, course_request, std::string>::with<course_accepted>,
    // The same under an idempotency key: a key seen within the retention with the same fingerprint
    // answers the original acceptance (replayed = true) and writes nothing; with another
    // fingerprint: errc::duplicate; while its twin is still being processed: errc::conflict.
    caf::replies_to<create_atom, course_request, std::string,
                    idempotency_key>::with<course_accepted>,
    // Starts the failed step of a course again: a generation (status generation_failed) or a
    // distribution (distribution_failed). Errors: not_found, conflict (nothing to retry).
    caf::replies_to<retry_atom, std::string>::with<course_accepted>,
    // The three above for a request made with an API token: its name (last) becomes the `actor`
    // of the events the request causes.
    caf::replies_to<create_atom, course_request, std::string, std::string>::with<course_accepted>,
    caf::replies_to<create_atom, course_request, std::string, idempotency_key,
                    std::string>::with<course_accepted>,
    caf::replies_to<retry_atom, std::string, std::string>::with<course_accepted>,
    // Records a worker's result (generation.mode = redis) as a local generation's: completed, or
    // failed (retried per the retry policy with a new job). Answers "recorded" once committed,
    // or "stale" when the course does not wait for that job (a late or repeated result; nothing
    // written). Errors: those of EventLog (the sender should deliver it again later).
    caf::replies_to<result_atom, remote_generation>::with<std::string>>;

/// Tunables of CourseFactory.
struct course_factory_settings {
  log_wait log_timeout{caf::infinite};                 ///< Per request to EventLog (see there).
  std::chrono::milliseconds generation_timeout{30000}; ///< A slower generator has failed.
  retry_policy retry;                                  ///< For transient generation failures.
  std::vector<std::string> channels{"site"};           ///< Where enabled courses are published.
  std::chrono::seconds idempotency_retention{86400};   ///< How long keys are remembered.
  std::chrono::seconds sweep_interval{30};             ///< How often stalled work is looked for.
  std::chrono::milliseconds sweep_min_age{10000};      ///< Unchanged this long means stalled.
  size_t max_in_flight = 256; ///< Generations running at once; beyond, create is overloaded.
  /// generation.mode = redis: the generator runs elsewhere. Each committed generation.started
  /// is a job (the jobs relay takes it to the workers); results come as result_atom.
  bool remote = false;
};

/// Spawns CourseFactory. Events go to `log`; content comes from `gen`, which runs on a worker
/// actor per course, never on CourseFactory itself. It subscribes to `log` for completed
/// payments, enables those courses and requests their distribution; a free course that is not a
/// dry run is enabled as soon as it is generated. REQUIRES: gen != nullptr.
course_factory_actor spawn_course_factory(caf::actor_system& sys, event_log_actor log,
                                          std::shared_ptr<generator> gen,
                                          course_factory_settings settings = {});

} // namespace cf
