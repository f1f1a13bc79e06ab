// Distribution behaviour: distribution.requested -> worker thread runs the channels -> completed,
// or failed per channel (retried with backoff while transient, then final).
#include "actors/distribution.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <iostream>
#include <optional>
#include <random>

#include "actors/detail/distribution_jobs.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"

namespace cf {

namespace distribution_detail {

namespace {

// The origin of an outcome of job `j`: caused by its request; record() sets the version.
event_origin origin_of(const job& j) {
  return {j.course.course_id, 0, j.correlation_id, j.course.distribution_id};
}

using committed_then = std::function<void(const std::vector<event>&)>;

// Records `events` (versions chained from the job's), then continues with `then`. An answer
// that decided channel bus commits with them (its id, against repeats) and is answered then.
void record(distribution_pointer self, event_log_actor log, const distribution_settings& s,
            const std::string& course_id, std::vector<event> events, committed_then then) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end())
    return;
  for (auto& e : events) e.subject_version = ++i->second.version;
  auto cause = i->second.cause;
  auto correlation = i->second.correlation_id;
  if (cause.seq != 0) {
    // The job's first outcome is the effect of the delivered request: it commits with the
    // checkpoint (later outcomes and retries follow from the log: the course is distributing).
    // (Jobs with channel bus finish their request at once: see start.)
    i->second.cause = event{};
    // On error the request is finished (conflict) or handed back (retry): this job is over.
    commit_effect(
        self, log, s.log_timeout, cause, std::move(events),
        [then](std::vector<event>& committed) { then(committed); },
        [=] { self->state.jobs.erase(course_id); });
    return;
  }
  auto answer = std::move(i->second.answer);
  i->second.answer.reset();
  auto failed = [=](caf::error& err) mutable {
    // conflict: the course moved on (a user's retry); the newer request takes over
    if (!is(err, errc::conflict) && !is(err, errc::duplicate))
      log_event(log_level::error, "distribution", "cannot record",
                {{"course_id", course_id},
                 {"correlation_id", correlation},
                 {"error", self->system().render(err)}});
    if (answer) {
      if (is(err, errc::duplicate))
        answer->promise.deliver(answer_seen_before(answer->answer));
      else
        answer->promise.deliver(std::move(err)); // not acknowledged: delivered again later
    }
    self->state.jobs.erase(course_id);
  };
  auto done = [=](const std::vector<event>& committed) mutable {
    if (answer)
      answer->promise.deliver(
          webhook_outcome{"recorded", committed.front().type, committed.front().seq});
    then(committed);
  };
  if (!answer) {
    self->request(log, s.log_timeout, append_atom::value, std::move(events)).then(done, failed);
    return;
  }
  idempotency_record rec;
  rec.scope = answer->answer.scope;
  rec.key = rec.fingerprint = answer->answer.message_id;
  rec.response = events.front().type;
  rec.not_before_us = now_us() - s.answer_retention.count() * 1000000;
  self->request(log, s.log_timeout, append_atom::value, std::move(events), rec).then(done, failed);
}

void on_outcomes(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id, const std::vector<channel_outcome>& outcomes) {
  auto found = self->state.jobs.find(course_id);
  if (found == self->state.jobs.end())
    return;
  auto& j = found->second;
  std::vector<channel_outcome> failed;
  for (const auto& o : outcomes) (o.ok ? j.done : failed).push_back(o);
  if (failed.empty()) {
    distribution_completed_data data;
    for (const auto& o : j.done) data.channels.push_back({o.channel, true, o.url, o.detail});
    data.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - j.started)
                           .count();
    record(self, log, s, course_id, {make_event(origin_of(j), data)},
           [=](const std::vector<event>&) { self->state.jobs.erase(course_id); });
    return;
  }
  bool permanent = false;
  for (const auto& o : failed) permanent = permanent || o.permanent;
  bool will_retry = !permanent && s.retry.allows_another(j.retry_count + 1);
  // The retry's time goes into the events, so a restart keeps it (see resume_pending).
  std::chrono::milliseconds delay{0};
  if (will_retry) {
    std::uniform_real_distribution<double> unit{0.0, 1.0};
    delay = backoff_delay(s.retry, j.retry_count + 1, unit(self->state.rng));
  }
  std::vector<event> events;
  j.pending.clear();
  j.bus_order.clear(); // a retry of channel bus places a new order
  for (const auto& o : failed) {
    log_event(will_retry ? log_level::warn : log_level::error, "distribution",
              will_retry ? "publication failed, will retry" : "publication failed",
              {{"course_id", course_id},
               {"correlation_id", j.correlation_id},
               {"channel", o.channel},
               {"retry_count", j.retry_count},
               {"error", o.detail}});
    distribution_failed_data data;
    data.channel = o.channel;
    data.error = o.detail;
    data.retry_count = j.retry_count;
    data.will_retry = will_retry;
    if (will_retry)
      data.retry_at_us = now_us() + delay.count() * 1000;
    data.attempt = j.course.attempt;
    events.push_back(make_event(origin_of(j), data));
    j.pending.push_back(o.channel);
  }
  record(self, log, s, course_id, std::move(events), [=](const std::vector<event>&) {
    if (!will_retry) {
      self->state.jobs.erase(course_id);
      return;
    }
    auto i = self->state.jobs.find(course_id);
    if (i == self->state.jobs.end())
      return;
    ++i->second.retry_count;
    metrics::global().retries.add("distribution");
    self->delayed_send(self, delay, resume_atom::value, course_id);
  });
}

} // namespace

