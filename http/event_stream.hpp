// GET /v1/events/stream: committed events as Server-Sent Events (text/event-stream). Each event
// is one message: `id` is its seq, `event` its type, `data` its CloudEvents JSON. A client
// resumes after the seq in Last-Event-ID (or ?after=) with the events it missed, read from the
// log before live ones; ?type= filters as in GET /v1/events; comments keep idle streams alive.
#pragma once

#include <chrono>
#include <memory>

#include "http/routes.hpp"

namespace cf {

struct stream_settings {
  int32_t max_streams = 8;                    ///< Open at once; more get 503 (each holds a thread).
  std::chrono::milliseconds heartbeat{15000}; ///< A comment line after this long without events.
  size_t queue_limit = 10000; ///< Live events buffered for a slow client; beyond, it is cut off
                              ///< (it reconnects with Last-Event-ID and misses nothing).
};

/// The open streams of one server: registers the route and ends every stream on stop().
class event_streams {
public:
  event_streams(const route_context& ctx, stream_settings s);
  ~event_streams();
  event_streams(const event_streams&) = delete;
  event_streams& operator=(const event_streams&) = delete;

  /// Registers GET /v1/events/stream on `srv`; this object must outlive `srv`.
  void register_routes(httplib::Server& srv);

  /// Ends every open stream and refuses new ones (503): the server is stopping.
  void stop();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace cf
