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

#include "actors/durable_subscription.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_events.hpp"
#include "util/errc.hpp"
#include "util/log.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"

namespace cf {

namespace {

// What one channel did in one attempt.
struct channel_outcome {
  std::string channel;
  bool ok = false;
  bool permanent = false;
  std::string url;
  std::string detail; // result detail, or the error
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_outcome& x) {
  return f(caf::meta::type_name("cf.channel_outcome"), x.channel, x.ok, x.permanent, x.url,
           x.detail);
}

using publisher_actor =
    caf::typed_actor<caf::replies_to<publish_atom, published_course,
                                     std::vector<std::string>>::with<std::vector<channel_outcome>>>;

using distribution_impl =
    distribution_actor::extend<caf::reacts_to<notify_atom, std::vector<event>>,
                               caf::reacts_to<resume_atom, std::string>, caf::reacts_to<sweep_atom>,
                               caf::reacts_to<checkpoint_atom>>;

struct job {
  published_course course;
  std::string correlation_id;
  int64_t version = 0;               // the course's version after our last append
  std::vector<std::string> pending;  // channels still to publish to
  std::vector<channel_outcome> done; // channels that succeeded
  int32_t retry_count = 0;
  std::chrono::steady_clock::time_point started;
  event cause; // the delivered request until the job's first outcome commits (seq 0: none)
};

struct distribution_state {
  durable_consumer durable{"distribution"}; // follows distribution requests
  std::map<std::string, job> jobs;          // by course id
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "distribution";
};

using distribution_pointer = distribution_impl::stateful_pointer<distribution_state>;

// Runs channels one after another on its own thread (they block), then quits.
publisher_actor::behavior_type publisher(publisher_actor::pointer self,
                                         std::map<std::string, std::shared_ptr<channel>> chans) {
  return {
      [=](publish_atom, const published_course& c, const std::vector<std::string>& names) {
        self->quit();
        std::vector<channel_outcome> out;
        for (const auto& name : names) {
          channel_outcome o;
          o.channel = name;
          auto i = chans.find(name);
          if (i == chans.end()) {
            o.permanent = true;
            o.detail = "channel not configured";
          } else {
            caf::expected<channel_result> r = make_error(errc::internal);
            try {
              r = i->second->publish(c);
            } catch (const std::exception& ex) {
              r = make_error(errc::channel_transient, ex.what());
            }
            o.ok = static_cast<bool>(r);
            if (r) {
              o.url = r->url;
              o.detail = r->detail;
            } else {
              o.permanent = !is(r.error(), errc::channel_transient);
              o.detail = error_context(r.error());
            }
          }
          out.push_back(std::move(o));
        }
        return out;
      },
  };
}

// The origin of an outcome of job `j`: caused by its request; record() sets the version.
event_origin origin_of(const job& j) {
  return {j.course.course_id, 0, j.correlation_id, j.course.distribution_id};
}

void run_attempt(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id);

// Records `events` (versions chained from the job's), then continues with `then`.
void record(distribution_pointer self, event_log_actor log, const distribution_settings& s,
            const std::string& course_id, std::vector<event> events, std::function<void()> then) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end())
    return;
  for (auto& e : events) e.subject_version = ++i->second.version;
  auto cause = i->second.cause;
  auto correlation = i->second.correlation_id;
  if (cause.seq != 0) {
    // The job's first outcome is the effect of the delivered request: it commits with the
    // checkpoint (later outcomes and retries follow from the log: the course is distributing).
    i->second.cause = event{};
    // On error the request is finished (conflict) or handed back (retry): this job is over.
    commit_effect(
        self, log, s.log_timeout, cause, std::move(events), [then](std::vector<event>&) { then(); },
        [=] { self->state.jobs.erase(course_id); });
    return;
  }
  self->request(log, s.log_timeout, append_atom::value, std::move(events))
      .then([then](const std::vector<event>&) { then(); },
            [=](caf::error& err) {
              // conflict: the course moved on (a user's retry); the newer request takes over
              if (!is(err, errc::conflict))
                log_event(log_level::error, "distribution", "cannot record",
                          {{"course_id", course_id},
                           {"correlation_id", correlation},
                           {"error", self->system().render(err)}});
              self->state.jobs.erase(course_id);
            });
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
           [=] { self->state.jobs.erase(course_id); });
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
  record(self, log, s, course_id, std::move(events), [=] {
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

void run_attempt(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                 const std::string& course_id) {
  auto i = self->state.jobs.find(course_id);
  if (i == self->state.jobs.end())
    return;
  auto worker = self->spawn<caf::detached>(publisher, s.channels);
  self->request(worker, s.channel_timeout, publish_atom::value, i->second.course, i->second.pending)
      .then(
          [=](const std::vector<channel_outcome>& outcomes) {
            on_outcomes(self, log, s, course_id, outcomes);
          },
          [=](caf::error& err) {
            auto i = self->state.jobs.find(course_id);
            if (i == self->state.jobs.end())
              return;
            std::vector<channel_outcome> timed_out;
            for (const auto& name : i->second.pending)
              timed_out.push_back(
                  {name, false, false, "", "no answer: " + self->system().render(err)});
            on_outcomes(self, log, s, course_id, timed_out);
          });
}

// Starts the job for a committed distribution.requested event; `delivered`: it came by the
// durable subscription (not a sweep), so its checkpoint moves when the job's first outcome commits.
// With `failed`, the last attempt's failure (after a restart): the job goes on with its retry
// count and waits for its retry_at.
void resume_course(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                   const std::string& course_id);

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
            if (delivered)
              j.cause = requested;
            j.course = {c.id, c.title, c.language, v.content, requested.id, c.distribution_attempt};
            j.correlation_id = requested.correlation_id;
            j.version = c.version;
            j.pending = request->channels;
            j.started = std::chrono::steady_clock::now();
            auto delay = std::chrono::milliseconds{0};
            if (failed) {
              delay = delay_until_retry(*failed);
              auto last = read_distribution_failed(*failed);
              j.retry_count = (last ? last->retry_count : 0) + 1;
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

// Carries on the last distribution request of a course from the log: after a failure, at its
// retry_at and with its retry count.
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

// After a restart, and now and then: every course the log shows as distributing without a job
// here (a crash, an append that failed) gets its last request carried out. `min_age_us` spares
// courses that changed a moment ago.
void resume_pending(distribution_pointer self, event_log_actor log, const distribution_settings& s,
                    std::string after, int64_t min_age_us) {
  course_query q{course_status::distributing, std::move(after), 200};
  self->request(log, s.log_timeout, list_atom::value, q)
      .then(
          [=](const course_page& page) {
            auto cutoff = now_us() - min_age_us;
            for (const auto& c : page.items) {
              if (c.updated_us > cutoff || self->state.jobs.count(c.id) > 0)
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
      [=](sweep_atom) {
        resume_pending(self, log, s, "", (s.channel_timeout + s.sweep_min_age).count() * 1000);
        self->delayed_send(self, s.sweep_interval, sweep_atom::value);
      },
  };
}

} // namespace

distribution_actor spawn_distribution(caf::actor_system& sys, event_log_actor log,
                                      distribution_settings s) {
  return sys.spawn(distribution, std::move(log), std::move(s));
}

} // namespace cf
