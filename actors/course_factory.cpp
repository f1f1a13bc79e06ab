// CourseFactory behaviour: request -> started (committed) -> generator worker -> completed or
// failed (retried with backoff while transient) -> for free courses, distribution requested;
// completed payments -> distribution requested.
#include "actors/course_factory.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "actors/detail/course_factory_impl.hpp"
#include "actors/generation_worker.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf {

namespace factory_detail {

using json = nlohmann::json;

namespace {

event distribution_request(const context& ctx, const event_origin& origin, int32_t attempt) {
  return make_event(origin, distribution_requested_data{ctx.settings.channels, attempt});
}

std::string describe(caf::actor_system& sys, const caf::error& err) {
  if (err.category() == caf::atom("cf")) {
    auto ctx = error_context(err);
    return ctx.empty() ? to_string(static_cast<errc>(err.code())) : ctx;
  }
  return sys.render(err);
}

} // namespace

void record(factory_pointer self, const context& ctx, std::vector<event> events,
            std::function<void(std::vector<event>&)> then,
            std::function<void(caf::error&)> failed) {
  // Copied before the request takes `events`: what a failure is logged with.
  auto type = events.front().type;
  auto course_id = events.front().subject;
  auto correlation = events.front().correlation_id;
  self->request(ctx.log, ctx.settings.log_timeout, append_atom::value, std::move(events))
      .then(
          [then](std::vector<event>& committed) {
            if (then)
              then(committed);
          },
          [self, type, course_id, correlation, failed](caf::error& err) {
            if (failed)
              failed(err);
            if (is(err, errc::conflict))
              return; // someone got there first: this effect already happened
            log_event(log_level::error, "course_factory", "cannot record",
                      {{"type", type},
                       {"course_id", course_id},
                       {"correlation_id", correlation},
                       {"error", self->system().render(err)}});
          });
}

void record_generated(factory_pointer self, const context& ctx, const event& started,
                      const course_request& req, int32_t attempt, const generated_course& r,
                      const std::string& generator_name, std::function<void(caf::error)> done) {
  generation_completed_data data;
  data.duration_ms = r.duration_ms;
  data.module_count = r.module_count;
  data.lesson_count = r.lesson_count;
  data.quiz_question_count = r.quiz_question_count;
  data.attempt = attempt;
  data.generator = generator_name;
  data.content = r.content;
  std::vector<event> events{make_event(follows(started), data)};
  if (!req.dry_run && req.amount_cents == 0) // free: enabled right away, atomically
    events.push_back(distribution_request(ctx, follows(events.back()), 1));
  record(
      self, ctx, std::move(events), [done](std::vector<event>&) { done(caf::none); },
      [done](caf::error& err) { done(err); });
}

void record_generation_failed(factory_pointer self, const context& ctx, const event& started,
                              int32_t attempt, int32_t first, std::string message, bool permanent,
                              std::function<void(caf::error)> done) {
  bool will_retry = !permanent && ctx.settings.retry.allows_another(attempt - first + 1);
  generation_failed_data data;
  data.error = std::move(message);
  data.permanent = permanent;
  data.retry_count = attempt - 1;
  data.will_retry = will_retry;
  data.attempt = attempt;
  // The retry's time goes into the event, so a restart keeps it (see recover).
  std::chrono::milliseconds delay{0};
  if (will_retry) {
    std::uniform_real_distribution<double> unit{0.0, 1.0};
    delay = backoff_delay(ctx.settings.retry, attempt - first + 1, unit(self->state.rng));
    data.retry_at_us = now_us() + delay.count() * 1000;
  }
  auto subject = started.subject;
  record(
      self, ctx, {make_event(follows(started), data)},
      [=](std::vector<event>&) {
        done(caf::none);
        if (!will_retry)
          return;
        metrics::global().retries.add("generation");
        self->delayed_send(self, delay, resume_atom::value, subject, attempt + 1, first);
      },
      [done](caf::error& err) { done(err); });
}

namespace {

// Runs attempt `attempt` of a generation whose current round of retries began with attempt
// `first` (1 for a new course, later for a user's retry): each round gets the full retry budget.
// In redis mode the committed started event is the job: a worker runs it (see on_remote_result).
void run_generation(factory_pointer self, const context& ctx, event started, course_request req,
                    int32_t attempt, int32_t first) {
  if (ctx.settings.remote)
    return;
  auto worker = spawn_generation_worker(self, ctx.gen, ctx.gen->blocking());
  self->state.generating.insert(started.subject);
  auto nothing = [](caf::error) {}; // failures to record are logged; recovery carries them on
  self->request(worker, ctx.settings.generation_timeout, generate_atom::value, req)
      .then(
          [=](const generated_course& r) {
            self->state.generating.erase(started.subject);
            record_generated(self, ctx, started, req, attempt, r, ctx.gen->name(), nothing);
          },
          [=](caf::error& err) {
            self->state.generating.erase(started.subject);
            auto message = err == caf::sec::request_timeout
                               ? "generation timed out after "
                                     + std::to_string(ctx.settings.generation_timeout.count())
                                     + " ms"
                               : describe(self->system(), err);
            record_generation_failed(self, ctx, started, attempt, first, message,
                                     is(err, errc::generator_permanent), nothing);
          });
}

// Idempotency keys belong to the API token that sent them (the "scoped per token"):
// the same key from two tokens names two requests. Without a token: one shared scope.
std::string key_scope(const std::string& actor) {
  return actor.empty() ? std::string{"courses"} : "courses:" + actor;
}

// What keys_in_flight holds for `key` sent by `actor`.
std::string in_flight_key(const std::string& actor, const idempotency_key& key) {
  return key_scope(actor) + '\n' + key.key;
}

// Commits started for a new course (remembering `key` with it) and starts generating.
void start_course(factory_pointer self, const context& ctx, course_request req,
                  std::string correlation, std::optional<idempotency_key> key,
                  caf::typed_response_promise<course_accepted> rp, const std::string& actor) {
  auto course_id = make_uuid_v7();
  // The first event of a course: caused by the request, whose correlation id stands for it.
  std::vector<event> events{make_event(event_origin{course_id, 1, correlation, correlation, actor},
                                       generation_started_data{req, 1})};
  auto on_commit = [=](std::vector<event>& committed) mutable {
    if (key)
      self->state.keys_in_flight.erase(in_flight_key(actor, *key));
    rp.deliver(course_accepted{course_id, course_status::generating, committed.front().seq});
    run_generation(self, ctx, std::move(committed.front()), req, 1, 1);
  };
  auto on_error = [=](caf::error& err) mutable {
    if (key)
      self->state.keys_in_flight.erase(in_flight_key(actor, *key));
    if (is(err, errc::duplicate)) // a twin committed first
      err = make_error(errc::conflict, "a request with this Idempotency-Key was just processed");
    rp.deliver(std::move(err));
  };
  if (!key) {
    self->request(ctx.log, ctx.settings.log_timeout, append_atom::value, std::move(events))
        .then(on_commit, on_error);
    return;
  }
  idempotency_record rec;
  rec.scope = key_scope(actor);
  rec.key = key->key;
  rec.fingerprint = key->fingerprint;
  rec.response = json{{"course_id", course_id}, {"status", course_status::generating}}.dump();
  rec.not_before_us = now_us() - ctx.settings.idempotency_retention.count() * 1000000;
  self->request(ctx.log, ctx.settings.log_timeout, append_atom::value, std::move(events), rec)
      .then(on_commit, on_error);
}

caf::result<course_accepted> create(factory_pointer self, const context& ctx, course_request req,
                                    std::string correlation, std::optional<idempotency_key> key,
                                    std::string actor) {
  if (auto errs = validate(req); !errs.empty())
    return make_error(errc::invalid_argument, errs.front().field + " " + errs.front().message);
  if (correlation.empty())
    correlation = make_uuid_v7();
  // Decide every immediate answer before making a promise: once a promise exists, CAF 0.17
  // ignores a value the handler returns, and the caller would wait for its timeout.
  if (key && self->state.keys_in_flight.count(in_flight_key(actor, *key)) > 0)
    return make_error(errc::conflict, "a request with this Idempotency-Key is being processed");
  if (self->state.generating.size() >= ctx.settings.max_in_flight)
    return make_error(errc::overloaded, std::to_string(self->state.generating.size())
                                            + " generations are running; try again shortly");
  auto rp = self->make_response_promise<course_accepted>();
  if (!key) {
    start_course(self, ctx, std::move(req), std::move(correlation), std::nullopt, rp, actor);
    return rp;
  }
  self->state.keys_in_flight.insert(in_flight_key(actor, *key));
  auto not_before = now_us() - ctx.settings.idempotency_retention.count() * 1000000;
  self->request(ctx.log, ctx.settings.log_timeout, recall_atom::value, key_scope(actor), key->key,
                not_before)
      .then(
          [=](const idempotency_record& r) mutable {
            if (!r.found)
              return start_course(self, ctx, req, correlation, key, rp, actor);
            self->state.keys_in_flight.erase(in_flight_key(actor, *key));
            if (r.fingerprint != key->fingerprint) {
              rp.deliver(make_error(errc::duplicate,
                                    "this Idempotency-Key was used with a different request body"));
              return;
            }
            auto original = json::parse(r.response, nullptr, false);
            rp.deliver(course_accepted{original.value("course_id", ""),
                                       original.value("status", ""), 0, true});
          },
          [=](caf::error& err) mutable {
            self->state.keys_in_flight.erase(in_flight_key(actor, *key));
            rp.deliver(std::move(err));
          });
  return rp;
}

// Starts generation attempt `attempt` of a course whose last attempt failed. With `rp`, it
// answers the caller (a user's retry, made with API token `actor`); without, it is a scheduled
// retry, which follows from the request that created the course (and names its actor).
void restart_generation(factory_pointer self, const context& ctx, const course_summary& c,
                        int32_t attempt, int32_t first,
                        std::optional<caf::typed_response_promise<course_accepted>> rp,
                        const std::string& actor = {}) {
  event_query q{event_types::generation_started, c.id, 0, 1};
  self->request(ctx.log, ctx.settings.log_timeout, query_atom::value, q)
      .then(
          [=](const event_page& page) mutable {
            // The first generation.started holds the request as the user made it.
            caf::expected<generation_started_data> first_started{
                make_error(errc::storage_corrupt, "none in the log")};
            if (!page.events.empty())
              first_started = read_generation_started(page.events.front());
            if (!first_started) {
              auto why = error_context(first_started.error());
              if (rp)
                rp->deliver(
                    make_error(errc::storage_corrupt, "no readable generation.started for " + c.id
                                                          + (why.empty() ? "" : ": " + why)));
              return;
            }
            const auto& origin = page.events.front();
            auto req = first_started->request;
            auto started = make_event(event_origin{c.id, c.version + 1, origin.correlation_id,
                                                   origin.id, rp ? actor : origin.actor},
                                      generation_started_data{req, attempt});
            self->request(ctx.log, ctx.settings.log_timeout, append_atom::value,
                          std::vector<event>{started})
                .then(
                    [=](std::vector<event>& committed) mutable {
                      if (rp)
                        rp->deliver(course_accepted{c.id, course_status::generating,
                                                    committed.front().seq});
                      run_generation(self, ctx, std::move(committed.front()), req, attempt, first);
                    },
                    [=](caf::error& err) mutable {
                      if (rp)
                        rp->deliver(std::move(err));
                    });
          },
          [=](caf::error& err) mutable {
            if (rp)
              rp->deliver(std::move(err));
          });
}

caf::result<course_accepted> retry(factory_pointer self, const context& ctx,
                                   const std::string& course_id, const std::string& actor) {
  auto rp = self->make_response_promise<course_accepted>();
  self->request(ctx.log, ctx.settings.log_timeout, summary_atom::value, course_id)
      .then(
          [=](const course_summary& c) mutable {
            if (c.status == course_status::generation_failed)
              return restart_generation(self, ctx, c, c.attempt + 1, c.attempt + 1, rp, actor);
            if (c.status != course_status::distribution_failed) {
              rp.deliver(make_error(errc::conflict, "nothing to retry: the course is " + c.status));
              return;
            }
            // Caused by the user's request (no event), with a new correlation.
            auto req = distribution_request(
                ctx, event_origin{c.id, c.version + 1, make_uuid_v7(), "", actor},
                c.distribution_attempt + 1);
            self->request(ctx.log, ctx.settings.log_timeout, append_atom::value,
                          std::vector<event>{req})
                .then(
                    [=](std::vector<event>& committed) mutable {
                      rp.deliver(course_accepted{c.id, course_status::distributing,
                                                 committed.front().seq});
                    },
                    [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

// A scheduled retry fires: go on only if the course still waits for exactly this attempt.
void resume(factory_pointer self, const context& ctx, const std::string& course_id, int32_t attempt,
            int32_t first) {
  self->request(ctx.log, ctx.settings.log_timeout, summary_atom::value, course_id)
      .then(
          [=](const course_summary& c) {
            if (c.status == course_status::generating && c.attempt == attempt - 1)
              restart_generation(self, ctx, c, attempt, first, std::nullopt);
          },
          [](caf::error&) {});
}

// The stored events of course `id` (its history is short: one page suffices).
void with_history(factory_pointer self, const context& ctx, const std::string& id,
                  std::function<void(const std::vector<event>&)> f) {
  self->request(ctx.log, ctx.settings.log_timeout, query_atom::value, event_query{"", id, 0, 1000})
      .then(
          [f](const event_page& page) {
            if (!page.events.empty())
              f(page.events);
          },
          [](caf::error&) {});
}

} // namespace

int32_t round_start(const std::vector<event>& history) {
  int32_t first = 1;
  for (const auto& e : history) {
    if (e.type != event_types::generation_failed)
      continue;
    auto failed = read_generation_failed(e);
    if (failed && !failed->will_retry)
      first = failed->attempt + 1;
  }
  return first;
}

namespace {

// After a restart, carries on what the log shows unfinished: a generation started without
// result runs again; a retry that was waiting runs now; a paid course without a distribution
// request gets one.
void recover(factory_pointer self, const context& ctx, const char* status, std::string after,
             int64_t min_age_us) {
  course_query q{status, std::move(after), 200};
  self->request(ctx.log, ctx.settings.log_timeout, list_atom::value, q)
      .then(
          [=](const course_page& page) {
            auto now = now_us();
            for (const auto& c : page.items) {
              if (changed_within(c.updated_us, now, min_age_us)
                  || self->state.generating.count(c.id) > 0)
                continue; // moving right now, or its generator runs: not stalled
              with_history(self, ctx, c.id, [=](const std::vector<event>& history) {
                const auto& last = history.back();
                auto first = round_start(history);
                if (last.type == event_types::generation_started) {
                  auto started = read_generation_started(last);
                  if (!started)
                    return;
                  run_generation(self, ctx, last, started->request, started->attempt, first);
                } else if (last.type == event_types::generation_failed) {
                  auto delay = delay_until_retry(last, ctx.settings.retry.max_delay);
                  if (delay.count() > 0)
                    self->delayed_send(self, delay, resume_atom::value, c.id, c.attempt + 1, first);
                  else
                    resume(self, ctx, c.id, c.attempt + 1, first);
                } else if (last.type == event_types::payment_completed) {
                  record(self, ctx, {distribution_request(ctx, follows(last), 1)});
                }
              });
            }
            if (!page.next_after.empty())
              recover(self, ctx, status, page.next_after, min_age_us);
          },
          [](caf::error&) {});
}

factory_impl::behavior_type course_factory(factory_pointer self, context ctx) {
  // Completed payments enable their course, from the checkpoint on: none is missed over a
  // restart, and the request commits with the checkpoint, so none is made twice.
  subscribe_durably(self, ctx.log, event_types::payment_completed, ctx.settings.log_timeout);
  // Unfinished generations run again. Completed payments missed while stopped come by the
  // subscription's catch-up; the periodic sweep is for appends that failed meanwhile.
  recover(self, ctx, course_status::generating, "", 0);
  self->delayed_send(self, ctx.settings.sweep_interval, sweep_atom::value);
  return {
      [=](create_atom, course_request& req, std::string& corr) {
        return create(self, ctx, std::move(req), std::move(corr), std::nullopt, {});
      },
      [=](create_atom, course_request& req, std::string& corr, idempotency_key& key) {
        return create(self, ctx, std::move(req), std::move(corr), std::move(key), {});
      },
      [=](retry_atom, const std::string& course_id) { return retry(self, ctx, course_id, {}); },
      [=](create_atom, course_request& req, std::string& corr, std::string& actor) {
        return create(self, ctx, std::move(req), std::move(corr), std::nullopt, std::move(actor));
      },
      [=](create_atom, course_request& req, std::string& corr, idempotency_key& key,
          std::string& actor) {
        return create(self, ctx, std::move(req), std::move(corr), std::move(key), std::move(actor));
      },
      [=](retry_atom, const std::string& course_id, const std::string& actor) {
        return retry(self, ctx, course_id, actor);
      },
      [=](result_atom, remote_generation& g) { return on_remote_result(self, ctx, std::move(g)); },
      [=](resume_atom, const std::string& course_id, int32_t attempt, int32_t first) {
        resume(self, ctx, course_id, attempt, first);
      },
      [=](sweep_atom) {
        // Work stalled by a failed append or an answer that came too late: carry it on.
        auto grace = ctx.settings.generation_timeout + ctx.settings.sweep_min_age;
        recover(self, ctx, course_status::generating, "", grace.count() * 1000);
        recover(self, ctx, course_status::paid, "", ctx.settings.sweep_min_age.count() * 1000);
        self->delayed_send(self, ctx.settings.sweep_interval, sweep_atom::value);
      },
      [=](notify_atom, const std::vector<event>& events) {
        consume(self, events, [=](const event& paid) {
          // A conflict: the course moved on, so the request exists already.
          commit_effect(self, ctx.log, ctx.settings.log_timeout, paid,
                        {distribution_request(ctx, follows(paid), 1)}, [](std::vector<event>&) {});
        });
      },
      [=](checkpoint_atom) { save_checkpoint(self, ctx.log, ctx.settings.log_timeout); },
  };
}

} // namespace

} // namespace factory_detail

course_factory_actor spawn_course_factory(caf::actor_system& sys, event_log_actor log,
                                          std::shared_ptr<generator> gen,
                                          course_factory_settings settings) {
  return sys.spawn(factory_detail::course_factory,
                   factory_detail::context{std::move(log), std::move(gen), std::move(settings)});
}

} // namespace cf
