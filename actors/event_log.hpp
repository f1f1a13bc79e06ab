// EventLog: the only owner of the database. Appends are answered only after their transaction has
// committed; subscribers receive committed events in sequence order (catch-up first, then live).
#pragma once

#include <caf/duration.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/storage_health.hpp"
#include "actors/type_ids.hpp"
#include "domain/course_state.hpp"
#include "domain/event.hpp"
#include "domain/log_stats.hpp"

namespace cf {

class sqlite_event_store;

/// Anything that wants committed events: receives them in sequence order, possibly more than
/// once after a restart (at least once), so handlers must be idempotent.
using subscriber_actor = caf::typed_actor<caf::reacts_to<notify_atom, std::vector<event>>>;

/// How long the actors wait for EventLog's answers: by default, no timeout (caf::infinite).
/// EventLog answers every request (an append after its commit or with its failure; SQLite's busy
/// timeout bounds a wait for the database), and the service exits when EventLog stops on its own
/// (main.cpp), so nothing waits on a dead log. A finite timeout per request cost CAF 0.17's clock
/// thread two wake-ups (set, then cancel on the answer): ~3.5 per POST under load.
using log_wait = caf::duration;

using event_log_actor = caf::typed_actor<
    // Commits `events` in one transaction and answers them with seq, id, time and subject version
    // filled in (an id already set is kept). Errors: invalid_argument, conflict,
    // storage_unavailable, storage_full, storage_failed (see spawn_event_log). Nothing is
    // written on error.
    caf::replies_to<append_atom, std::vector<event>>::with<std::vector<event>>,
    // The same, storing `remember` in the same transaction. Errors as above, plus duplicate when a
    // live record with the same scope and key exists (then nothing is written).
    caf::replies_to<append_atom, std::vector<event>, idempotency_record>::with<std::vector<event>>,
    // The same, moving a consumer's checkpoint in the same transaction (never backwards): how a
    // durable subscriber records the effects of the events it handled.
    caf::replies_to<append_atom, std::vector<event>, checkpoint>::with<std::vector<event>>,
    // Moves a consumer's checkpoint without events (for events that needed no effect); answers
    // the stored seq. Errors: invalid_argument, storage_unavailable.
    caf::replies_to<checkpoint_atom, checkpoint>::with<int64_t>,
    // Every stored checkpoint (consumers and the course projection "courses").
    caf::replies_to<checkpoint_atom>::with<std::vector<checkpoint>>,
    // The live record for (scope, key) created at or after `not_before_us` (found = false: none).
    caf::replies_to<recall_atom, std::string, std::string, int64_t>::with<idempotency_record>,
    // Reads events in sequence order. Errors: invalid_argument, storage_unavailable.
    caf::replies_to<query_atom, event_query>::with<event_page>,
    // Reads one course with its content. Errors: not_found, storage_unavailable.
    caf::replies_to<caf::get_atom, std::string>::with<course_view>,
    // Reads one course's read-model row only, without its (large) content: what the actors
    // need to decide. Errors: not_found, storage_unavailable.
    caf::replies_to<summary_atom, std::string>::with<course_summary>,
    // Lists courses. Errors: invalid_argument, storage_unavailable.
    caf::replies_to<list_atom, course_query>::with<course_page>,
    // The last committed sequence number.
    caf::replies_to<head_atom>::with<int64_t>,
    // Subscribes `who` to committed events whose type matches the pattern (see event_query::type)
    // with seq > after: stored ones first, then live ones as they commit (after < 0: live only).
    // Answers the log's head at the moment live delivery starts. A subscriber is dropped when it
    // terminates. Errors: invalid_argument (bad pattern), storage_unavailable (catch-up failed; not
    // subscribed).
    caf::replies_to<subscribe_atom, subscriber_actor, std::string, int64_t>::with<int64_t>,
    // A durable subscription: as above, from the stored checkpoint of the named consumer, which
    // it answers. The subscriber advances that checkpoint as it finishes events (append with a
    // checkpoint, or checkpoint_atom); after a restart it resumes from there.
    caf::replies_to<subscribe_atom, subscriber_actor, std::string, std::string>::with<int64_t>,
    // Head, courses by status and each subscribed consumer's lag, for GET /metrics.
    caf::replies_to<stats_atom>::with<log_stats>>;

/// What EventLog reports to, beside its answers.
struct event_log_options {
  /// Where it reports how its writes go; null: a health of its own nobody reads.
  std::shared_ptr<storage_health> health;
  /// Test only (the service reads COURSEFACTORY_TEST_EVENT_LOG_DIES_AFTER): after this many
  /// group commits EventLog throws, as a bug in it would, and stops; 0: never.
  int64_t die_after_commits = 0;
};

/// Spawns EventLog on its own thread (SQLite blocks) over `store`, which it owns from now on.
/// A failed sync (storage_failed) closes a latch for good: that append and every later write
/// (appends, checkpoints) are answered storage_failed, reads still work, `health->failed` turns
/// true and `health->on_failed` is called once: what is on disk is unknown now, and only a new
/// process, recovering from the file, can know it. REQUIRES: store != nullptr.
event_log_actor spawn_event_log(caf::actor_system& sys, std::shared_ptr<sqlite_event_store> store,
                                event_log_options options = {});

} // namespace cf
