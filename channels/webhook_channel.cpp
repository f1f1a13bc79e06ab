// The `webhook` distribution channel: one signed JSON POST per configured URL, with a fresh
// httplib client per URL and call; the answers decide between success, transient and permanent.
#include "channels/webhook_channel.hpp"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "util/errc.hpp"
#include "util/signature_header.hpp"

namespace cf {

namespace {

using json = nlohmann::json;

/// An absolute URL split into what httplib needs.
struct parsed_url {
  bool https = false;
  std::string host; ///< Without brackets for IPv6 literals.
  int port = 0;
  std::string path; ///< Path and query; "/" when the URL has none.
};

std::string lower(std::string x) {
  for (auto& c : x)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return x;
}

/// Parses "http[s]://host[:port][/path][?query]" (IPv6 hosts in brackets). Returns an empty
/// string on success, or why `url` is not usable.
std::string parse_url(const std::string& url, parsed_url& out) {
  auto sep = url.find("://");
  if (sep == std::string::npos)
    return "not an absolute URL";
  auto scheme = lower(url.substr(0, sep));
  if (scheme == "https")
    out.https = true;
  else if (scheme != "http")
    return "unsupported scheme '" + scheme + "'";
  auto rest = url.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string::npos)
    rest.resize(hash);
  auto path_start = rest.find_first_of("/?");
  auto authority = rest.substr(0, path_start);
  out.path = path_start == std::string::npos ? "/" : rest.substr(path_start);
  if (out.path.front() == '?')
    out.path.insert(0, "/");
  if (authority.find('@') != std::string::npos)
    return "credentials in URLs are not supported";
  std::string port_str;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      return "unterminated IPv6 address";
    out.host = authority.substr(1, close - 1);
    auto tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':')
        return "invalid authority";
      port_str = tail.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos)
      port_str = authority.substr(colon + 1);
  }
  if (out.host.empty())
    return "missing host";
  if (port_str.empty()) {
    out.port = out.https ? 443 : 80;
  } else {
    if (port_str.size() > 5 || port_str.find_first_not_of("0123456789") != std::string::npos)
      return "invalid port";
    out.port = std::stoi(port_str);
    if (out.port < 1 || out.port > 65535)
      return "invalid port";
  }
  return {};
}

/// Holds one request to a deadline for the whole of it. httplib's read and write timeouts count
/// per read and write: a receiver that answers a byte a second (or keeps sending header lines)
/// would hold the delivery, and the thread that runs it, for as long as it likes. At the
/// deadline this cuts the connection (ClientImpl::stop() is httplib's thread-safe way: it shuts
/// the socket down under the request, which then fails), again every 50 ms until the request
/// has returned, as the socket may not exist yet when the deadline comes.
class deadline_guard {
public:
  deadline_guard(httplib::ClientImpl& cli, std::chrono::steady_clock::time_point deadline)
      : watchdog_([this, &cli, deadline] { watch(cli, deadline); }) {}
  deadline_guard(const deadline_guard&) = delete;
  deadline_guard& operator=(const deadline_guard&) = delete;
  ~deadline_guard() { finish(); }

  /// Stops watching (the request has returned); true when the deadline had cut it.
  bool finish() {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      done_ = true;
    }
    cv_.notify_all();
    if (watchdog_.joinable())
      watchdog_.join();
    return expired_;
  }

private:
  void watch(httplib::ClientImpl& cli, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (cv_.wait_until(lock, deadline, [this] { return done_; }))
      return;
    expired_ = true;
    while (!done_) {
      lock.unlock();
      cli.stop();
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds{50}, [this] { return done_; });
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;    // guarded by mutex_
  bool expired_ = false; // written by the watchdog only; read after the join
  std::thread watchdog_; // last: starts after the members it uses
};

/// How one delivery went.
enum class delivery { ok, transient, permanent };

struct delivery_result {
  delivery outcome;
  std::string detail; ///< "<url>: <what happened>" unless ok.
};

class webhook_channel : public channel {
public:
  webhook_channel(std::vector<std::string> urls, std::string secret, int64_t timeout_ms)
      : urls_(std::move(urls)),
        secret_(std::move(secret)),
        timeout_(std::chrono::milliseconds{timeout_ms < 1 ? 1 : timeout_ms}) {}

