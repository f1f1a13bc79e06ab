// The fold from course events to the course read model.
#include "actors/course_state.hpp"

#include <nlohmann/json.hpp>

#include "actors/catalogue.hpp"

namespace cf {

bool is_known_status(const std::string& s) {
  return s == course_status::generating || s == course_status::generated
         || s == course_status::generation_failed;
}

void apply_event(course_summary& c, const event& e, const nlohmann::json& data) {
  using namespace event_types;
  if (c.id.empty()) {
    c.id = e.subject;
    c.created_us = e.time_us;
  }
  c.version = e.subject_version;
  c.last_seq = e.seq;
  c.updated_us = e.time_us;
  if (e.type == generation_started) {
    const auto& p = data.value("parameters", nlohmann::json::object());
    c.status = course_status::generating;
    c.title = data.value("title", "");
    c.user_id = data.value("user_id", "");
    c.language = p.value("language", "");
    c.dry_run = p.value("dry_run", false);
    if (auto price = p.find("price"); price != p.end() && price->is_object()) {
      c.amount_cents = price->value("amount_cents", int64_t{0});
      c.currency = price->value("currency", "");
    }
    c.attempt = data.value("attempt", 1);
    c.content_seq = 0;
  } else if (e.type == generation_completed) {
    c.status = course_status::generated;
    c.content_seq = e.seq;
    c.last_error.clear();
  } else if (e.type == generation_failed) {
    c.last_error = data.value("error", "");
    c.status = data.value("will_retry", false) ? course_status::generating
                                               : course_status::generation_failed;
  }
}

nlohmann::json to_json(const course_summary& c) {
  nlohmann::json price = nullptr;
  if (c.amount_cents > 0)
    price = {{"amount_cents", c.amount_cents}, {"currency", c.currency}};
  nlohmann::json j{{"course_id", c.id},
                   {"status", c.status},
                   {"title", c.title},
                   {"user_id", c.user_id},
                   {"language", c.language},
                   {"dry_run", c.dry_run},
                   {"price", price},
                   {"version", c.version},
                   {"last_seq", c.last_seq},
                   {"created_at", format_time(c.created_us)},
                   {"updated_at", format_time(c.updated_us)},
                   {"attempt", c.attempt}};
  if (!c.last_error.empty())
    j["last_error"] = c.last_error;
  return j;
}

} // namespace cf
