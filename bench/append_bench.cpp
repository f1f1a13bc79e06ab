// Storage benchmarks of issue 5 (driven by bench/run.sh). One line of `key=value` output each.
//
//   append_bench append --db FILE --producers P --seconds S
//       The real EventLog (spawn_event_log, durability full) over FILE; P threads, each with its
//       own scoped_actor, append one course.generation.started event for a new course and await
//       the answer, in a loop for S seconds. Prints events/s and the mean events per transaction
//       (from metrics::global().batch_events).
//   append_bench actors --db FILE --producers P --seconds S
//       The same with P event-based actors on CAF's scheduler (as the service's producers are),
//       each sending its next append when the previous one is answered. bench/run.sh row 1.
//   append_bench raw --db FILE --batch B --seconds S
//       The same rows through SQLiteCpp alone: the schema and pragmas from
//       sqlite_event_store::open (durability full), then INSERTs in transactions of B rows.
//   append_bench gen --db FILE --events N
//       Writes a log of N events (priced courses, six events each, the whole lifecycle) through
//       sqlite_event_store::append_batch with durability normal, and moves every consumer's
//       checkpoint to the head, as a service that had handled them would have.
//   append_bench scan --db FILE
//       Reads every event row in seq order and parses its data with nlohmann::json.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <atomic>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "actors/event_log.hpp"
#include "actors/type_ids.hpp"
#include "bench/producers.hpp"
#include "content/generator.hpp"
#include "domain/catalogue.hpp"
#include "domain/course_request.hpp"
#include "storage/sqlite_event_store.hpp"
#include "util/crypto.hpp"
#include "util/metrics.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace {

using cf::bench::clock_type;
using cf::bench::open_store;
using cf::bench::seconds_since;
using cf::bench::started_event;
using json = nlohmann::json;

// The row columns sqlite_event_store writes (storage/detail/store_sql.hpp, insert_event).
constexpr const char* insert_sql =
    "INSERT INTO events(id, source, type, subject, subject_version, time_us, schema_version, "
    "correlation_id, causation_id, data, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* factory_source = cf::bench::factory_source;

struct options {
  std::string db;
  int producers = 1;
  int batch = 1;
  double seconds = 3;
  int64_t events = 1000000;
};

// The result line of the append modes; exit status 1 when an append failed.
int report(int64_t appended, int64_t failed, double elapsed, double transactions) {
  std::cout << "events_per_s=" << static_cast<int64_t>(static_cast<double>(appended) / elapsed)
            << " events=" << appended << " errors=" << failed << " mean_batch="
            << (transactions > 0 ? static_cast<double>(appended) / transactions : 0.0) << "\n";
  return failed == 0 ? 0 : 1;
}

int run_append(const options& o) {
  auto store = open_store(o.db, cf::durability::full);
  if (!store)
    return 1;
  caf::actor_system_config cfg;
  cf::register_types(cfg);
  caf::actor_system sys{cfg};
  auto log = cf::spawn_event_log(sys, std::shared_ptr<cf::sqlite_event_store>{std::move(store)});
  auto& batches = cf::metrics::global().batch_events;
  std::atomic<int64_t> appended{0};
  std::atomic<int64_t> failed{0};
  std::atomic<bool> go{false};
  auto batches_before = batches.count();
  clock_type::time_point start;
  std::vector<std::thread> producers;
  for (int i = 0; i < o.producers; ++i)
    producers.emplace_back([&] {
      caf::scoped_actor self{sys};
      while (!go) std::this_thread::yield();
      int64_t mine = 0;
      while (seconds_since(start) < o.seconds) {
        std::vector<cf::event> one{started_event(cf::make_uuid_v7())};
        self->request(log, caf::infinite, cf::append_atom::value, std::move(one))
            .receive([&](std::vector<cf::event>&) { ++mine; }, [&](caf::error&) { ++failed; });
      }
      appended += mine;
    });
  start = clock_type::now();
  go = true;
  for (auto& t : producers) t.join();
  auto elapsed = seconds_since(start);
  auto transactions = static_cast<double>(batches.count() - batches_before);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  return report(appended, failed, elapsed, transactions);
}

