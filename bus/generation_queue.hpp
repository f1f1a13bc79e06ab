// The generation worker's side of the jobs stream (issue 14): a consumer group `generators` on
// the jobs stream, from which workers read new jobs, reclaim jobs whose worker went quiet, append
// results to the results stream and acknowledge, and set aside entries they cannot use in a
// dead-letter stream. Plain functions over one redis_connection (one per thread): they hold no
// state but what the caller passes in.
#pragma once

#include <caf/expected.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bus/redis_connection.hpp"
#include "domain/generation_job.hpp"

namespace cf {

/// Where the jobs and results live and who is asking.
struct generation_streams {
  std::string jobs = "coursefactory:generation:jobs";
  std::string results = "coursefactory:generation:results";
  std::string group = "generators";
  std::string worker; ///< This consumer's name in the group (host:pid, or host:pid/thread).

  /// `<jobs>:dead`: entries nobody can use, with the reason.
  std::string dead_letters() const { return jobs + ":dead"; }
  /// The hash of workers' last-seen times: the jobs key with its last ":jobs" replaced by
  /// ":workers" (coursefactory:generation:workers), or `<jobs>:workers` without one.
  std::string workers() const;
  /// The count of jobs taken over from a worker that went quiet: the jobs key with ":jobs"
  /// replaced by ":reclaims" (coursefactory:generation:reclaims).
  std::string reclaims() const;
};

/// One jobs stream entry as delivered to this worker.
struct delivered_job {
  std::string entry_id;   ///< The stream entry id (what XACK takes), not the job's own id.
  stream_fields fields;   ///< As stored; empty when the entry was deleted meanwhile.
  int64_t deliveries = 1; ///< How often the group has handed it out, this time included.
};

/// Creates the group on the jobs stream (MKSTREAM; it starts at the stream's beginning, so jobs
/// appended before any worker ran are read too). An existing group is fine.
/// Errors: as redis_connection::command.
caf::error ensure_group(redis_connection& c, const generation_streams& s);

/// Up to `count` jobs never delivered before, waiting up to `block` for the first one
/// (XREADGROUP ... BLOCK). Empty after the wait. `block` must stay below the connection's
/// timeout. Errors: as redis_connection::command; errc::internal for a reply of another shape.
caf::expected<std::vector<delivered_job>> read_new_jobs(redis_connection& c,
                                                        const generation_streams& s, int count,
                                                        std::chrono::milliseconds block);

/// What one reclaim pass found.
struct reclaimed_jobs {
  std::string next_cursor = "0-0"; ///< Where the next pass continues ("0-0": from the start).
  std::vector<delivered_job> jobs; ///< Now this worker's, with their delivery counts.
};

/// Takes over up to `count` jobs that another consumer (or this one, earlier) has held unacked
/// for longer than `min_idle` (XAUTOCLAIM from `cursor`), with each one's delivery count
/// (XPENDING). Errors: as read_new_jobs.
caf::expected<reclaimed_jobs> reclaim_jobs(redis_connection& c, const generation_streams& s,
                                           std::chrono::milliseconds min_idle,
                                           const std::string& cursor, int count);

/// Resets the idle time of a job this worker still runs (XCLAIM ... 0 id JUSTID; the delivery
/// count stays), so that a generation longer than the claim timeout is not taken over while its
/// worker lives. Errors: as redis_connection::command.
caf::error touch_job(redis_connection& c, const generation_streams& s, const std::string& entry_id);

/// Acknowledges the entry: the group forgets it. Errors: as redis_connection::command.
caf::error ack_job(redis_connection& c, const generation_streams& s, const std::string& entry_id);

/// Appends `r` (to_fields) to the results stream; answers the new entry's id.
caf::expected<std::string> add_result(redis_connection& c, const generation_streams& s,
                                      const generation_result& r);

/// Appends the job to the dead-letter stream (fields reason, original_id, then its own fields)
/// and acknowledges it. Errors: as redis_connection::command.
caf::error dead_letter(redis_connection& c, const generation_streams& s, const delivered_job& j,
                       const std::string& reason);

/// Records that this worker is alive at `unix_ms` (HSET workers() worker unix_ms).
caf::error heartbeat(redis_connection& c, const generation_streams& s, int64_t unix_ms);

/// Adds `n` to the count of reclaimed jobs (s.reclaims(); the service's /metrics shows it).
/// Errors: as redis_connection::command.
caf::error count_reclaims(redis_connection& c, const generation_streams& s, int64_t n);

} // namespace cf
