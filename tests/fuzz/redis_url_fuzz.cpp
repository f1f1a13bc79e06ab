// libFuzzer target: parse_redis_url (bus/redis_connection.*), the --redis-url setting.
// Properties: any text parses or fails with invalid_argument, never an exception or a sanitizer
// report; an accepted address has a host without '@' or '/', a port 1-65535 and a database 0-99,
// and writing it back as a URL parses to the same address. Input: the URL.
#include <cstdint>

#include "bus/redis_connection.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/errc.hpp"

using namespace cf;
using namespace cf::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto a = parse_redis_url(text_of(data, size));
  if (!a) {
    expect(is(a.error(), errc::invalid_argument), "an error of another kind");
    return 0;
  }
  expect(!a->host.empty() && a->host.find_first_of("@/") == std::string::npos,
         "an accepted host with '@' or '/'", a->host);
  expect(a->port >= 1 && a->port <= 65535 && a->db >= 0 && a->db <= 99,
         "an accepted port or database out of range");
  auto again = parse_redis_url("redis://" + a->host + ":" + std::to_string(a->port) + "/"
                               + std::to_string(a->db));
  expect(again && again->host == a->host && again->port == a->port && again->db == a->db,
         "the address written back parses to another one", a->host);
  return 0;
}
