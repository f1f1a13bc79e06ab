// CourseFactory, generation.mode = redis: a worker's result counts when the course still waits
// for exactly that job (its last event is the started event the job was); the result is then
// checked and recorded as a local generation's would be.
#include <caf/actor_system.hpp>
#include <nlohmann/json.hpp>

#include "actors/detail/course_factory_impl.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_content.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"

namespace cf::factory_detail {

namespace {

// The content a worker sent, checked as a local generator's is (see generation_worker.cpp).
caf::expected<generated_course> checked_content(const remote_generation& g) {
  auto j = nlohmann::json::parse(g.content_json, nullptr, false);
  if (j.is_discarded())
    return make_error(errc::generator_permanent, "invalid content: not JSON");
  auto content = content_from_json(j);
  if (!content)
    return make_error(errc::generator_permanent,
                      "invalid content: " + error_context(content.error()));
  if (auto problem = check_content(*content); !problem.empty())
    return make_error(errc::generator_permanent, "invalid content: " + problem);
  generated_course r;
  r.content = to_json(*content).dump();
  r.module_count = static_cast<int32_t>(content->modules.size());
  r.lesson_count = content->lesson_count();
  r.quiz_question_count = static_cast<int32_t>(content->quiz.size());
  r.duration_ms = g.duration_ms;
  return r;
}

} // namespace

caf::result<std::string> on_remote_result(factory_pointer self, const context& ctx,
                                          remote_generation g) {
  auto rp = self->make_response_promise<std::string>();
  // A conflict: the course moved on meanwhile (a twin result committed first): stale too.
  auto done = [rp](caf::error err) mutable {
    if (!err)
      rp.deliver(std::string{"recorded"});
    else if (is(err, errc::conflict))
      rp.deliver(std::string{"stale"});
    else
      rp.deliver(std::move(err));
  };
  event_query q{"", g.course_id, 0, 1000}; // a course's history is short: one page
  self->request(ctx.log, ctx.settings.log_timeout, query_atom::value, q)
      .then(
          [=](const event_page& page) mutable {
            if (page.events.empty() || page.events.back().id != g.job_id
                || page.events.back().type != event_types::generation_started) {
              rp.deliver(std::string{"stale"}); // unknown course, or not waiting for this job
              return;
            }
            const auto& started = page.events.back();
            auto data = read_generation_started(started);
            if (!data) {
              rp.deliver(std::string{"stale"});
              return;
            }
            auto first = round_start(page.events);
            auto by = g.worker.empty() ? std::string{"worker"} : "worker " + g.worker;
            if (!g.ok)
              return record_generation_failed(self, ctx, started, data->attempt, first,
                                              by + ": " + g.error, g.permanent, done);
            auto r = checked_content(g);
            if (!r)
              return record_generation_failed(self, ctx, started, data->attempt, first,
                                              by + ": " + error_context(r.error()), true, done);
            record_generated(self, ctx, started, data->request, data->attempt, *r, by, done);
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

} // namespace cf::factory_detail
