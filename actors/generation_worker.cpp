// The generation worker: runs the generator, checks its content, reports counts and duration.
#include "actors/generation_worker.hpp"

#include <caf/local_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "util/errc.hpp"

namespace cf {

namespace {

generation_worker_actor::behavior_type generation_worker(generation_worker_actor::pointer self,
                                                         std::shared_ptr<generator> gen) {
  return {
      [=](generate_atom, const course_request& req) -> caf::result<generated_course> {
        self->quit();
        auto t0 = std::chrono::steady_clock::now();
        auto content = generate_checked(*gen, req);
        if (!content)
          return content.error();
        generated_course r;
        r.content = to_json(*content).dump();
        r.module_count = static_cast<int32_t>(content->modules.size());
        r.lesson_count = content->lesson_count();
        r.quiz_question_count = static_cast<int32_t>(content->quiz.size());
        r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
        return r;
      },
  };
}

} // namespace

generation_worker_actor spawn_generation_worker(caf::local_actor* parent,
                                                std::shared_ptr<generator> gen, bool detached) {
  if (detached)
    return parent->spawn<caf::detached>(generation_worker, std::move(gen));
  return parent->spawn(generation_worker, std::move(gen));
}

} // namespace cf
