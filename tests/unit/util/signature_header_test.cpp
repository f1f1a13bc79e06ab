// Stripe-style webhook signatures: the header sign_payload writes, and every verify_signature
// verdict (the reason each rejection carries).
#include "util/signature_header.hpp"

#include <boost/test/unit_test.hpp>

#include "util/crypto.hpp"
#include "util/errc.hpp"

using namespace cf;

namespace {

const std::string secret = "whsec_test";
const std::string body = R"({"id":"evt_1","type":"payment.succeeded"})";
constexpr int64_t t0 = 1700000000;
constexpr int64_t tolerance = 300;

/// verify_signature's verdict as a string ("ok" or the reason), so failures print readably.
std::string verify(const std::string& header, const std::string& payload, int64_t now) {
  auto err = verify_signature(secret, header, payload, now, tolerance);
  return err ? error_context(err) : "ok";
}

std::string v1_for(const std::string& key, int64_t t, const std::string& payload) {
  return hmac_sha256_hex(key, std::to_string(t) + "." + payload);
}

} // namespace

BOOST_AUTO_TEST_SUITE(signature_header)

BOOST_AUTO_TEST_CASE(sign_payload_has_t_and_v1) {
  BOOST_TEST(sign_payload(secret, body, t0)
             == "t=" + std::to_string(t0) + ",v1=" + v1_for(secret, t0, body));
}

BOOST_AUTO_TEST_CASE(signed_payload_verifies) {
  auto header = sign_payload(secret, body, t0);
  BOOST_TEST(verify(header, body, t0) == "ok");
  BOOST_TEST(verify(header, body, t0 + 10) == "ok");
}

BOOST_AUTO_TEST_CASE(wrong_secret_is_a_mismatch) {
  auto header = sign_payload("whsec_other", body, t0);
  BOOST_TEST(verify(header, body, t0) == "mismatch");
}

BOOST_AUTO_TEST_CASE(tampered_body_is_a_mismatch) {
  auto header = sign_payload(secret, body, t0);
  auto tampered = body;
  tampered[tampered.size() - 3] = 'X';
  BOOST_TEST(verify(header, tampered, t0) == "mismatch");
  BOOST_TEST(verify(header, body + " ", t0) == "mismatch");
}

BOOST_AUTO_TEST_CASE(tampered_timestamp_is_a_mismatch) {
  auto header = "t=" + std::to_string(t0 + 1) + ",v1=" + v1_for(secret, t0, body);
  BOOST_TEST(verify(header, body, t0) == "mismatch");
}

BOOST_AUTO_TEST_CASE(stale_in_both_directions) {
  auto header = sign_payload(secret, body, t0);
  BOOST_TEST(verify(header, body, t0 + tolerance + 1) == "stale");
  BOOST_TEST(verify(header, body, t0 - tolerance - 1) == "stale");
  BOOST_TEST(verify(header, body, t0 + 86400) == "stale");
}

BOOST_AUTO_TEST_CASE(exactly_at_the_tolerance_is_ok) {
  auto header = sign_payload(secret, body, t0);
  BOOST_TEST(verify(header, body, t0 + tolerance) == "ok");
  BOOST_TEST(verify(header, body, t0 - tolerance) == "ok");
}

BOOST_AUTO_TEST_CASE(extreme_timestamps_do_not_overflow) {
  auto header = sign_payload(secret, body, INT64_MAX);
  BOOST_TEST(verify(header, body, INT64_MIN) == "stale");
}

BOOST_AUTO_TEST_CASE(second_of_several_v1_entries_matches) {
  auto header = "t=" + std::to_string(t0) + ",v1=" + v1_for("whsec_old", t0, body)
                + ",v1=" + v1_for(secret, t0, body);
  BOOST_TEST(verify(header, body, t0) == "ok");
}

BOOST_AUTO_TEST_CASE(v0_entries_are_ignored) {
  auto good = v1_for(secret, t0, body);
  auto header = "t=" + std::to_string(t0) + ",v0=" + std::string(64, 'a') + ",v1=" + good;
  BOOST_TEST(verify(header, body, t0) == "ok");
  // A v0 carrying the right HMAC does not count: only v1 is checked.
  auto only_v0 = "t=" + std::to_string(t0) + ",v0=" + good + ",v1=" + std::string(64, 'b');
  BOOST_TEST(verify(only_v0, body, t0) == "mismatch");
}

BOOST_AUTO_TEST_CASE(entry_order_and_spaces_do_not_matter) {
  auto header = " v1=" + v1_for(secret, t0, body) + " , t=" + std::to_string(t0) + " ";
  BOOST_TEST(verify(header, body, t0) == "ok");
}

BOOST_AUTO_TEST_CASE(empty_header_is_missing) {
  BOOST_TEST(verify("", body, t0) == "missing");
  BOOST_TEST(verify("  ", body, t0) == "missing");
}

BOOST_AUTO_TEST_CASE(malformed_headers) {
  auto v1 = v1_for(secret, t0, body);
  auto t = std::to_string(t0);
  for (const auto& header : {
           "v1=" + v1,                                              // no t
           "t=" + t,                                                // no v1
           "t=" + t + ",v0=" + v1,                                  // only other schemes
           "t=abc,v1=" + v1,                                        // t not a number
           "t=12x,v1=" + v1,                                        // trailing garbage
           "t=,v1=" + v1,                                           // empty t
           "t=1.5,v1=" + v1,                                        // not an integer
           "t=99999999999999999999,v1=" + v1,                       // overflows int64
           "t=" + t + ",t=" + std::to_string(t0 + 1) + ",v1=" + v1, // conflicting t
           std::string{"garbage"},
           std::string{","},
       }) {
    BOOST_TEST_INFO("header: " << header);
    BOOST_TEST(verify(header, body, t0) == "malformed");
  }
}

BOOST_AUTO_TEST_CASE(rejections_are_invalid_argument_with_the_reason_alone) {
  auto good = sign_payload(secret, body, t0);
  const std::pair<std::string, std::string> cases[] = {
      {"", "missing"},
      {"garbage", "malformed"},
      {sign_payload("whsec_other", body, t0), "mismatch"},
      {sign_payload(secret, body, t0 - tolerance - 1), "stale"},
  };
  for (const auto& [header, reason] : cases) {
    BOOST_TEST_INFO("header: " << header);
    auto err = verify_signature(secret, header, body, t0, tolerance);
    BOOST_TEST(is(err, errc::invalid_argument));
    BOOST_TEST(error_context(err) == reason);
  }
  BOOST_TEST(!verify_signature(secret, good, body, t0, tolerance));
}

BOOST_AUTO_TEST_SUITE_END()
