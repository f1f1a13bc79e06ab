// Internal to CourseFactory: a short-lived actor that runs one generation, off CourseFactory's
// own thread, and answers the content as JSON with the counts events report.
#pragma once

#include <caf/typed_actor.hpp>
#include <memory>
#include <string>

#include "actors/type_ids.hpp"
#include "content/generator.hpp"
#include "domain/course_request.hpp"

namespace cf {

/// What a generator worker hands back.
struct generated_course {
  std::string content; ///< to_json(course_content), serialized.
  int32_t module_count = 0;
  int32_t lesson_count = 0;
  int32_t quiz_question_count = 0;
  int64_t duration_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, generated_course& x) {
  return f(caf::meta::type_name("cf.generated_course"), x.content, x.module_count, x.lesson_count,
           x.quiz_question_count, x.duration_ms);
}

using generation_worker_actor =
    caf::typed_actor<caf::replies_to<generate_atom, course_request>::with<generated_course>>;

/// Spawns a worker that answers one generate request and quits. Errors: those of `gen`, and
/// generator_transient when it throws, generator_permanent when its content is invalid.
/// `detached` runs it on its own thread (for generators that block, such as external programs).
generation_worker_actor spawn_generation_worker(caf::local_actor* parent,
                                                std::shared_ptr<generator> gen, bool detached);

} // namespace cf
