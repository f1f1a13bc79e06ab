// Course generators: turn a course_request into course_content. The built-in generator is
// deterministic and writes real text in English or German; an external program can be plugged in
// later behind the same interface.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/course_content.hpp"
#include "domain/course_request.hpp"

namespace cf {

/// Produces course content from a validated request.
/// Implementations must be safe to call from several threads at once.
class generator {
public:
  virtual ~generator() = default;

  /// A short name for logs and events, e.g. "builtin".
  virtual std::string name() const = 0;

  /// Generates the course. Errors: errc::generator_transient (crash, timeout: worth retrying)
  /// or errc::generator_permanent (invalid input or output: not worth retrying).
  virtual caf::expected<course_content> generate(const course_request& req) = 0;

  /// True when generate() may block for long (processes, network): each call then gets a
  /// thread of its own instead of one of the actor system's scheduler threads.
  virtual bool blocking() const { return false; }
};

/// Runs `gen` as the service runs every generation, locally or on a worker: an exception is
/// errc::generator_transient ("generator threw: ..."), content that fails check_content is
/// errc::generator_permanent ("invalid content: ..."), other errors are the generator's own.
caf::expected<course_content> generate_checked(generator& gen, const course_request& req);

/// The built-in generator: deterministic (the same request gives byte-identical content), real
/// prose in the requested language, `req.lesson_count` lessons grouped into modules of at most
/// three, one to two quiz questions per lesson. Never fails for a valid request.
std::shared_ptr<generator> make_builtin_generator();

/// An external generator: runs `argv` (argv[0] is the program; no shell is involved), writes
/// the request as JSON (to_json(course_request)) to its stdin, closes stdin, and reads the course
/// as JSON (the shape of to_json(course_content)) from its stdout. A crash, a non-zero exit or
/// running longer than `timeout_ms` (the process is then killed) is errc::generator_transient
/// (with the exit status or signal and the first line of stderr); output that is not JSON or
/// fails validation is errc::generator_permanent. stderr is captured, at most 64 KiB kept.
/// Safe to call from several threads at once (one process per call).
std::shared_ptr<generator> make_external_generator(std::vector<std::string> argv,
                                                   int64_t timeout_ms);

} // namespace cf
