// One generation as the service runs it, wherever it runs: exceptions and invalid content become
// the generator errors that decide whether a retry is worth it.
#include "content/generator.hpp"
#include "util/errc.hpp"

namespace cf {

caf::expected<course_content> generate_checked(generator& gen, const course_request& req) {
  caf::expected<course_content> content = make_error(errc::internal);
  try {
    content = gen.generate(req);
  } catch (const std::exception& ex) {
    return make_error(errc::generator_transient, std::string{"generator threw: "} + ex.what());
  }
  if (!content)
    return content.error();
  if (auto problem = check_content(*content); !problem.empty())
    return make_error(errc::generator_permanent, "invalid content: " + problem);
  return content;
}

} // namespace cf
