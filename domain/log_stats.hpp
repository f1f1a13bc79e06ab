// What EventLog reports at scrape time: the head of the log, courses by status and each durable
// consumer's position.
#pragma once

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cf {

/// How many courses are in one status.
struct status_count {
  std::string status;
  int64_t count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_count& x) {
  return f(caf::meta::type_name("cf.status_count"), x.status, x.count);
}

/// A durable consumer's position: its checkpoint, and how many events of its subscription
/// (type pattern) were committed after it: its lag.
struct consumer_lag {
  std::string consumer;
  int64_t checkpoint = 0;
  int64_t pending = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_lag& x) {
  return f(caf::meta::type_name("cf.consumer_lag"), x.consumer, x.checkpoint, x.pending);
}

/// What the log reports at scrape time.
struct log_stats {
  int64_t head = 0;
  std::vector<status_count> courses_by_status;
  std::vector<consumer_lag> consumers; ///< Those subscribed right now.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_stats& x) {
  return f(caf::meta::type_name("cf.log_stats"), x.head, x.courses_by_status, x.consumers);
}

} // namespace cf