// As run_append, but each producer is an event-based actor on CAF's scheduler (as CourseFactory,
// Payment and Distribution are; bench/producers.hpp): no OS thread per producer is woken per
// answer.
int run_actors(const options& o) {
  auto store = open_store(o.db, cf::durability::full);
  if (!store)
    return 1;
  caf::actor_system_config cfg;
  cf::register_types(cfg);
  cf::bench::size_scheduler(cfg);
  caf::actor_system sys{cfg};
  auto log = cf::spawn_event_log(sys, std::shared_ptr<cf::sqlite_event_store>{std::move(store)});
  auto& batches = cf::metrics::global().batch_events;
  auto batches_before = batches.count();
  auto start = clock_type::now();
  auto deadline =
      start
      + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.seconds));
  auto counts = cf::bench::spawn_producers(sys, log, o.producers, deadline);
  counts->wait(); // every producer quits at the deadline
  auto elapsed = seconds_since(start);
  auto transactions = static_cast<double>(batches.count() - batches_before);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  return report(counts->appended, counts->failed, elapsed, transactions);
}

int run_raw(const options& o) {
  {
    if (!open_store(o.db, cf::durability::full)) // the schema, in WAL mode
      return 1;
  }
  SQLite::Database db{o.db, SQLite::OPEN_READWRITE | SQLITE_OPEN_NOMUTEX}; // as the store's
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  SQLite::Statement insert{db, insert_sql};
  std::string last_hash;
  int64_t inserted = 0;
  auto start = clock_type::now();
  while (seconds_since(start) < o.seconds) {
    SQLite::Transaction tx{db, SQLite::TransactionBehavior::IMMEDIATE};
    for (int i = 0; i < o.batch; ++i) {
      auto e = started_event(cf::make_uuid_v7());
      e.id = cf::make_uuid_v7();
      e.time_us = cf::now_us();
      last_hash = cf::sha256_hex(last_hash + e.data); // a chain hash of the same size
      insert.reset();
      insert.bindNoCopy(1, e.id);
      insert.bindNoCopy(2, e.source);
      insert.bindNoCopy(3, e.type);
      insert.bindNoCopy(4, e.subject);
      insert.bind(5, e.subject_version);
      insert.bind(6, e.time_us);
      insert.bind(7, e.schema_version);
      insert.bindNoCopy(8, e.correlation_id);
      insert.bindNoCopy(9, e.causation_id);
      insert.bindNoCopy(10, e.data);
      insert.bindNoCopy(11, last_hash);
      insert.exec();
    }
    tx.commit();
    inserted += o.batch;
  }
  auto elapsed = seconds_since(start);
  std::cout << "events_per_s=" << static_cast<int64_t>(static_cast<double>(inserted) / elapsed)
            << " events=" << inserted << " batch=" << o.batch << "\n";
  return 0;
}

cf::event make(const std::string& course, const char* type, const char* source, int64_t version,
               const json& data) {
  cf::event e;
  e.id = cf::make_uuid_v7();
  e.source = source;
  e.type = type;
  e.subject = course;
  e.subject_version = version;
  e.time_us = cf::now_us();
  e.correlation_id = course;
  e.causation_id = course;
  e.data = data.dump();
  return e;
}

// The six events of a priced course that was generated, paid and published.
std::vector<cf::event> lifecycle(const std::string& course, const json& content) {
  using namespace cf::event_types;
  auto payment_id = cf::make_uuid_v7();
  auto started = started_event(course);
  started.id = cf::make_uuid_v7();
  started.time_us = cf::now_us();
  std::vector<cf::event> out{started};
  out.push_back(make(course, generation_completed, factory_source, 2,
                     {{"course_id", course},
                      {"url", "/v1/courses/" + course},
                      {"duration_ms", 3},
                      {"module_count", 1},
                      {"lesson_count", 1},
                      {"quiz_question_count", 5},
                      {"attempt", 1},
                      {"generator", "builtin"},
                      {"content", content}}));
  out.push_back(make(course, payment_required, "/coursefactory/payment", 3,
                     {{"course_id", course},
                      {"payment_id", payment_id},
                      {"amount_cents", 4900},
                      {"currency", "EUR"},
                      {"expires_at", "2030-01-01T00:00:00.000000Z"}}));
  out.push_back(make(course, payment_completed, "/coursefactory/payment", 4,
                     {{"course_id", course},
                      {"payment_id", payment_id},
                      {"transaction_id", "pi_" + payment_id},
                      {"amount_cents", 4900},
                      {"currency", "EUR"}}));
  out.push_back(make(course, distribution_requested, factory_source, 5,
                     {{"course_id", course}, {"channels", {"site"}}, {"attempt", 1}}));
  auto url = "http://127.0.0.1:8080/courses/" + course + "/";
  out.push_back(make(course, distribution_completed, "/coursefactory/distribution", 6,
                     {{"course_id", course},
                      {"url", url},
                      {"channels", {{{"channel", "site"}, {"ok", true}, {"url", url}}}},
                      {"duration_ms", 2}}));
  return out;
}

