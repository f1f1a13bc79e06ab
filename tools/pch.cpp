// The translation unit that owns tools/pch.hpp's precompiled header (see CMakeLists.txt).
#include "tools/pch.hpp"
