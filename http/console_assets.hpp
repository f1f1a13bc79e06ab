// The operator's console (console/ in the source tree): its static files, compiled into the
// binary by tools/embed_files.cmake, so that /console/ needs nothing installed beside it.
#pragma once

#include <cstddef>
#include <string>

namespace cf {

/// One embedded file.
struct console_asset {
  const char* name; ///< "index.html", "console.js", ...
  const unsigned char* data;
  size_t size;
};

/// Every embedded file (generated source).
extern const console_asset console_assets[];
extern const size_t console_asset_count;

/// The file called `name`, or null.
const console_asset* find_console_asset(const std::string& name);

/// The Content-Type for a file name, by its extension ("application/octet-stream" otherwise).
const char* console_content_type(const std::string& name);

} // namespace cf