void maybe_finish(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                  const std::string& course_id) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end())
    return;
  auto& j = i->second;
  if (!j.local || (needs_bus(j) && !j.bus))
    return;
  auto outcomes = std::move(*j.local);
  if (j.bus)
    outcomes.push_back(std::move(*j.bus));
  j.local.reset();
  j.bus.reset();
  on_outcomes(self, log, s, course_id, outcomes);
}

namespace {

void run_attempt(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id);

// A retry that needs channel bus orders again: a requested event with the channels pending.
void place_order(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id) {
  auto& j = self->state.jobs.at(course_id);
  distribution_requested_data order{j.pending, j.course.attempt, j.retry_count};
  record(self, log, s, course_id, {make_event(origin_of(j), order)},
         [=](const std::vector<event>& committed) {
           auto i = self->state.jobs.find(course_id);
           if (i == self->state.jobs.end())
             return;
           i->second.bus_order = committed.front().id;
           i->second.bus_order_us = committed.front().time_us;
           run_attempt(self, log, s, course_id);
         });
}

void run_attempt(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end())
    return;
  auto& j = i->second;
  j.local.reset();
  j.bus.reset();
  std::vector<std::string> local;
  for (const auto& name : j.pending)
    if (name != bus_channel)
      local.push_back(name);
  if (needs_bus(j)) {
    if (j.bus_order.empty())
      return place_order(self, log, s, course_id);
    // The order's time is wall time from the log (it may be from before a restart): at most the
    // configured wait, however the wall clock moved since.
    auto bus_timeout_us = std::chrono::duration_cast<std::chrono::microseconds>(s.bus_timeout);
    auto due_us =
        time_left_us(j.bus_order_us + bus_timeout_us.count(), now_us(), bus_timeout_us.count());
    self->delayed_send(self, std::chrono::microseconds{due_us}, expire_atom::value, course_id,
                       j.bus_order);
    adopt_parked(self, log, s, course_id);
  }
  if (local.empty()) {
    j.local.emplace();
    return maybe_finish(self, log, s, course_id);
  }
  auto worker = self->spawn<caf::detached>(channel_publisher, s.channels);
  auto report = [=](std::vector<channel_outcome> outcomes) {
    auto i = self->state.jobs.find(course_id);
    if (i == self->state.jobs.end())
      return;
    i->second.local = std::move(outcomes);
    maybe_finish(self, log, s, course_id);
  };
  self->request(worker, s.channel_timeout, publish_atom::value, i->second.course, local)
      .then([=](const std::vector<channel_outcome>& outcomes) { report(outcomes); },
            [=](caf::error& err) {
              std::vector<channel_outcome> timed_out;
              for (const auto& name : local)
                timed_out.push_back(
                    {name, false, false, "", "no answer: " + self->system().render(err)});
              report(std::move(timed_out));
            });
}

