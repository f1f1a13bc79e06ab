// The bus relay's benchmark (issue 12, driven by bench/run.sh section 5). One line of `key=value`.
//
//   relay_bench --db FILE --producers P --seconds S [--redis-port N] [--stream NAME] [--reader 0]
//
// The real EventLog (spawn_event_log over sqlite_event_store::open, durability full) over FILE,
// driven by P event-based producers for S seconds (bench/producers.hpp, the same load as
// append_bench's row 1). Prints events/s appended and the mean events per commit. With
// --redis-port the service's BusRelay (spawn_bus_relay, cloudevents) relays to a fresh stream on
// the redis-server at 127.0.0.1:N while the producers run, and a reader thread on its own
// connection (XREAD BLOCK, as a consumer of the bus would) notes when each entry arrives. Then
// it also prints:
//   relayed_per_s  entries relayed / (arrival of the log's head on the stream - commit time of
//                  the first event): how fast the stream kept up and caught up after the stop;
//   catchup_ms     from the producers' stop (seen by polling every 5 ms) to the head's arrival
//                  on the stream; 0 when it had arrived by then;
//   p50_ms p99_ms  per entry, arrival time (system clock) - the event's time_us as committed
//                  (also system clock, stamped by EventLog as it queues the event for its group
//                  commit, so the commit's fsync is part of the latency);
//   relay_calls, mean_relay_batch  from Redis' INFO commandstats (EXEC): how the relay batched;
//   redis_cpu_us_per_entry  redis-server's CPU (INFO cpu, user + system, every thread) while the
//                  producers ran and the stream caught up, per entry relayed: the appends, their
//                  AOF writes and the reader's XREADs.
// --reader 0 leaves the reader out (no latencies; the relay's status tells when it caught up), to
// see what the benchmark's own consumer costs. The stream is deleted at the end, so that runs
// against one redis-server stay independent.
#include <algorithm>
#include <atomic>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/bus_relay.hpp"
#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "bench/producers.hpp"
#include "bus/redis_connection.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/errc.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"

namespace {

using cf::bench::clock_type;
using namespace std::chrono_literals;

struct options {
  std::string db;
  int producers = 16;
  double seconds = 3;
  int redis_port = 0; ///< 0: no relay
  std::string stream;
  bool reader = true; ///< false: no XREAD consumer, no latencies (what the reader itself costs)
};

/// What the reader thread saw on the stream.
struct stream_watch {
  std::atomic<int64_t> target{INT64_MAX}; ///< Stop once this seq has arrived (the log's head).
  std::atomic<bool> give_up{false};
  std::atomic<bool> done{false};
  // Written by the reader only, read after it is joined.
  std::vector<int64_t> latency_us;
  int64_t entries = 0;
  int64_t first_time_us = 0; ///< time_us of the first entry read
  int64_t last_seq = 0;
  int64_t last_arrival_us = 0;
  std::string error;
};

/// The value of `field` in a flat [f1, v1, f2, v2, ...] reply; empty when absent.
std::string field_of(const cf::redis_value& fields, const std::string& field) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2)
    if (fields.elements[i].str == field)
      return fields.elements[i + 1].str;
  return {};
}

/// Reads `stream` from the start until the target seq arrives (or give_up), one XREAD BLOCK at a
/// time; an entry's arrival is the moment its reply came back.
void read_stream(cf::redis_connection& c, const std::string& stream, stream_watch& w) {
  std::string last_id = "0-0";
  w.latency_us.reserve(1 << 20);
  while (!w.give_up && w.last_seq < w.target) {
    auto r = c.command({"XREAD", "COUNT", "1000", "BLOCK", "100", "STREAMS", stream, last_id});
    auto arrival = cf::now_us();
    if (!r) {
      w.error = cf::error_context(r.error());
      break;
    }
    if (r->is_nil())
      continue;                         // nothing within 100 ms: look at target and give_up again
    for (const auto& s : r->elements) { // [stream name, [[id, [f, v, ...]], ...]]
      if (s.elements.size() < 2)
        continue;
      for (const auto& entry : s.elements[1].elements) {
        if (entry.elements.size() < 2)
          continue;
        last_id = entry.elements[0].str;
        auto seq = std::stoll(field_of(entry.elements[1], "seq"));
        auto time = cf::parse_time(field_of(entry.elements[1], "time"));
        if (!time) {
          w.error = "entry " + last_id + " has no readable time";
          return;
        }
        if (w.entries++ == 0)
          w.first_time_us = *time;
        w.latency_us.push_back(arrival - *time);
        w.last_seq = seq;
        w.last_arrival_us = arrival;
      }
    }
  }
}

