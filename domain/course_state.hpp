// The course read model: what GET /v1/courses shows, folded from a course's events. The fold is a
// pure function, so the same code serves live updates and rebuilds from the log.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "domain/catalogue.hpp"
#include "domain/event.hpp"
#include "util/errc.hpp"

namespace cf {

namespace course_status {
inline constexpr const char* generating = "generating";
inline constexpr const char* generated = "generated";
inline constexpr const char* generation_failed = "generation_failed";
inline constexpr const char* awaiting_payment = "awaiting_payment";
inline constexpr const char* paid = "paid";
inline constexpr const char* payment_failed = "payment_failed";
inline constexpr const char* distributing = "distributing";
inline constexpr const char* published = "published";
inline constexpr const char* distribution_failed = "distribution_failed";
} // namespace course_status

/// True for a status name the API knows (used to validate ?status= filters).
bool is_known_status(const std::string& status);

/// One course as the read model holds it.
struct course_summary {
  std::string id;
  std::string status;
  std::string title;
  std::string user_id;
  std::string language;
  bool dry_run = false;
  int64_t amount_cents = 0;
  std::string currency;
  int64_t version = 0;     ///< Subject version of the last event applied.
  int64_t last_seq = 0;    ///< Sequence number of the last event applied.
  int64_t created_us = 0;  ///< Time of the first event.
  int64_t updated_us = 0;  ///< Time of the last event.
  int32_t attempt = 0;     ///< Current generation attempt.
  std::string last_error;  ///< Error of the last failure, if any.
  int64_t content_seq = 0; ///< Seq of the generation.completed event with the content; 0: none.
  std::string payment_id;  ///< The payment asked for (payment.required), if any.
  int64_t payment_expires_us = 0;   ///< When that payment expires.
  int32_t distribution_attempt = 0; ///< Current distribution attempt (distribution.requested).
  std::string url;                  ///< Where the published course is (distribution.completed).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_summary& x) {
  return f(caf::meta::type_name("cf.course_summary"), x.id, x.status, x.title, x.user_id,
           x.language, x.dry_run, x.amount_cents, x.currency, x.version, x.last_seq, x.created_us,
           x.updated_us, x.attempt, x.last_error, x.content_seq, x.payment_id, x.payment_expires_us,
           x.distribution_attempt, x.url);
}

/// A course with its generated content (JSON text; empty until generated).
struct course_view {
  course_summary summary;
  std::string content;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_view& x) {
  return f(caf::meta::type_name("cf.course_view"), x.summary, x.content);
}

/// Filter and cursor for listing courses, in id (= creation) order.
struct course_query {
  std::string status; ///< Empty: any status.
  std::string after;  ///< Only ids greater than this one (the previous page's cursor).
  int32_t limit = 50; ///< 1-500.
  /// Only courses waiting for a payment request: generated, priced and not a dry run (the
  /// Payment actor's sweep). `status` is ignored then. Served by an index of those alone, so
  /// the sweep does not grow with the finished dry runs in the log.
  bool payable = false;
  /// Non-empty: only courses whose title contains it (ASCII case ignored) or whose id starts
  /// with it (the console's search box).
  std::string search{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_query& x) {
  return f(caf::meta::type_name("cf.course_query"), x.status, x.after, x.limit, x.payable,
           x.search);
}

/// A page of courses; `next_after` is empty on the last page.
struct course_page {
  std::vector<course_summary> items;
  std::string next_after;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, course_page& x) {
  return f(caf::meta::type_name("cf.course_page"), x.items, x.next_after);
}

/// The values of an event's data that the fold reads; it never looks at the rest.
struct fold_input {
  std::string title;        ///< generation.started
  std::string user_id;      ///< generation.started
  std::string language;     ///< generation.started: parameters.language
  bool dry_run = false;     ///< generation.started: parameters.dry_run
  bool priced = false;      ///< generation.started: parameters.price is an object
  int64_t amount_cents = 0; ///< generation.started: parameters.price.amount_cents
  std::string currency;     ///< generation.started: parameters.price.currency
  int64_t attempt = 1;      ///< generation.started, distribution.requested
  std::string error;        ///< generation.failed, distribution.failed
  bool will_retry = false;  ///< generation.failed, distribution.failed
  std::string payment_id;   ///< payment.required
  std::string expires_at;   ///< payment.required
  std::string reason;       ///< payment.failed
  std::string url;          ///< distribution.completed
  std::string channel;      ///< distribution.failed
};

/// Reads the values that the fold of an event of type `type` uses, and no others, through `r`,
/// which has `text`, `flag` and `number` (the value at a path of keys, or the default when a key
/// is missing), `is_object` (whether the path leads to an object) and a string `refusal`. A value
/// of another type, or a path through something else than an object, is read as its default, and
/// the reader keeps why in `refusal` (the first such reason): checked once, after the last value,
/// so the happy path pays one test per event. One list of keys for both readers: nlohmann::json's
/// (fold_input_of) and the storage's fast one (storage/detail/fold_reader.hpp).
/// Errors: invalid_argument, saying why (the first value refused).
template <class Reader>
caf::expected<fold_input> read_fold_input(const std::string& type, Reader& r) {
  namespace t = event_types;
  fold_input in;
  if (type == t::generation_started) {
    in.title = r.text({"title"});
    in.user_id = r.text({"user_id"});
    in.language = r.text({"parameters", "language"});
    in.dry_run = r.flag({"parameters", "dry_run"});
    in.priced = r.is_object({"parameters", "price"});
    if (in.priced) {
      in.amount_cents = r.number({"parameters", "price", "amount_cents"}, 0);
      in.currency = r.text({"parameters", "price", "currency"});
    }
    in.attempt = r.number({"attempt"}, 1);
  } else if (type == t::generation_failed) {
    in.error = r.text({"error"});
    in.will_retry = r.flag({"will_retry"});
  } else if (type == t::payment_required) {
    in.payment_id = r.text({"payment_id"});
    in.expires_at = r.text({"expires_at"});
  } else if (type == t::payment_failed) {
    in.reason = r.text({"reason"});
  } else if (type == t::distribution_requested) {
    in.attempt = r.number({"attempt"}, 1);
  } else if (type == t::distribution_completed) {
    in.url = r.text({"url"});
  } else if (type == t::distribution_failed) {
    in.channel = r.text({"channel"});
    in.error = r.text({"error"});
    in.will_retry = r.flag({"will_retry"});
  }
  if (!r.refusal.empty())
    return make_error(errc::invalid_argument, std::move(r.refusal));
  return in;
}

/// "parameters.price.currency" for a reader's path of keys (in its refusals).
std::string fold_path_name(std::initializer_list<const char*> path);

/// The fold's values of an event of type `type` from its parsed data. Errors: invalid_argument
/// (a value the fold reads is of another type; named).
[[nodiscard]] caf::expected<fold_input> fold_input_of(const std::string& type,
                                                      const nlohmann::json& data);

/// Folds `e`, whose data holds `in`, into `c`. `c.id` empty means "no course yet". Events of
/// unknown types only advance version and time.
void apply_event(course_summary& c, const event& e, const fold_input& in);

/// The same from `e`'s parsed data (tests and fakes; the store reads with its own reader).
/// Errors: invalid_argument (as fold_input_of; `c` is left as it was).
[[nodiscard]] caf::error apply_event(course_summary& c, const event& e, const nlohmann::json& data);

/// The summary as the JSON object the API serves (without content).
nlohmann::json to_json(const course_summary& c);

} // namespace cf
