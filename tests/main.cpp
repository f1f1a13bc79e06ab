// The test runner: every suite links into this one binary; CTest runs it once per suite.
#define BOOST_TEST_MODULE coursefactory
#include <boost/test/unit_test.hpp>
