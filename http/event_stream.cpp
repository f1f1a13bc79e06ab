// Server-Sent Events over cpp-httplib's chunked content provider. Each stream runs on the
// httplib thread that took it: first the log's stored events after the client's cursor (page by
// page, so a long backlog is never held in memory), then a subscription from where the pages
// ended, whose events a small actor queues for the thread.
#include "http/event_stream.hpp"

#include <httplib.h>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>

#include "http/problem.hpp"

namespace cf {

namespace {

// One open stream, shared by its httplib thread and its subscriber actor.
struct stream_state {
  std::mutex mx;
  std::condition_variable cv;
  std::deque<event> queue; // live events not written yet
  bool overflow = false;   // the client fell too far behind: end the stream
  bool stopping = false;   // the server stops
};

subscriber_actor spawn_queue(caf::actor_system& sys, std::shared_ptr<stream_state> st,
                             size_t limit) {
  return sys.spawn([st, limit](subscriber_actor::pointer) -> subscriber_actor::behavior_type {
    return {[st, limit](notify_atom, std::vector<event>& events) {
      std::lock_guard<std::mutex> lock{st->mx};
      for (auto& e : events) st->queue.push_back(std::move(e));
      if (st->queue.size() > limit)
        st->overflow = true;
      st->cv.notify_all();
    }};
  });
}

// One SSE message; `data` lines may not hold a newline, so a text with one is split.
void append_message(std::string& out, const event& e) {
  out += "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\n";
  auto text = to_cloudevent_text(e);
  size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.append("data: ").append(text, start, nl - start).append("\n");
    start = nl + 1;
  }
  out.append("data: ").append(text, start, std::string::npos).append("\n\n");
}

// The cursor a client resumes after: Last-Event-ID (what EventSource sends on reconnect), else
// ?after=, else the head (live events only). -1: not a valid seq.
int64_t resume_after(const httplib::Request& req) {
  auto text = req.get_header_value("Last-Event-ID");
  if (text.empty())
    text = req.has_param("after") ? req.get_param_value("after") : std::string{};
  if (text.empty())
    return -2; // from the head
  if (text.size() > 18)
    return -1;
  for (char c : text)
    if (c < '0' || c > '9')
      return -1;
  return std::stoll(text);
}

} // namespace

struct event_streams::impl {
  route_context ctx;
  stream_settings cfg;
  std::mutex mx;
  std::set<std::shared_ptr<stream_state>> streams;
  bool stopped = false;

  // Takes a stream slot; false when all are taken or the server stops.
  bool enter(const std::shared_ptr<stream_state>& st) {
    std::lock_guard<std::mutex> lock{mx};
    if (stopped || static_cast<int32_t>(streams.size()) >= cfg.max_streams)
      return false;
    streams.insert(st);
    return true;
  }

  void leave(const std::shared_ptr<stream_state>& st) {
    std::lock_guard<std::mutex> lock{mx};
    streams.erase(st);
  }
};

namespace {
void handle(std::shared_ptr<event_streams::impl> self, const httplib::Request& req,
            httplib::Response& res);
} // namespace

event_streams::event_streams(const route_context& ctx, stream_settings s)
    : impl_(std::make_shared<impl>()) {
  impl_->ctx = ctx;
  impl_->cfg = s;
}

event_streams::~event_streams() { stop(); }

void event_streams::register_routes(httplib::Server& srv) {
  auto p = impl_;
  srv.Get("/v1/events/stream", [p](const auto& req, auto& res) { handle(p, req, res); });
  reject_other_methods(srv, "/v1/events/stream", "GET");
}

void event_streams::stop() {
  std::lock_guard<std::mutex> lock{impl_->mx};
  impl_->stopped = true;
  for (const auto& st : impl_->streams) {
    std::lock_guard<std::mutex> inner{st->mx};
    st->stopping = true;
    st->cv.notify_all();
  }
}

namespace {

void handle(std::shared_ptr<event_streams::impl> self, const httplib::Request& req,
            httplib::Response& res) {
  const auto& ctx = self->ctx;
  auto pattern = req.has_param("type") ? req.get_param_value("type") : std::string{};
  if (!is_valid_type_pattern(pattern)) {
    write_problem(res, 400, "invalid_query", "type must be a dotted name, optionally ending in .*");
    return;
  }
  auto after = resume_after(req);
  if (after == -1) {
    write_problem(res, 400, "invalid_query", "Last-Event-ID (or after) must be a sequence number");
    return;
  }
  if (after == -2) {
    auto head = ask<int64_t>(ctx, ctx.actors.log, head_atom::value);
    if (!head)
      return fail(ctx, res, head.error());
    after = *head;
  }
  auto st = std::make_shared<stream_state>();
  if (!self->enter(st)) {
    res.set_header("Retry-After", "5");
    write_problem(res, 503, "too_many_streams", "too many open event streams; try again later");
    return;
  }
  auto queue = spawn_queue(*ctx.sys, st, self->cfg.queue_limit);
  // Where the written stream stands, and whether the log's pages are done (then live events
  // come through `queue`).
  auto cursor = std::make_shared<int64_t>(after);
  auto live = std::make_shared<bool>(false);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [self, st, queue, cursor, live, pattern](size_t, httplib::DataSink& sink) {
        std::string out;
        if (!*live) {
          // One page of stored events per call, so stop() is seen between pages.
          auto page = ask<event_page>(self->ctx, self->ctx.actors.log, query_atom::value,
                                      event_query{pattern, "", *cursor, 1000});
          if (!page)
            return false; // the client reconnects and resumes from its last id
          for (const auto& e : page->events) append_message(out, e);
          if (!page->events.empty())
            *cursor = page->events.back().seq;
          if (page->next_after == 0) {
            auto sub = ask<int64_t>(self->ctx, self->ctx.actors.log, subscribe_atom::value, queue,
                                    pattern, *cursor);
            if (!sub)
              return false;
            *live = true;
          }
          return out.empty() || sink.write(out.data(), out.size());
        }
        std::deque<event> batch;
        {
          std::unique_lock<std::mutex> lock{st->mx};
          st->cv.wait_for(lock, self->cfg.heartbeat,
                          [&] { return !st->queue.empty() || st->overflow || st->stopping; });
          if (st->overflow || st->stopping) {
            sink.done();
            return true;
          }
          batch.swap(st->queue);
        }
        for (const auto& e : batch)
          if (e.seq > *cursor) { // the subscription's catch-up may repeat what a page had
            append_message(out, e);
            *cursor = e.seq;
          }
        if (out.empty())
          out = ": keep-alive\n\n";
        return sink.write(out.data(), out.size());
      },
      [self, st, queue](bool) {
        caf::anon_send_exit(queue, caf::exit_reason::user_shutdown);
        self->leave(st);
      });
}

} // namespace

} // namespace cf
