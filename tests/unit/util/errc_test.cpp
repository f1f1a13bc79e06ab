// The project's error values: codes, names, contexts; an empty error has no context.
#include "util/errc.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/sec.hpp>

using namespace cf;

BOOST_AUTO_TEST_SUITE(errc_values)

BOOST_AUTO_TEST_CASE(a_cf_error_carries_its_code_and_context) {
  auto err = make_error(errc::not_found, "course c-1");
  BOOST_TEST(is(err, errc::not_found));
  BOOST_TEST(!is(err, errc::conflict));
  BOOST_TEST(error_context(err) == "course c-1");
  BOOST_TEST(to_string(errc::storage_unavailable) == "storage_unavailable");
}

BOOST_AUTO_TEST_CASE(an_empty_or_foreign_error_has_no_context) {
  BOOST_TEST(error_context(caf::error{}) == ""); // crashed before: CAF 0.17 has no data to read
  BOOST_TEST(error_context(caf::make_error(caf::sec::request_timeout)) == "");
  BOOST_TEST(!is(caf::error{}, errc::internal));
}

BOOST_AUTO_TEST_SUITE_END()
