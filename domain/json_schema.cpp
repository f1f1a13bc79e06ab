// The JSON Schema subset checker: one function per keyword group, first violation wins.
#include "domain/json_schema.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cf {

namespace {

using json = nlohmann::json;

std::string at(const std::string& path) { return path.empty() ? std::string{"value"} : path; }

std::string member(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// UTF-8 code points (continuation bytes are not counted).
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string check_type(const json& t, const json& v, const std::string& path) {
  if (t.is_string())
    return json_has_type(v, t.get<std::string>()) ? std::string{}
                                                  : at(path) + ": must be " + t.get<std::string>();
  for (const auto& one : t)
    if (one.is_string() && json_has_type(v, one.get<std::string>()))
      return {};
  return at(path) + ": must be one of " + t.dump();
}

std::string check_object(const json& s, const json& v, const std::string& path) {
  if (!v.is_object())
    return {};
  if (auto r = s.find("required"); r != s.end())
    for (const auto& key : *r)
      if (!v.contains(key.get<std::string>()))
        return member(path, key.get<std::string>()) + ": is missing";
  const json* props = s.contains("properties") ? &s["properties"] : nullptr;
  for (const auto& [key, value] : v.items()) {
    if (props != nullptr && props->contains(key)) {
      if (auto err = check_json_schema((*props)[key], value, member(path, key)); !err.empty())
        return err;
    } else if (auto extra = s.find("additionalProperties"); extra != s.end()) {
      if (extra->is_boolean() && !extra->get<bool>())
        return member(path, key) + ": is not a known field";
      if (extra->is_object())
        if (auto err = check_json_schema(*extra, value, member(path, key)); !err.empty())
          return err;
    }
  }
  return {};
}

std::string check_scalar(const json& s, const json& v, const std::string& path) {
  if (v.is_string()) {
    auto n = code_points(v.get_ref<const std::string&>());
    if (s.contains("minLength") && n < s["minLength"].get<size_t>())
      return at(path) + ": must have at least " + s["minLength"].dump() + " characters";
    if (s.contains("maxLength") && n > s["maxLength"].get<size_t>())
      return at(path) + ": must have at most " + s["maxLength"].dump() + " characters";
  }
  if (v.is_number()) {
    auto x = v.get<double>();
    if (s.contains("minimum") && x < s["minimum"].get<double>())
      return at(path) + ": must be at least " + s["minimum"].dump();
    if (s.contains("maximum") && x > s["maximum"].get<double>())
      return at(path) + ": must be at most " + s["maximum"].dump();
  }
  return {};
}

bool known_keyword(const std::string& k) {
  static const char* const known[] = {
      "$schema", "$id",       "title",     "description", "examples",   "format",
      "type",    "const",     "enum",      "required",    "properties", "additionalProperties",
      "items",   "minLength", "maxLength", "minimum",     "maximum",    "anyOf",
      "allOf",   "if",        "then"};
  for (const char* one : known)
    if (k == one)
      return true;
  return false;
}

} // namespace

bool json_has_type(const json& v, const std::string& type) {
  if (type == "string")
    return v.is_string();
  if (type == "integer")
    return v.is_number_integer();
  if (type == "number")
    return v.is_number();
  if (type == "boolean")
    return v.is_boolean();
  if (type == "object")
    return v.is_object();
  if (type == "array")
    return v.is_array();
  if (type == "null")
    return v.is_null();
  return false;
}

std::string check_json_schema(const json& s, const json& v, const std::string& path) {
  if (s.is_boolean())
    return s.get<bool>() ? std::string{} : at(path) + ": is not allowed";
  for (const auto& [key, _] : s.items())
    if (!known_keyword(key))
      return "schema keyword " + key + " is not supported"; // a defect of the schema
  if (auto t = s.find("type"); t != s.end())
    if (auto err = check_type(*t, v, path); !err.empty())
      return err;
  if (auto c = s.find("const"); c != s.end() && *c != v)
    return at(path) + ": must be " + c->dump();
  if (auto e = s.find("enum"); e != s.end() && std::find(e->begin(), e->end(), v) == e->end())
    return at(path) + ": must be one of " + e->dump();
  if (auto err = check_scalar(s, v, path); !err.empty())
    return err;
  if (auto err = check_object(s, v, path); !err.empty())
    return err;
  if (auto items = s.find("items"); items != s.end() && v.is_array())
    for (size_t i = 0; i < v.size(); ++i)
      if (auto err = check_json_schema(*items, v[i], path + "[" + std::to_string(i) + "]");
          !err.empty())
        return err;
  if (auto all = s.find("allOf"); all != s.end())
    for (const auto& one : *all)
      if (auto err = check_json_schema(one, v, path); !err.empty())
        return err;
  if (auto any = s.find("anyOf"); any != s.end()) {
    std::string first = at(path) + ": matches none of anyOf";
    bool matched = false;
    for (const auto& one : *any) {
      auto err = check_json_schema(one, v, path);
      matched = matched || err.empty();
      if (!err.empty() && one == any->front())
        first = err;
    }
    if (!matched)
      return first;
  }
  if (auto cond = s.find("if"); cond != s.end() && s.contains("then"))
    if (check_json_schema(*cond, v, path).empty())
      return check_json_schema(s["then"], v, path);
  return {};
}

} // namespace cf
