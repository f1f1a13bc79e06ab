// JSON text from outside, checked for what nlohmann::json does not check by itself: dump() throws
// (type_error 316) on a string that is not UTF-8, and parse() takes a NUL byte as the end of its
// input, accepting "{...}\0<anything>" as the object before the NUL.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace cf {

/// True when `s` is well-formed UTF-8 (RFC 3629): no stray continuation bytes, no truncated or
/// overlong sequences, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF. Text from outside
/// that is stored and later serialized must pass this first.
bool is_valid_utf8(std::string_view s);

/// `text` parsed when it is exactly one JSON text, else a discarded value (never throws). Unlike
/// nlohmann::json::parse, a NUL byte anywhere makes it invalid (JSON has no raw NUL).
nlohmann::json parse_json_exact(std::string_view text);

} // namespace cf
