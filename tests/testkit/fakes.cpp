// Test kit fakes: behaviours for the fake EventLog and CourseFactory, the scripted generator.
#include "tests/testkit/fakes.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <map>

#include "util/errc.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace cf::testkit {

namespace {

struct fake_log_state {
  std::vector<std::pair<subscriber_actor, std::string>> subscribers;
  std::map<std::string, int64_t> versions;
  std::map<std::pair<std::string, std::string>, idempotency_record> remembered;
};

using fake_log_pointer = event_log_actor::stateful_pointer<fake_log_state>;

caf::result<std::vector<event>> fake_append(fake_log_pointer self,
                                            std::shared_ptr<std::vector<event>> store,
                                            const caf::error& fail, std::vector<event> evs,
                                            const idempotency_record* remember,
                                            std::map<std::string, int64_t>* checkpoints = nullptr,
                                            const checkpoint* advance = nullptr) {
  if (fail)
    return fail;
  auto& st = self->state;
  if (remember != nullptr) {
    auto i = st.remembered.find({remember->scope, remember->key});
    if (i != st.remembered.end() && i->second.created_us >= remember->not_before_us)
      return make_error(errc::duplicate, "key used before");
  }
  auto versions = st.versions;
  for (auto& e : evs) {
    auto next = ++versions[e.subject];
    if (e.subject_version != 0 && e.subject_version != next)
      return make_error(errc::conflict, "unexpected subject version");
    e.subject_version = next;
  }
  st.versions = versions;
  if (remember != nullptr) {
    auto r = *remember;
    r.created_us = now_us();
    st.remembered[{r.scope, r.key}] = r;
  }
  if (advance != nullptr)
    (*checkpoints)[advance->consumer] = std::max((*checkpoints)[advance->consumer], advance->seq);
  for (auto& e : evs) {
    if (e.id.empty())
      e.id = make_uuid_v7();
    e.time_us = now_us();
    e.seq = static_cast<int64_t>(store->size()) + 1;
    store->push_back(e);
  }
  for (auto& [who, pattern] : st.subscribers) {
    std::vector<event> matching;
    for (const auto& e : evs)
      if (type_matches(pattern, e.type))
        matching.push_back(e);
    if (!matching.empty())
      self->send(who, notify_atom::value, std::move(matching));
  }
  return evs;
}

void fake_subscribe(fake_log_pointer self, const std::vector<event>& store, subscriber_actor who,
                    const std::string& pattern, int64_t after) {
  std::vector<event> backlog;
  for (const auto& e : store)
    if (after >= 0 && e.seq > after && type_matches(pattern, e.type))
      backlog.push_back(e);
  if (!backlog.empty())
    self->send(who, notify_atom::value, std::move(backlog));
  self->state.subscribers.emplace_back(std::move(who), pattern);
}

} // namespace