int run_gen(const options& o) {
  auto store = open_store(o.db, cf::durability::normal);
  if (!store)
    return 1;
  auto content = cf::make_builtin_generator()->generate(cf::bench::sample_request());
  if (!content) {
    std::cerr << "append_bench: the built-in generator failed\n";
    return 1;
  }
  auto content_json = cf::to_json(*content);
  auto start = clock_type::now();
  int64_t written = 0;
  constexpr int courses_per_transaction = 200;
  while (written < o.events) {
    std::vector<cf::append_request> batch;
    for (int i = 0; i < courses_per_transaction && written < o.events; ++i) {
      auto events = lifecycle(cf::make_uuid_v7(), content_json);
      if (static_cast<int64_t>(events.size()) > o.events - written)
        events.resize(static_cast<size_t>(o.events - written));
      written += static_cast<int64_t>(events.size());
      batch.push_back({std::move(events), std::nullopt, std::nullopt, {}});
    }
    if (auto err = store->append_batch(batch)) {
      std::cerr << "append_bench: append_batch failed\n";
      return 1;
    }
    for (const auto& r : batch)
      if (r.result) {
        std::cerr << "append_bench: an append failed\n";
        return 1;
      }
  }
  auto head = store->head();
  for (const char* consumer : {"course_factory", "payment", "distribution"})
    if (!head || !store->save_checkpoint({consumer, *head})) {
      std::cerr << "append_bench: cannot move checkpoints\n";
      return 1;
    }
  std::cout << "events=" << written << " seconds=" << seconds_since(start)
            << " content_bytes=" << content_json.dump().size() << "\n";
  return 0;
}

int run_scan(const options& o) {
  SQLite::Database db{o.db, SQLite::OPEN_READONLY};
  // The columns rebuild reads (storage/detail/event_rows.hpp), in seq order.
  SQLite::Statement st{db,
                       "SELECT seq, id, source, type, subject, subject_version, time_us, "
                       "schema_version, correlation_id, causation_id, data FROM events ORDER BY "
                       "seq"};
  auto start = clock_type::now();
  int64_t rows = 0;
  size_t keys = 0; // keeps the parse from being optimised away
  while (st.executeStep()) {
    cf::event e;
    e.seq = st.getColumn(0).getInt64();
    e.id = st.getColumn(1).getString();
    e.type = st.getColumn(3).getString();
    e.subject = st.getColumn(4).getString();
    e.data = st.getColumn(10).getString();
    keys += json::parse(e.data).size();
    ++rows;
  }
  auto elapsed = seconds_since(start);
  std::cout << "rows_per_s=" << static_cast<int64_t>(static_cast<double>(rows) / elapsed)
            << " rows=" << rows << " seconds=" << elapsed << " keys=" << keys << "\n";
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: append_bench append|raw|gen|scan --db FILE [--producers P] [--batch B] "
                 "[--seconds S] [--events N]\n";
    return 2;
  }
  std::string mode = argv[1];
  options o;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--db")
      o.db = v;
    else if (k == "--producers")
      o.producers = std::stoi(v);
    else if (k == "--batch")
      o.batch = std::max(1, std::stoi(v));
    else if (k == "--seconds")
      o.seconds = std::stod(v);
    else if (k == "--events")
      o.events = std::stoll(v);
  }
  try {
    if (mode == "append")
      return run_append(o);
    if (mode == "actors")
      return run_actors(o);
    if (mode == "raw")
      return run_raw(o);
    if (mode == "gen")
      return run_gen(o);
    if (mode == "scan")
      return run_scan(o);
  } catch (const std::exception& ex) {
    std::cerr << "append_bench: " << ex.what() << "\n";
    return 1;
  }
  std::cerr << "append_bench: unknown mode " << mode << "\n";
  return 2;
}