  std::string name() const override { return "webhook"; }

  caf::expected<channel_result> publish(const published_course& course) override {
    try {
      return publish_impl(course);
    } catch (const std::exception& e) {
      return make_error(errc::channel_transient,
                        std::string{"webhook: unexpected error: "} + e.what());
    } catch (...) {
      return make_error(errc::channel_transient, "webhook: unexpected error");
    }
  }

private:
  caf::expected<channel_result> publish_impl(const published_course& course) {
    if (urls_.empty())
      return make_error(errc::channel_permanent, "no webhook URLs configured");
    auto content = json::parse(course.content_json, nullptr, false);
    if (content.is_discarded() || !content.is_object())
      return make_error(errc::channel_permanent, "webhook: content_json of course "
                                                     + course.course_id + " is not a JSON object");
    std::string body;
    try {
      body = json{{"course_id", course.course_id}, {"title", course.title},
                  {"language", course.language},   {"distribution_id", course.distribution_id},
                  {"attempt", course.attempt},     {"content", std::move(content)}}
                 .dump();
    } catch (const json::exception& e) {
      // Invalid UTF-8 in a string: sending it again will not fix it.
      return make_error(errc::channel_permanent,
                        std::string{"webhook: cannot serialize course: "} + e.what());
    }
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    httplib::Headers headers{
        {"Coursefactory-Signature", sign_payload(secret_, body, static_cast<int64_t>(now))},
        {"Idempotency-Key", course.distribution_id},
    };
    std::string transient;
    std::string permanent;
    auto append = [](std::string& to, const std::string& what) {
      if (!to.empty())
        to += "; ";
      to += what;
    };
    for (const auto& url : urls_) {
      auto res = deliver(url, headers, body);
      if (res.outcome == delivery::transient)
        append(transient, res.detail);
      else if (res.outcome == delivery::permanent)
        append(permanent, res.detail);
    }
    if (!transient.empty()) {
      if (!permanent.empty())
        append(transient, permanent);
      return make_error(errc::channel_transient, "webhook delivery failed: " + transient);
    }
    if (!permanent.empty())
      return make_error(errc::channel_permanent, "webhook delivery failed: " + permanent);
    return channel_result{"", "delivered to " + std::to_string(urls_.size()) + " receivers"};
  }

  delivery_result deliver(const std::string& url, const httplib::Headers& headers,
                          const std::string& body) const {
    parsed_url target;
    if (auto err = parse_url(url, target); !err.empty())
      return {delivery::permanent, url + ": " + err};
    std::unique_ptr<httplib::ClientImpl> cli;
    if (target.https)
      cli = std::make_unique<httplib::SSLClient>(target.host, target.port);
    else
      cli = std::make_unique<httplib::ClientImpl>(target.host, target.port);
    if (!cli->is_valid())
      return {delivery::transient, url + ": client setup failed"};
    cli->set_connection_timeout(timeout_);
    cli->set_read_timeout(timeout_);
    cli->set_write_timeout(timeout_);
    deadline_guard guard{*cli, std::chrono::steady_clock::now() + timeout_};
    auto res = cli->Post(target.path, headers, body, "application/json");
    auto cut = guard.finish();
    if (!res && cut)
      return {delivery::transient,
              url + ": no complete answer within " + std::to_string(timeout_.count()) + " ms"};
    if (!res)
      return {delivery::transient, url + ": " + httplib::to_string(res.error())};
    auto status = res->status;
    auto what = url + ": HTTP " + std::to_string(status);
    if (status >= 200 && status < 300)
      return {delivery::ok, {}};
    // 408 and 429 ask the sender to come back later; other 4xx (and 1xx/3xx) will not improve.
    if (status >= 500 || status == 408 || status == 429)
      return {delivery::transient, what};
    return {delivery::permanent, what};
  }

  std::vector<std::string> urls_;
  std::string secret_;
  std::chrono::milliseconds timeout_;
};

} // namespace

std::shared_ptr<channel> make_webhook_channel(std::vector<std::string> urls, std::string secret,
                                              int64_t timeout_ms) {
  return std::make_shared<webhook_channel>(std::move(urls), std::move(secret), timeout_ms);
}

} // namespace cf