event_log_actor fake_event_log::spawn(caf::actor_system& sys) const {
  auto store = events;
  auto fail = fail_appends;
  auto cps = checkpoints;
  return sys.spawn([store, fail, cps](fake_log_pointer self) -> event_log_actor::behavior_type {
    return {
        [=](append_atom, std::vector<event> evs) {
          return fake_append(self, store, *fail, std::move(evs), nullptr);
        },
        [=](append_atom, std::vector<event> evs, const idempotency_record& r) {
          return fake_append(self, store, *fail, std::move(evs), &r);
        },
        [=](append_atom, std::vector<event> evs, const checkpoint& cp) {
          return fake_append(self, store, *fail, std::move(evs), nullptr, cps.get(), &cp);
        },
        [=](checkpoint_atom, const checkpoint& cp) {
          auto& stored = (*cps)[cp.consumer];
          stored = std::max(stored, cp.seq);
          return stored;
        },
        [=](checkpoint_atom) {
          std::vector<checkpoint> all;
          for (const auto& [name, seq] : *cps) all.push_back({name, seq});
          return all;
        },
        [=](recall_atom, const std::string& scope, const std::string& key, int64_t not_before) {
          idempotency_record r;
          auto i = self->state.remembered.find({scope, key});
          if (i != self->state.remembered.end() && i->second.created_us >= not_before)
            r = i->second, r.found = true;
          return r;
        },
        [=](query_atom, const event_query& q) {
          event_page page;
          for (const auto& e : *store)
            if (e.seq > q.after_seq && type_matches(q.type, e.type)
                && (q.subject.empty() || q.subject == e.subject)
                && page.events.size() <= static_cast<size_t>(q.limit))
              page.events.push_back(e);
          if (page.events.size() > static_cast<size_t>(q.limit)) { // pages as the real log does
            page.events.pop_back();
            page.next_after = page.events.back().seq;
          }
          return page;
        },
        [=](caf::get_atom, const std::string& id) -> caf::result<course_view> {
          course_view v;
          for (const auto& e : *store)
            if (e.subject == id)
              if (auto err = apply_event(v.summary, e, nlohmann::json::parse(e.data)))
                return err;
          if (v.summary.id.empty())
            return make_error(errc::not_found, "no course " + id);
          return v;
        },
        [=](summary_atom, const std::string& id) -> caf::result<course_summary> {
          course_summary c;
          for (const auto& e : *store)
            if (e.subject == id)
              if (auto err = apply_event(c, e, nlohmann::json::parse(e.data)))
                return err;
          if (c.id.empty())
            return make_error(errc::not_found, "no course " + id);
          return c;
        },
        [=](list_atom, const course_query& q) -> caf::result<course_page> {
          std::map<std::string, course_summary> courses;
          for (const auto& e : *store)
            if (auto err = apply_event(courses[e.subject], e, nlohmann::json::parse(e.data)))
              return err;
          course_page page;
          for (auto i = courses.upper_bound(q.after); i != courses.end(); ++i) {
            const auto& c = i->second;
            if (q.payable ? c.status != course_status::generated || c.dry_run || c.amount_cents <= 0
                          : !q.status.empty() && c.status != q.status)
              continue;
            if (page.items.size() == static_cast<size_t>(q.limit)) {
              page.next_after = page.items.back().id;
              break;
            }
            page.items.push_back(i->second);
          }
          return page;
        },
        [=](head_atom) { return static_cast<int64_t>(store->size()); },
        [=](stats_atom) {
          log_stats s;
          s.head = static_cast<int64_t>(store->size());
          return s;
        },
        [=](subscribe_atom, subscriber_actor who, const std::string& pattern, int64_t after) {
          fake_subscribe(self, *store, std::move(who), pattern, after);
          return static_cast<int64_t>(store->size());
        },
        [=](subscribe_atom, subscriber_actor who, const std::string& pattern,
            const std::string& consumer) {
          auto from = (*cps)[consumer];
          fake_subscribe(self, *store, std::move(who), pattern, from);
          return from;
        },
    };
  });
}

std::vector<std::string> fake_event_log::types(const std::string& subject) const {
  std::vector<std::string> out;
  for (const auto& e : *events)
    if (subject.empty() || e.subject == subject)
      out.push_back(e.type);
  return out;
}

course_factory_actor fake_course_factory::spawn(caf::actor_system& sys) const {
  auto seen = received;
  auto fail = fail_with;
  auto accept = [seen, fail](const course_request& req) -> caf::result<course_accepted> {
    if (*fail)
      return *fail;
    seen->push_back(req);
    return course_accepted{"course-" + std::to_string(seen->size()), "generating",
                           static_cast<int64_t>(seen->size()), false};
  };
  auto retried = [fail](const std::string& id) -> caf::result<course_accepted> {
    if (*fail)
      return *fail;
    return course_accepted{id, "generating", 0, false};
  };
  return sys.spawn([=]() -> course_factory_actor::behavior_type {
    return {
        [=](create_atom, const course_request& req, const std::string&) { return accept(req); },
        [=](create_atom, const course_request& req, const std::string&, const idempotency_key&) {
          return accept(req);
        },
        [=](retry_atom, const std::string& id) { return retried(id); },
        [=](create_atom, const course_request& req, const std::string&, const std::string&) {
          return accept(req);
        },
        [=](result_atom, const remote_generation&) -> caf::result<std::string> {
          return make_error(errc::internal, "the fake CourseFactory takes no worker results");
        },
        [=](create_atom, const course_request& req, const std::string&, const idempotency_key&,
            const std::string&) { return accept(req); },
        [=](retry_atom, const std::string& id, const std::string&) { return retried(id); },
    };
  });
}

payment_actor fake_payment::spawn(caf::actor_system& sys) const {
  auto seen = received;
  auto fail = fail_with;
  return sys.spawn([seen, fail]() -> payment_actor::behavior_type {
    return {
        [=](webhook_atom, const payment_notice& n) -> caf::result<webhook_outcome> {
          if (*fail)
            return *fail;
          seen->push_back(n);
          return webhook_outcome{"recorded", "course.payment." + n.outcome,
                                 static_cast<int64_t>(seen->size())};
        },
    };
  });
}

scripted_generator::scripted_generator(std::vector<caf::error> script)
    : script_(script.begin(), script.end()) {}

caf::expected<course_content> scripted_generator::generate(const course_request& req) {
  caf::error next;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++calls_;
    if (!script_.empty()) {
      next = std::move(script_.front());
      script_.pop_front();
    }
  }
  if (next)
    return next;
  return builtin_->generate(req);
}

int scripted_generator::calls() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return calls_;
}

} // namespace cf::testkit
