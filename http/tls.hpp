// TLS for the guarded server (OpenSSL): a context loaded from a certificate chain and a key, and a
// non-blocking session per connection, so that the handshake and every read and write wait under
// the same deadlines and stop signal as plain connections (http/guarded_server.cpp).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace cf {

class tls_context {
public:
  /// Loads a PEM certificate chain and its private key. Null, with `why` said, when either
  /// cannot be read or they do not belong together.
  static std::shared_ptr<tls_context> load(const std::string& cert_file,
                                           const std::string& key_file, std::string& why);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  ssl_ctx_st* native() const { return ctx_; }

private:
  explicit tls_context(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

/// One step of non-blocking I/O: `n` bytes moved (> 0), or what to wait for before trying again
/// (`wait`: POLLIN or POLLOUT), or the end (n <= 0 and wait == 0: closed or failed).
struct io_step {
  ssize_t n = 0;
  short wait = 0;
};

/// The server side of one TLS connection on a non-blocking socket.
class tls_session {
public:
  tls_session(const tls_context& ctx, int fd);
  ~tls_session(); ///< Sends close_notify (without waiting) and frees the session.
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  /// n = 1 once the handshake is done.
  io_step handshake();
  io_step read(char* out, size_t size);
  io_step write(const char* data, size_t size);
  /// Decrypted bytes waiting inside the session (poll(2) cannot see them).
  size_t pending() const;

private:
  io_step result(int rc);
  ssl_st* ssl_;
  bool established_ = false;
};

} // namespace cf
