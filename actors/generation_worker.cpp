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
      [=](generate_atom, const course_request& req) -> caf::result<generation_result> {
        self->quit();
        auto t0 = std::chrono::steady_clock::now();
        caf::expected<course_content> content = make_error(errc::internal);
        try {
          content = gen->generate(req);
        } catch (const std::exception& ex) {
          return make_error(errc::generator_transient,
                            std::string{"generator threw: "} + ex.what());
        }
        if (!content)
          return content.error();
        if (auto problem = check_content(*content); !problem.empty())
          return make_error(errc::generator_permanent, "invalid content: " + problem);
        generation_result r;
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
