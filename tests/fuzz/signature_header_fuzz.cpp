// libFuzzer target: the Stripe-Signature header (util/signature_header.*). Properties: any header
// is accepted or rejected with one of the four documented reasons, without an exception or a
// sanitizer report; a header built by sign_payload for the same body and time verifies, and one
// for another body does not. Input: "<now> <tolerance>\n<header>\n<body>".
#include <cstdint>
#include <cstdlib>

#include "tests/fuzz/fuzz_support.hpp"
#include "util/errc.hpp"
#include "util/signature_header.hpp"

using namespace cf;
using namespace cf::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = lines(text_of(data, size), 3);
  parts.resize(3);
  char* end = nullptr;
  int64_t now = std::strtoll(parts[0].c_str(), &end, 10);
  int64_t tolerance = std::strtoll(end, nullptr, 10);
  const std::string secret = "whsec_fuzz";
  const auto& header = parts[1];
  const auto& body = parts[2];
  if (auto err = verify_signature(secret, header, body, now, tolerance)) {
    auto why = error_context(err);
    expect(why == "missing" || why == "malformed" || why == "mismatch" || why == "stale",
           "an undocumented reason", why);
  }
  auto signed_header = sign_payload(secret, body, now);
  expect(!verify_signature(secret, signed_header, body, now, 0), "its own signature is rejected",
         signed_header);
  expect(static_cast<bool>(verify_signature(secret, signed_header, body + "x", now, 300)),
         "a signature verifies another body");
  expect(static_cast<bool>(verify_signature(secret, header + "," + signed_header, body, now, -1)),
         "a negative tolerance accepts");
  return 0;
}
