// What this binary is: its version and the git commit it was built from. CMake writes the
// definitions (build_info.cpp in the build folder, tools/build_info.cmake) at every build.
#pragma once

namespace cf {

/// The release, from project(VERSION) in CMakeLists.txt: "0.16.0".
const char* build_version();

/// The git commit the sources were at: 12 hex digits, with "-dirty" when tracked files had
/// uncommitted changes; "unknown" when the sources were not a git checkout (a tarball).
const char* build_commit();

} // namespace cf
