// util/crypto: the digests against published test vectors, the constant-time comparison, and the
// secret files (created once, mode 0600, read back; each failure with its errc and message).
#include "util/crypto.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

BOOST_AUTO_TEST_SUITE(crypto)

BOOST_AUTO_TEST_CASE(hmac_matches_rfc_4231_test_case_2) {
  BOOST_TEST(hmac_sha256_hex("Jefe", "what do ya want for nothing?")
             == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_digests) {
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc")
             == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(constant_time_comparison_is_equality) {
  BOOST_TEST(equal_in_constant_time("", ""));
  BOOST_TEST(equal_in_constant_time("abc", "abc"));
  BOOST_TEST(!equal_in_constant_time("abc", "abd"));
  BOOST_TEST(!equal_in_constant_time("abc", "ab"));
  BOOST_TEST(!equal_in_constant_time("", "a"));
}

BOOST_AUTO_TEST_CASE(a_missing_secret_file_is_created_once_for_its_owner_only) {
  testkit::temp_dir dir;
  auto path = dir.file("sub/secret");
  auto created = load_or_create_secret(path);
  BOOST_REQUIRE_MESSAGE(created, (created ? "" : error_context(created.error())));
  BOOST_TEST(created->rfind("whsec_", 0) == 0u);
  BOOST_TEST(created->size() == 6u + 48u);
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto again = load_or_create_secret(path, false);
  BOOST_REQUIRE(again);
  BOOST_TEST(*again == *created);
}

BOOST_AUTO_TEST_CASE(secret_file_errors_name_the_file) {
  testkit::temp_dir dir;
  auto missing = load_or_create_secret(dir.file("nope"), false);
  BOOST_REQUIRE(!missing);
  BOOST_TEST(is(missing.error(), errc::not_found));
  BOOST_TEST(error_context(missing.error())
             == "cannot read " + dir.file("nope")
                    + " (is the service running with the same settings?)");
  auto path = dir.file("empty");
  std::ofstream{path} << "  \n";
  auto empty = load_or_create_secret(path);
  BOOST_REQUIRE(!empty);
  BOOST_TEST(is(empty.error(), errc::invalid_argument));
  BOOST_TEST(error_context(empty.error()) == path + " is empty");
}

BOOST_AUTO_TEST_SUITE_END()
