// CourseFactory behaviour: request -> started (committed) -> generator worker -> completed|failed.
#include "actors/course_factory.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "actors/catalogue.hpp"
#include "actors/errc.hpp"
#include "actors/uuid.hpp"

namespace cf {

namespace {

// What a generator worker hands back: the content as JSON text plus the counts events report.
struct generation_result {
  std::string content;
  int32_t module_count = 0;
  int32_t lesson_count = 0;
  int32_t quiz_question_count = 0;
  int64_t duration_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, generation_result& x) {
  return f(caf::meta::type_name("cf.generation_result"), x.content, x.module_count, x.lesson_count,
           x.quiz_question_count, x.duration_ms);
}

using generation_worker_actor =
    caf::typed_actor<caf::replies_to<generate_atom, course_request>::with<generation_result>>;

// Runs one generation and quits: the generator may block, so it never runs on CourseFactory.
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

struct factory_state {
  static inline const char* name = "course_factory";
};

using factory_pointer = course_factory_actor::stateful_pointer<factory_state>;

event make_event(const char* type, const std::string& course_id, const std::string& correlation,
                 const std::string& causation, const nlohmann::json& data) {
  event e;
  e.source = course_factory_source;
  e.type = type;
  e.subject = course_id;
  e.schema_version = find_event_type(type)->schema_version;
  e.correlation_id = correlation;
  e.causation_id = causation;
  e.data = data.dump();
  return e;
}

std::string describe(caf::actor_system& sys, const caf::error& err) {
  auto ctx = error_context(err);
  if (err.category() == caf::atom("cf"))
    return ctx.empty() ? to_string(static_cast<errc>(err.code())) : ctx;
  return sys.render(err);
}

void record(factory_pointer self, event_log_actor log, course_factory_settings settings, event e) {
  auto what = e.type + " for " + e.subject;
  self->request(log, settings.log_timeout, append_atom::value, std::vector<event>{std::move(e)})
      .then([](const std::vector<event>&) {},
            [=](caf::error& err) {
              // The course stays "generating" in the log; recovery on restart picks it up.
              std::cerr << "course_factory: could not record " << what << ": "
                        << self->system().render(err) << std::endl;
            });
}

void run_generation(factory_pointer self, event_log_actor log, std::shared_ptr<generator> gen,
                    course_factory_settings settings, event started, course_request req) {
  auto worker = self->spawn(generation_worker, gen);
  auto attempt = nlohmann::json::parse(started.data).value("attempt", 1);
  self->request(worker, settings.generation_timeout, generate_atom::value, std::move(req))
      .then(
          [=](const generation_result& r) {
            nlohmann::json data{{"course_id", started.subject},
                                {"url", "/v1/courses/" + started.subject},
                                {"duration_ms", r.duration_ms},
                                {"module_count", r.module_count},
                                {"lesson_count", r.lesson_count},
                                {"quiz_question_count", r.quiz_question_count},
                                {"attempt", attempt},
                                {"generator", gen->name()},
                                {"content", nlohmann::json::parse(r.content)}};
            record(self, log, settings,
                   make_event(event_types::generation_completed, started.subject,
                              started.correlation_id, started.id, data));
          },
          [=](caf::error& err) {
            bool permanent = is(err, errc::generator_permanent);
            auto message = err == caf::sec::request_timeout
                               ? "generation timed out after "
                                     + std::to_string(settings.generation_timeout.count()) + " ms"
                               : describe(self->system(), err);
            nlohmann::json data{{"course_id", started.subject},
                                {"error", message},
                                {"error_type", permanent ? "permanent" : "transient"},
                                {"retry_count", attempt - 1},
                                {"will_retry", false},
                                {"attempt", attempt}};
            record(self, log, settings,
                   make_event(event_types::generation_failed, started.subject,
                              started.correlation_id, started.id, data));
          });
}

course_factory_actor::behavior_type course_factory(factory_pointer self, event_log_actor log,
                                                   std::shared_ptr<generator> gen,
                                                   course_factory_settings settings) {
  return {
      [=](create_atom, course_request req,
          std::string correlation) -> caf::result<course_accepted> {
        if (auto errs = validate(req); !errs.empty())
          return make_error(errc::invalid_argument,
                            errs.front().field + " " + errs.front().message);
        auto course_id = make_uuid_v7();
        if (correlation.empty())
          correlation = make_uuid_v7();
        nlohmann::json data{{"course_id", course_id},
                            {"title", req.title},
                            {"user_id", req.user_id},
                            {"parameters", to_json(req)},
                            {"attempt", 1}};
        auto started =
            make_event(event_types::generation_started, course_id, correlation, correlation, data);
        auto rp = self->make_response_promise<course_accepted>();
        self->request(log, settings.log_timeout, append_atom::value, std::vector<event>{started})
            .then(
                [=](std::vector<event>& committed) mutable {
                  rp.deliver(course_accepted{course_id, "generating", committed.front().seq});
                  run_generation(self, log, gen, settings, std::move(committed.front()), req);
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
  };
}

} // namespace

course_factory_actor spawn_course_factory(caf::actor_system& sys, event_log_actor log,
                                          std::shared_ptr<generator> gen,
                                          course_factory_settings settings) {
  return sys.spawn(course_factory, std::move(log), std::move(gen), settings);
}

} // namespace cf
