// Distribution channels: where a paid (or free) course gets published. Distribution calls each
// configured channel; channels block (files, network), so they run on worker threads.
#pragma once

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>
#include <memory>
#include <string>
#include <vector>

namespace cf {

/// What a channel publishes: the course's identity, its summary and its content.
struct published_course {
  std::string course_id;
  std::string title;
  std::string language;        ///< "en" or "de".
  std::string content_json;    ///< course_content as JSON (see generator.hpp, to_json).
  std::string distribution_id; ///< Id of the course.distribution.requested event.
  int32_t attempt = 1;         ///< Distribution attempt (1, 2, ...).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, published_course& x) {
  return f(caf::meta::type_name("cf.published_course"), x.course_id, x.title, x.language,
           x.content_json, x.distribution_id, x.attempt);
}

/// The outcome of one successful publication.
struct channel_result {
  std::string url;    ///< Where the course can be seen now (may be empty for push channels).
  std::string detail; ///< One line for humans ("3 pages written", "delivered to 2 receivers").
};

/// One publication target. Implementations must be safe to call from several threads at once
/// and idempotent: publishing the same course twice leaves the same result.
class channel {
public:
  virtual ~channel() = default;

  /// The channel's name as it appears in events ("site", "webhook").
  virtual std::string name() const = 0;

  /// Publishes `course`. Errors: errc::channel_transient (worth retrying: 5xx, timeout, I/O
  /// error) or errc::channel_permanent (4xx, invalid content: retrying will not help).
  virtual caf::expected<channel_result> publish(const published_course& course) = 0;
};

/// The `site` channel: renders the course as static HTML (landing page, one page per lesson, the
/// quiz) into `root_dir`/<slug>/ and reports `base_url` + "/" + slug + "/". The slug is the
/// title in lower case with ä→ae, ö→oe, ü→ue, ß→ss, other non-alphanumerics as single hyphens;
/// it is unique per course (a folder owned by another course gets "-2", "-3", ...; a course
/// published again reuses its own folder).
std::shared_ptr<channel> make_site_channel(std::string root_dir, std::string base_url);

/// The slug rule alone (without the uniqueness suffix), e.g. "Größe & Übung" -> "groesse-uebung".
std::string make_slug(const std::string& title);

} // namespace cf
