// The `site` channel: renders a course as static HTML pages (landing page, lessons, quiz) into
// <root_dir>/<slug>/ with atomic per-file writes, and the slug rule that names those folders.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "channels/channel.hpp"
#include "channels/site_render.hpp"
#include "domain/course_content.hpp"
#include "util/errc.hpp"

namespace cf {

namespace fs = std::filesystem;

// -- slug ---------------------------------------------------------------------

namespace {

constexpr size_t max_slug_length = 80;
constexpr const char* marker_name = ".course-id";

/// Decodes the UTF-8 code point at `s[i]` and advances `i`; invalid bytes yield 0xFFFD.
char32_t next_code_point(const std::string& s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80)
    return b;
  size_t extra = b >= 0xF0 && b < 0xF8 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : 0;
  if (extra == 0)
    return 0xFFFD;
  char32_t cp = b & (0x3F >> extra);
  for (size_t k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

/// The ASCII spelling of a letter or digit, or nullptr for anything that separates words.
const char* fold(char32_t cp, char (&buf)[2]) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
    buf[0] = static_cast<char>(cp);
    return buf;
  }
  if (cp >= 'A' && cp <= 'Z') {
    buf[0] = static_cast<char>(cp - 'A' + 'a');
    return buf;
  }
  if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7) {
    // Latin-1 letters U+00C0..U+00FF; upper and lower case share the low five bits.
    // clang-format off
    static const char* const table[32] = {
        "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i",  "i", "i",  "i",
        "d", "n", "o", "o", "o",  "o", "oe", "",  "o", "u", "u", "u", "ue", "y", "th", "ss"};
    // clang-format on
    if (cp == 0xFF)
      return "y";
    if (cp == 0xDF)
      return "ss";
    return table[cp & 0x1F];
  }
  switch (cp) {
    case 0x152:
    case 0x153:
      return "oe"; // Œ œ
    case 0x160:
    case 0x161:
      return "s"; // Š š
    case 0x17D:
    case 0x17E:
      return "z"; // Ž ž
    case 0x141:
    case 0x142:
      return "l"; // Ł ł
    case 0x178:
      return "y"; // Ÿ
    case 0x1E9E:
      return "ss"; // ẞ
    default:
      return nullptr;
  }
}

} // namespace

