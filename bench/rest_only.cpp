// The REST-only twin of issue 18: what coursefactory replaces, built as well as we can build it,
// so that bench/run.sh can put the event-based service next to it. The same cpp-httplib tuning as
// http/server.cpp (the service's defaults), the same request checks as POST /v1/courses (media
// type, one exact JSON text, parse_course_request, a Bearer token), the same built-in generator run
// inside the request, and one synchronous SQLite commit of the course row per request (WAL,
// synchronous=FULL, busy timeout 2 s: the pragmas of storage/sqlite_event_store), answering 201
// with the course. No actors, no events, no read model.
//
// Writes go through one connection under a mutex: with a connection per thread SQLite's busy
// handler sleeps while another thread holds the write lock, which is slower; the generator runs
// outside the lock. The token is checked as the service checks one (SHA-256 of the presented
// token compared in constant time), from memory: the service caches its tokens too.
//
//   rest_only [--port P] [--db FILE] [--token T]   (port 0, the default, picks a free port)
//
// Prints "listening on http://127.0.0.1:PORT". Bench code: not part of the service's layers.
#include <SQLiteCpp/SQLiteCpp.h>
#include <httplib.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/tuned_server.hpp"
#include "content/generator.hpp"
#include "domain/course_request.hpp"
#include "util/crypto.hpp"
#include "util/json_text.hpp"
#include "util/uuid.hpp"

namespace {

using nlohmann::json;

void problem(httplib::Response& res, int status, const std::string& code, const std::string& detail,
             json errors = nullptr) {
  json body{{"type", "about:blank"}, {"title", code}, {"status", status}, {"detail", detail}};
  if (!errors.is_null())
    body["errors"] = std::move(errors);
  res.status = status;
  res.set_content(body.dump(), "application/problem+json");
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct twin {
  SQLite::Database db;
  SQLite::Statement insert;
  std::mutex mtx;
  std::shared_ptr<cf::generator> gen = cf::make_builtin_generator();
  std::string token_hash;

  twin(const std::string& path, const std::string& token)
      : db{prepare(path)},
        insert{db,
               "INSERT INTO courses (course_id, title, user_id, status, amount_cents, currency,"
               " parameters, content, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        token_hash{cf::sha256_hex(token)} {}

  static SQLite::Database prepare(const std::string& path) {
    SQLite::Database d{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 2000};
    d.exec("PRAGMA journal_mode = WAL");
    d.exec("PRAGMA synchronous = FULL");
    d.exec(
        "CREATE TABLE IF NOT EXISTS courses (course_id TEXT PRIMARY KEY, title TEXT NOT NULL,"
        " user_id TEXT NOT NULL, status TEXT NOT NULL, amount_cents INTEGER NOT NULL,"
        " currency TEXT NOT NULL, parameters TEXT NOT NULL, content TEXT NOT NULL,"
        " created_us INTEGER NOT NULL)");
    return d;
  }

  bool authorized(const httplib::Request& req) const {
    auto h = req.get_header_value("Authorization");
    constexpr const char* scheme = "Bearer ";
    return h.rfind(scheme, 0) == 0
           && cf::equal_in_constant_time(cf::sha256_hex(h.substr(7)), token_hash);
  }

  void post_course(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req))
      return problem(res, 401, "unauthorized", "send a valid Bearer token");
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return problem(res, 415, "unsupported_media_type", "send application/json");
    json body = cf::parse_json_exact(req.body);
    if (body.is_discarded())
      return problem(res, 400, "malformed_json", "the body is not valid JSON");
    std::vector<cf::field_error> errs;
    auto request = cf::parse_course_request(body, errs);
    if (!errs.empty()) {
      json list = json::array();
      for (auto& e : errs) list.push_back({{"field", e.field}, {"message", e.message}});
      return problem(res, 422, "validation_failed", "the course request has invalid fields", list);
    }
    auto content = cf::generate_checked(*gen, request);
    if (!content)
      return problem(res, 502, "generation_failed", "the generator failed");
    auto id = cf::make_uuid_v7();
    auto content_json = cf::to_json(*content).dump();
    auto status = request.dry_run            ? "generated"
                  : request.amount_cents > 0 ? "payment_pending"
                                             : "published";
    try {
      std::lock_guard<std::mutex> lock{mtx};
      SQLite::Transaction tx{db};
      insert.bind(1, id);
      insert.bind(2, request.title);
      insert.bind(3, request.user_id);
      insert.bind(4, status);
      insert.bind(5, static_cast<int64_t>(request.amount_cents));
      insert.bind(6, request.currency);
      insert.bind(7, cf::to_json(request).dump());
      insert.bind(8, content_json);
      insert.bind(9, static_cast<int64_t>(now_us()));
      insert.exec();
      insert.reset();
      tx.commit();
    } catch (const std::exception& e) {
      insert.tryReset();
      return problem(res, 503, "storage_unavailable", e.what());
    }
    auto self = "/v1/courses/" + id;
    res.status = 201;
    res.set_header("Location", self);
    res.set_content(json{{"course_id", id},
                         {"status", status},
                         {"title", request.title},
                         {"links", {{"self", self}}}}
                        .dump(),
                    "application/json");
  }
};

} // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string db_path = "rest_only.db";
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port")
      port = std::stoi(argv[i + 1]);
    else if (flag == "--db")
      db_path = argv[i + 1];
    else if (flag == "--token")
      token = argv[i + 1];
    else {
      std::cerr << "usage: rest_only [--port P] [--db FILE] [--token T]\n";
      return 2;
    }
  }
  twin t{db_path, token};
  cf::bench::tuned_server server;
  auto& srv = server.srv;
  srv.Post("/v1/courses",
           [&t](const httplib::Request& req, httplib::Response& res) { t.post_course(req, res); });
  return server.serve(port, "rest_only");
}
