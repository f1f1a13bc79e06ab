// One process per log (util/file_lock.hpp): the lock is exclusive, names its holder, and goes
// with the object that holds it.
#include "util/file_lock.hpp"

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "tests/testkit/service_fixture.hpp"
#include "util/errc.hpp"

using namespace cf;

BOOST_AUTO_TEST_SUITE(file_lock_suite)

BOOST_AUTO_TEST_CASE(a_second_lock_on_the_same_file_is_refused_naming_the_holder) {
  testkit::temp_dir dir;
  auto path = lock_file_of(dir.file("sub/events.db")); // its folder is made
  BOOST_TEST(path == dir.file("sub/events.db.lock"));
  BOOST_TEST(file_lock::holder(path) == 0); // no file yet
  auto first = file_lock::acquire(path);
  BOOST_REQUIRE(first);
  BOOST_TEST(first->held());
  // flock is per open file: a second open in this very process is refused like another process.
  auto second = file_lock::acquire(path);
  BOOST_REQUIRE(!second);
  BOOST_TEST(is(second.error(), errc::conflict));
  auto pid = std::to_string(::getpid());
  BOOST_TEST(error_context(second.error()).find("(pid " + pid + ")") != std::string::npos,
             error_context(second.error()));
  BOOST_TEST(file_lock::holder(path) == ::getpid());
}

BOOST_AUTO_TEST_CASE(the_lock_goes_with_its_holder_and_moves_with_it) {
  testkit::temp_dir dir;
  auto path = dir.file("events.db.lock");
  {
    auto first = file_lock::acquire(path);
    BOOST_REQUIRE(first);
    file_lock moved = std::move(*first);
    BOOST_TEST(!first->held());
    BOOST_TEST(moved.held());
    BOOST_TEST(!file_lock::acquire(path)); // still held, by `moved`
  }
  BOOST_TEST(file_lock::holder(path) == 0); // free again: the file stays, naming no one
  auto again = file_lock::acquire(path);
  BOOST_TEST(static_cast<bool>(again));
}

BOOST_AUTO_TEST_SUITE_END()