std::string make_slug(const std::string& title) {
  std::string out;
  bool pending_hyphen = false;
  for (size_t i = 0; i < title.size();) {
    char buf[2] = {0, 0};
    const char* piece = fold(next_code_point(title, i), buf);
    if (piece == nullptr) {
      pending_hyphen = true;
      continue;
    }
    if (pending_hyphen && !out.empty())
      out += '-';
    pending_hyphen = false;
    out += piece;
  }
  if (out.size() > max_slug_length) {
    bool at_boundary = out[max_slug_length] == '-';
    out.resize(max_slug_length);
    if (!at_boundary) {
      auto pos = out.rfind('-');
      if (pos != std::string::npos && pos > 0)
        out.resize(pos);
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out.empty() ? "course" : out;
}

namespace {

// -- files ----------------------------------------------------------------------

[[noreturn]] void fail_io(const std::string& what, const fs::path& p, int err) {
  throw fs::filesystem_error(what, p, std::error_code{err, std::generic_category()});
}

/// Writes `data` to `dir`/`name` atomically: a unique temp file in `dir`, fsync, rename.
void write_atomic(const fs::path& dir, const std::string& name, const std::string& data) {
  static std::atomic<uint64_t> counter{0};
  auto tmp = dir
             / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-"
                + std::to_string(counter.fetch_add(1)));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    fail_io("cannot create", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_io("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_io("cannot flush", tmp, err);
  }
  std::error_code ec;
  fs::rename(tmp, dir / name, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    throw fs::filesystem_error("cannot rename", tmp, dir / name, ec);
  }
}

/// The course id in `dir`/.course-id, or an empty string when there is none.
std::string read_marker(const fs::path& dir) {
  std::ifstream in{dir / marker_name, std::ios::binary};
  if (!in)
    return {};
  std::string id{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

class site_channel : public channel {
public:
  site_channel(std::string root_dir, std::string base_url)
      : root_(std::move(root_dir)), base_url_(std::move(base_url)) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  }

  std::string name() const override { return "site"; }

  caf::expected<channel_result> publish(const published_course& course) override {
    try {
      return do_publish(course);
    } catch (const fs::filesystem_error& e) {
      return make_error(errc::channel_transient, std::string{"site: "} + e.what());
    } catch (const std::bad_alloc&) {
      return make_error(errc::channel_transient, "site: out of memory");
    } catch (const std::exception& e) {
      return make_error(errc::channel_transient, std::string{"site: unexpected: "} + e.what());
    } catch (...) {
      return make_error(errc::channel_transient, "site: unexpected exception");
    }
  }

private:
  caf::expected<channel_result> do_publish(const published_course& course) {
    if (course.course_id.empty() || course.course_id.find('\n') != std::string::npos)
      return make_error(errc::channel_permanent, "site: course_id: must be a non-empty line");
    auto j = nlohmann::json::parse(course.content_json, nullptr, false);
    if (j.is_discarded())
      return make_error(errc::channel_permanent, "site: content_json: not valid JSON");
    auto content = content_from_json(j);
    if (!content)
      return make_error(errc::channel_permanent,
                        "site: content_json: " + error_context(content.error()));
    const auto& c = *content;
    const auto& language = !course.language.empty() ? course.language : c.language;
    const auto& title = course.title.empty() ? c.landing.headline : course.title;

    auto slug = allocate(course.course_id, make_slug(course.title));
    auto dir = root_ / slug;
    size_t count = static_cast<size_t>(c.lesson_count());
    size_t pages = 0;
    write_atomic(dir, "index.html", render_site_index(language, title, c));
    ++pages;
    for (size_t n = 1; n <= count; ++n, ++pages)
      write_atomic(dir, site_lesson_file(n), render_site_lesson(language, title, c, n));
    if (!c.quiz.empty()) {
      write_atomic(dir, "quiz.html", render_site_quiz(language, title, c));
      ++pages;
    } else {
      fs::remove(dir / "quiz.html");
    }
    // A republished course with fewer lessons must not leave stale pages behind.
    for (size_t k = count + 1; fs::remove(dir / site_lesson_file(k)); ++k) {
    }
    return channel_result{base_url_ + "/" + slug + "/",
                          std::to_string(pages) + " pages written to " + dir.string()};
  }

  /// The folders `course_id` may get, in order: `base`, `base`-2 ... `base`-10, then `base`
  /// with the tail of the course id, then with the whole id. Bounded: a popular title costs at
  /// most a dozen looks per publication (it used to try `base`-N up to N = 9,999 in turn, so each
  /// publication of a common title walked all the earlier ones, and the 10,000th failed).
  static std::vector<std::string> candidates(const std::string& course_id,
                                             const std::string& base) {
    std::string id; // the id's letters and digits, lower case: safe in a path
    for (char ch : course_id)
      if (std::isalnum(static_cast<unsigned char>(ch)))
        id += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::vector<std::string> out{base};
    for (int n = 2; n <= 10; ++n) out.push_back(base + "-" + std::to_string(n));
    if (!id.empty()) {
      if (id.size() > 12)
        out.push_back(base + "-" + id.substr(id.size() - 12));
      out.push_back(base + "-" + id);
    }
    return out;
  }

  /// Picks the folder for `course_id` among candidates() (the first one that is free or already
  /// owned by this course) and claims it with its marker file.
  std::string allocate(const std::string& course_id, const std::string& base) {
    std::lock_guard<std::mutex> guard{mtx_};
    fs::create_directories(root_);
    for (const auto& slug : candidates(course_id, base)) {
      auto dir = root_ / slug;
      std::error_code ec;
      if (fs::create_directory(dir, ec)) {
        try {
          write_atomic(dir, marker_name, course_id + "\n");
        } catch (...) {
          fs::remove(dir, ec); // Do not leave an unclaimed folder blocking this slug.
          throw;
        }
        return slug;
      }
      auto st = fs::symlink_status(dir);
      if (ec && (!fs::exists(st) || fs::is_directory(st)))
        throw fs::filesystem_error("cannot create", dir, ec);
      // Taken: ours if the marker names this course; other files and folders without our
      // marker belong to someone else.
      if (fs::is_directory(st) && read_marker(dir) == course_id)
        return slug;
    }
    throw fs::filesystem_error("no free folder for slug", root_ / base,
                               std::make_error_code(std::errc::file_exists));
  }

  fs::path root_;
  std::string base_url_;
  std::mutex mtx_;
};

} // namespace

std::shared_ptr<channel> make_site_channel(std::string root_dir, std::string base_url) {
  return std::make_shared<site_channel>(std::move(root_dir), std::move(base_url));
}

} // namespace cf
