// OpenSSL's server API, non-blocking.
#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <climits>

namespace cf {

namespace {

std::string openssl_error() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

} // namespace

std::shared_ptr<tls_context> tls_context::load(const std::string& cert_file,
                                               const std::string& key_file, std::string& why) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    why = "cannot create a TLS context: " + openssl_error();
    return nullptr;
  }
  std::shared_ptr<tls_context> out{new tls_context{ctx}};
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    why = "cannot read the TLS certificate " + cert_file + ": " + openssl_error();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    why = "cannot read the TLS key " + key_file + ": " + openssl_error();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    why = "the TLS key " + key_file + " does not belong to the certificate " + cert_file;
    return nullptr;
  }
  return out;
}

tls_context::~tls_context() { SSL_CTX_free(ctx_); }

tls_session::tls_session(const tls_context& ctx, int fd) : ssl_(SSL_new(ctx.native())) {
  if (ssl_ != nullptr)
    SSL_set_fd(ssl_, fd);
}

tls_session::~tls_session() {
  if (ssl_ == nullptr)
    return;
  if (established_)
    SSL_shutdown(ssl_); // one non-blocking attempt at close_notify
  SSL_free(ssl_);
  ERR_clear_error();
}

io_step tls_session::result(int rc) {
  if (rc > 0)
    return {rc, 0};
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      return {-1, POLLIN};
    case SSL_ERROR_WANT_WRITE:
      return {-1, POLLOUT};
    case SSL_ERROR_ZERO_RETURN:
      return {0, 0};
    default:
      ERR_clear_error();
      established_ = false; // no close_notify on a broken session
      return {-1, 0};
  }
}

io_step tls_session::handshake() {
  if (ssl_ == nullptr)
    return {-1, 0};
  auto step = result(SSL_accept(ssl_));
  if (step.n > 0)
    established_ = true;
  return step;
}

io_step tls_session::read(char* out, size_t size) {
  return result(SSL_read(ssl_, out, static_cast<int>(std::min<size_t>(size, INT_MAX))));
}

io_step tls_session::write(const char* data, size_t size) {
  return result(SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, INT_MAX))));
}

size_t tls_session::pending() const { return static_cast<size_t>(std::max(0, SSL_pending(ssl_))); }

} // namespace cf