/// As read_stream, from the relay's status instead of the stream: entries and arrivals as the
/// relay counts them, polled every millisecond; the first event's time is the start of polling.
void watch_status(const cf::bus_relay_status& status, stream_watch& w) {
  w.first_time_us = cf::now_us();
  while (!w.give_up && w.last_seq < w.target) {
    std::this_thread::sleep_for(1ms);
    auto seq = status.relayed_seq.load();
    if (seq != w.last_seq) {
      w.last_seq = seq;
      w.last_arrival_us = cf::now_us();
    }
  }
  w.entries = static_cast<int64_t>(status.relayed_events.load());
}

/// The `q`-quantile of `v` (reorders v), in milliseconds.
double quantile_ms(std::vector<int64_t>& v, double q) {
  if (v.empty())
    return 0;
  auto k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

/// EXEC's calls (one per append) and redis-server's CPU seconds (user + system) so far, from
/// INFO ({0, 0} when unknown).
std::pair<int64_t, double> redis_stats(cf::redis_connection& c) {
  auto r = c.command({"INFO", "all"});
  if (!r)
    return {0, 0};
  // The number after `key` (after `from`); 0 when absent or unreadable.
  auto number_after = [&](const std::string& key, size_t from = 0) -> double {
    auto at = from == std::string::npos ? from : r->str.find(key, from);
    if (at == std::string::npos)
      return 0;
    try {
      return std::stod(r->str.substr(at + key.size(), 32));
    } catch (const std::exception&) {
      return 0;
    }
  };
  auto calls = number_after("calls=", r->str.find("cmdstat_exec:"));
  return {static_cast<int64_t>(calls),
          number_after("used_cpu_user:") + number_after("used_cpu_sys:")};
}

/// The log's last committed seq; nullopt when EventLog does not answer it.
std::optional<int64_t> log_head(caf::actor_system& sys, const cf::event_log_actor& log) {
  caf::scoped_actor self{sys};
  std::optional<int64_t> out;
  self->request(log, caf::infinite, cf::head_atom::value)
      .receive([&](int64_t head) { out = head; }, [&](caf::error&) {});
  return out;
}

int run(const options& o) {
  auto store = cf::bench::open_store(o.db, cf::durability::full);
  if (!store)
    return 1;
  caf::actor_system_config cfg;
  cf::register_types(cfg);
  cf::bench::size_scheduler(cfg);
  caf::actor_system sys{cfg};
  auto log = cf::spawn_event_log(sys, std::shared_ptr<cf::sqlite_event_store>{std::move(store)});
  const bool relay_on = o.redis_port > 0;
  cf::redis_address addr{"127.0.0.1", o.redis_port, 0};
  std::unique_ptr<cf::redis_connection> admin, reader_conn;
  auto status = std::make_shared<cf::bus_relay_status>();
  cf::bus_relay_settings rs;
  cf::bus_relay_actor relay;
  stream_watch watch;
  std::thread reader;
  std::pair<int64_t, double> redis_before{0, 0};
  if (relay_on) {
    auto a = cf::redis_connection::connect(addr, 5000ms);
    auto b = cf::redis_connection::connect(addr, 5000ms);
    if (!a || !b) {
      std::cerr << "relay_bench: no redis-server on port " << o.redis_port << "\n";
      return 1;
    }
    admin = std::move(*a);
    reader_conn = std::move(*b);
    rs.redis = addr;
    rs.stream = o.stream.empty() ? "bench:events:" + std::to_string(cf::now_us()) : o.stream;
    rs.envelope = cf::bus_envelope::cloudevents;
    relay = cf::spawn_bus_relay(sys, log, rs, status);
    // Connected and subscribed before the first commit: the connect is not what is measured.
    auto wait_until = clock_type::now() + 10s;
    while (!status->connected && clock_type::now() < wait_until) std::this_thread::sleep_for(1ms);
    if (!status->connected) {
      std::cerr << "relay_bench: the relay did not connect\n";
      return 1;
    }
    redis_before = redis_stats(*admin);
    // Without the reader (--reader 0): the relay's own record of the stream's last seq, read
    // every millisecond; no latencies then, but no consumer's cost either.
    reader = std::thread{[&] {
      try {
        if (o.reader)
          read_stream(*reader_conn, rs.stream, watch);
        else
          watch_status(*status, watch);
      } catch (const std::exception& ex) { // an entry without a numeric seq
        watch.error = ex.what();
      }
      watch.done = true;
    }};
  }
  auto& batches = cf::metrics::global().batch_events;
  auto batches_before = batches.count();
  auto start = clock_type::now();
  auto deadline =
      start
      + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.seconds));
  auto counts = cf::bench::spawn_producers(sys, log, o.producers, deadline);
  counts->wait(); // every producer quits at the deadline
  auto elapsed = cf::bench::seconds_since(start);
  auto stopped_us = cf::now_us();
  auto transactions = static_cast<double>(batches.count() - batches_before);
  int64_t appended = counts->appended;
  int64_t failed = counts->failed;
  std::cout << "events_per_s=" << static_cast<int64_t>(static_cast<double>(appended) / elapsed)
            << " events=" << appended << " errors=" << failed << " mean_batch="
            << (transactions > 0 ? static_cast<double>(appended) / transactions : 0.0);
  int rc = failed == 0 ? 0 : 1;
  if (relay_on) {
    auto head = log_head(sys, log);
    if (head)
      watch.target = *head;
    // Caught up when the log's head arrived on the stream; a relay that never gets there is a
    // failure to report, not to wait for forever.
    auto wait_until = clock_type::now() + 120s;
    while (head && !watch.done && clock_type::now() < wait_until) std::this_thread::sleep_for(1ms);
    watch.give_up = true;
    reader.join();
    auto redis_after = redis_stats(*admin);
    auto calls = redis_after.first - redis_before.first;
    auto redis_us = (redis_after.second - redis_before.second) * 1e6;
    bool caught_up = head && watch.last_seq == *head;
    auto span_us = watch.last_arrival_us - watch.first_time_us;
    std::cout << " relayed=" << watch.entries << " caught_up=" << (caught_up ? 1 : 0)
              << " relayed_per_s="
              << (span_us > 0 ? static_cast<int64_t>(static_cast<double>(watch.entries) * 1e6
                                                     / static_cast<double>(span_us))
                              : 0)
              << " catchup_ms="
              << static_cast<double>(std::max<int64_t>(0, watch.last_arrival_us - stopped_us))
                     / 1000.0
              << " p50_ms=" << quantile_ms(watch.latency_us, 0.50)
              << " p99_ms=" << quantile_ms(watch.latency_us, 0.99) << " relay_calls=" << calls
              << " mean_relay_batch="
              << (calls > 0 ? static_cast<double>(watch.entries) / static_cast<double>(calls) : 0.0)
              << " redis_cpu_us_per_entry="
              << (watch.entries > 0 ? redis_us / static_cast<double>(watch.entries) : 0.0)
              << " relay_errors=" << status->errors.load();
    if (!watch.error.empty())
      std::cerr << "relay_bench: reader: " << watch.error << "\n";
    if (!caught_up || !watch.error.empty())
      rc = 1;
    caf::anon_send_exit(relay, caf::exit_reason::user_shutdown);
    (void)admin->command({"DEL", rs.stream, rs.stream + ":seq"});
  }
  std::cout << "\n";
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--db")
      o.db = v;
    else if (k == "--producers")
      o.producers = std::max(1, std::stoi(v));
    else if (k == "--seconds")
      o.seconds = std::stod(v);
    else if (k == "--redis-port")
      o.redis_port = std::stoi(v);
    else if (k == "--stream")
      o.stream = v;
    else if (k == "--reader")
      o.reader = v != "0";
    else {
      std::cerr << "relay_bench: unknown option " << k << "\n";
      return 2;
    }
  }
  if (o.db.empty()) {
    std::cerr << "usage: relay_bench --db FILE [--producers P] [--seconds S] [--redis-port N] "
                 "[--stream NAME] [--reader 0|1]\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& ex) {
    std::cerr << "relay_bench: " << ex.what() << "\n";
    return 1;
  }
}
