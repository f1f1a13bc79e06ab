// The fold from course events to the course read model.
#include "domain/course_state.hpp"

#include <nlohmann/json.hpp>

#include "domain/catalogue.hpp"
#include "util/time.hpp"

namespace cf {

bool is_known_status(const std::string& s) {
  using namespace course_status;
  for (const char* known : {generating, generated, generation_failed, awaiting_payment, paid,
                            payment_failed, distributing, published, distribution_failed})
    if (s == known)
      return true;
  return false;
}

namespace {

// read_fold_input's reader over a parsed nlohmann::json document.
struct json_reader {
  const nlohmann::json& root;
  std::string refusal; // the first reason a value could not be read; empty: none

  void refuse(std::string why) {
    if (refusal.empty())
      refusal = std::move(why);
  }

  // The value at `path`; null when a key is missing (or refused).
  const nlohmann::json* find(std::initializer_list<const char*> path) {
    const nlohmann::json* at = &root;
    for (const char* key : path) {
      if (!at->is_object()) {
        refuse(std::string{"a value on the way to "} + key + " is not an object");
        return nullptr;
      }
      auto i = at->find(key);
      if (i == at->end())
        return nullptr;
      at = &*i;
    }
    return at;
  }

  std::string text(std::initializer_list<const char*> path) {
    auto* v = find(path);
    if (v == nullptr)
      return {};
    if (!v->is_string()) {
      refuse(fold_path_name(path) + " is not a string");
      return {};
    }
    return v->get<std::string>();
  }

  bool flag(std::initializer_list<const char*> path) {
    auto* v = find(path);
    if (v == nullptr)
      return false;
    if (!v->is_boolean()) {
      refuse(fold_path_name(path) + " is not true or false");
      return false;
    }
    return v->get<bool>();
  }

  int64_t number(std::initializer_list<const char*> path, int64_t otherwise) {
    auto* v = find(path);
    if (v == nullptr)
      return otherwise;
    if (v->is_boolean()) // as nlohmann::json's value() converts them
      return v->get<bool>() ? 1 : 0;
    if (!v->is_number()) {
      refuse(fold_path_name(path) + " is not a number");
      return otherwise;
    }
    return v->get<int64_t>();
  }

  bool is_object(std::initializer_list<const char*> path) {
    auto* v = find(path);
    return v != nullptr && v->is_object();
  }
};

} // namespace

std::string fold_path_name(std::initializer_list<const char*> path) {
  std::string out;
  for (const char* key : path) out += (out.empty() ? "" : ".") + std::string{key};
  return out;
}

caf::expected<fold_input> fold_input_of(const std::string& type, const nlohmann::json& data) {
  json_reader r{data, {}};
  return read_fold_input(type, r);
}

caf::error apply_event(course_summary& c, const event& e, const nlohmann::json& data) {
  auto in = fold_input_of(e.type, data);
  if (!in)
    return std::move(in.error());
  apply_event(c, e, *in);
  return {};
}

void apply_event(course_summary& c, const event& e, const fold_input& in) {
  using namespace event_types;
  if (c.id.empty()) {
    c.id = e.subject;
    c.created_us = e.time_us;
  }
  c.version = e.subject_version;
  c.last_seq = e.seq;
  c.updated_us = e.time_us;
  if (e.type == generation_started) {
    c.status = course_status::generating;
    c.title = in.title;
    c.user_id = in.user_id;
    c.language = in.language;
    c.dry_run = in.dry_run;
    if (in.priced) { // without a price the course keeps the one it had
      c.amount_cents = in.amount_cents;
      c.currency = in.currency;
    }
    c.attempt = static_cast<int32_t>(in.attempt);
    c.content_seq = 0;
  } else if (e.type == generation_completed) {
    c.status = course_status::generated;
    c.content_seq = e.seq;
    c.last_error.clear();
  } else if (e.type == generation_failed) {
    c.last_error = in.error;
    c.status = in.will_retry ? course_status::generating : course_status::generation_failed;
  } else if (e.type == payment_required) {
    c.status = course_status::awaiting_payment;
    c.payment_id = in.payment_id;
    auto expires = parse_time(in.expires_at);
    c.payment_expires_us = expires ? *expires : 0;
  } else if (e.type == payment_completed) {
    c.status = course_status::paid;
    c.last_error.clear();
  } else if (e.type == payment_failed) {
    c.status = course_status::payment_failed;
    c.last_error = in.reason;
  } else if (e.type == distribution_requested) {
    c.status = course_status::distributing;
    c.distribution_attempt = static_cast<int32_t>(in.attempt);
  } else if (e.type == distribution_completed) {
    c.status = course_status::published;
    c.url = in.url;
    c.last_error.clear();
  } else if (e.type == distribution_failed) {
    c.last_error = in.channel + ": " + in.error;
    c.status = in.will_retry ? course_status::distributing : course_status::distribution_failed;
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
