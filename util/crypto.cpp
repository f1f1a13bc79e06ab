// SHA-256, HMAC-SHA256 and constant-time comparison on OpenSSL libcrypto's one-shot APIs; secret
// files created with O_EXCL and mode 0600.
#include "util/crypto.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/errc.hpp"
#include "util/text.hpp"

namespace cf {

namespace {

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0F];
  }
  return out;
}

} // namespace

std::string hmac_sha256_hex(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  auto res =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len);
  if (res == nullptr)
    return {};
  return to_hex(out, out_len);
}

std::string sha256_hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &out_len, EVP_sha256(), nullptr) != 1)
    return {};
  return to_hex(out, out_len);
}

bool equal_in_constant_time(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

caf::expected<std::string> load_or_create_secret(const std::string& path, bool create) {
  std::error_code ec;
  if (std::ifstream in{path}; in) {
    std::string secret;
    std::getline(in, secret);
    secret = trim(secret);
    if (!secret.empty())
      return secret;
    return make_error(errc::invalid_argument, path + " is empty");
  }
  if (!create)
    return make_error(
        std::filesystem::exists(path, ec) ? errc::storage_unavailable : errc::not_found,
        "cannot read " + path + " (is the service running with the same settings?)");
  auto random = random_hex(24);
  if (!random)
    return random.error();
  auto secret = "whsec_" + *random;
  if (auto err = create_private_file(path, secret + "\n"))
    return err;
  return secret;
}

caf::expected<std::string> random_hex(size_t bytes) {
  std::ifstream urandom{"/dev/urandom", std::ios::binary};
  std::string buf(bytes, '\0');
  if (!urandom.read(buf.data(), static_cast<std::streamsize>(bytes)))
    return make_error(errc::storage_unavailable, "cannot read /dev/urandom");
  return to_hex(reinterpret_cast<const unsigned char*>(buf.data()), bytes);
}

caf::error create_private_file(const std::string& path, const std::string& content) {
  auto parent = std::filesystem::path{path}.parent_path();
  std::error_code ec;
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec); // a failure shows in open() below
  // Created readable by its owner only from the first byte on; O_EXCL: never overwrite.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(errc::storage_unavailable, "cannot create " + path);
  bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!written)
    return make_error(errc::storage_unavailable, "cannot write " + path);
  return {};
}

} // namespace cf