// Starts the job for a committed distribution.requested event; `delivered`: it came by the
// durable subscription (not a sweep), so its checkpoint moves when the job's first outcome commits.
// With `failed`, the last attempt's failure (after a restart): the job goes on with its retry
// count and waits for its retry_at.
void start(distribution_pointer self, event_log_actor log, const distribution_settings& s,
           const event& requested, bool delivered, std::optional<event> failed = std::nullopt) {
  self->request(log, s.log_timeout, caf::get_atom::value, requested.subject)
      .then(
          [=](const course_view& v) {
            const auto& c = v.summary;
            auto request = read_distribution_requested(requested);
            if (self->state.jobs.count(c.id) > 0 || !request
                || c.status != course_status::distributing
                || c.distribution_attempt != request->attempt) {
              // stale request: a newer one exists, it already finished, or a job runs it;
              // or one this build cannot read (nothing to publish from it)
              if (delivered)
                finish_event(self, requested.seq);
              return;
            }
            if (delivered && c.version != requested.subject_version) {
              // Delivered again (a restart, a retried delivery) after its first outcome was
              // recorded: that outcome was the effect. What follows (a retry at retry_at, with
              // the retry count so far) comes from the log, as after any restart.
              finish_event(self, requested.seq);
              resume_course(self, log, s, c.id);
              return;
            }
            job j;
            j.course = {c.id, c.title, c.language, v.content, requested.id, c.distribution_attempt};
            j.correlation_id = requested.correlation_id;
            j.version = c.version;
            j.pending = request->channels;
            j.started = std::chrono::steady_clock::now();
            j.retry_count = request->retry_count;
            // With channel bus, the request is the order and it is out (committed): nothing
            // else follows from it; what follows from the answer goes by the log (a restart
            // finds the course distributing and waits for the answer again).
            if (delivered && needs_bus(j))
              finish_event(self, requested.seq);
            else if (delivered)
              j.cause = requested;
            auto delay = std::chrono::milliseconds{0};
            if (failed) {
              delay = delay_until_retry(*failed, s.retry.max_delay);
              auto last = read_distribution_failed(*failed);
              j.retry_count = (last ? last->retry_count : 0) + 1;
            } else {
              j.bus_order = requested.id;
              j.bus_order_us = requested.time_us;
            }
            self->state.jobs[c.id] = std::move(j);
            if (delay.count() > 0)
              self->delayed_send(self, delay, resume_atom::value, c.id);
            else
              run_attempt(self, log, s, c.id);
          },
          [=](caf::error& err) {
            log_event(log_level::warn, "distribution", "cannot read course",
                      {{"course_id", requested.subject},
                       {"correlation_id", requested.correlation_id},
                       {"error", self->system().render(err)}});
            if (delivered)
              retry_event(self, requested);
          });
}

} // namespace

// After a failure: at its retry_at and with its retry count.
void resume_course(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                   const std::string& course_id) {
  event_query eq{"course.distribution.*", course_id, 0, 1000};
  self->request(log, s.log_timeout, query_atom::value, eq)
      .then(
          [=](const event_page& p) {
            auto req = std::find_if(p.events.rbegin(), p.events.rend(), [](auto& e) {
              return e.type == event_types::distribution_requested;
            });
            if (req == p.events.rend())
              return;
            std::optional<event> failed;
            if (p.events.back().type == event_types::distribution_failed)
              failed = p.events.back();
            start(self, log, s, *req, false, failed);
          },
          [](caf::error&) {});
}

namespace {

// After a restart, and now and then: every course the log shows as distributing without a job
// here (a crash, an append that failed) gets its last request carried out. `min_age_us` spares
// courses that changed a moment ago.
void resume_pending(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                    std::string after, int64_t min_age_us) {
  course_query q{course_status::distributing, std::move(after), 200};
  self->request(log, s.log_timeout, list_atom::value, q)
      .then(
          [=](const course_page& page) {
            auto now = now_us();
            for (const auto& c : page.items) {
              if (changed_within(c.updated_us, now, min_age_us) || self->state.jobs.count(c.id) > 0)
                continue;
              resume_course(self, log, s, c.id);
            }
            if (!page.next_after.empty())
              resume_pending(self, log, s, page.next_after, min_age_us);
          },
          [](caf::error&) {});
}

distribution_impl::behavior_type distribution(distribution_pointer self, event_log_actor log,
                                              distribution_settings s) {
  subscribe_durably(self, log, event_types::distribution_requested, s.log_timeout);
  resume_pending(self, log, s, "", 0);
  self->delayed_send(self, s.sweep_interval, sweep_atom::value);
  return {
      [=](caf::get_atom) { return static_cast<int32_t>(self->state.jobs.size()); },
      [=](notify_atom, const std::vector<event>& events) {
        consume(self, events, [=](const event& e) { start(self, log, s, e, true); });
      },
      [=](checkpoint_atom) { save_checkpoint(self, log, s.log_timeout); },
      [=](resume_atom, const std::string& course_id) { run_attempt(self, log, s, course_id); },
      [=](answer_atom, distribution_answer& a) { return on_answer(self, log, s, std::move(a)); },
      [=](expire_atom, const std::string& course_id, const std::string& order) {
        on_order_deadline(self, log, s, course_id, order);
      },
      [=](expire_atom, const std::string& message_id) { on_parked_expiry(self, message_id); },
      [=](sweep_atom) {
        resume_pending(self, log, s, "", (s.channel_timeout + s.sweep_min_age).count() * 1000);
        self->delayed_send(self, s.sweep_interval, sweep_atom::value);
      },
  };
}

} // namespace

} // namespace distribution_detail

distribution_actor spawn_distribution(caf::actor_system& sys, event_log_actor log,
                                      distribution_settings s) {
  return sys.spawn(distribution_detail::distribution, std::move(log), std::move(s));
}

} // namespace cf
