// The fold from course events to the course read model.
#include "actors/course_state.hpp"

#include <nlohmann/json.hpp>

#include "actors/catalogue.hpp"

namespace cf {

bool is_known_status(const std::string& s) {
  using namespace course_status;
  for (const char* known : {generating, generated, generation_failed, awaiting_payment, paid,
                            payment_failed, distributing, published, distribution_failed})
    if (s == known)
      return true;
  return false;
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
  } else if (e.type == payment_required) {
    c.status = course_status::awaiting_payment;
    c.payment_id = data.value("payment_id", "");
    auto expires = parse_time(data.value("expires_at", ""));
    c.payment_expires_us = expires ? *expires : 0;
  } else if (e.type == payment_completed) {
    c.status = course_status::paid;
    c.last_error.clear();
  } else if (e.type == payment_failed) {
    c.status = course_status::payment_failed;
    c.last_error = data.value("reason", "");
  } else if (e.type == distribution_requested) {
    c.status = course_status::distributing;
    c.distribution_attempt = data.value("attempt", 1);
  } else if (e.type == distribution_completed) {
    c.status = course_status::published;
    c.url = data.value("url", "");
    c.last_error.clear();
  } else if (e.type == distribution_failed) {
    c.last_error = data.value("channel", "") + ": " + data.value("error", "");
    c.status = data.value("will_retry", false) ? course_status::distributing
                                               : course_status::distribution_failed;
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
  if (!c.payment_id.empty()) {
    j["payment_id"] = c.payment_id;
    j["payment_expires_at"] = format_time(c.payment_expires_us);
  }
  if (!c.url.empty())
    j["url"] = c.url;
  return j;
}

} // namespace cf
