// The fold's reader over simdjson (see fold_reader.hpp).
#include "storage/detail/fold_reader.hpp"

#include <simdjson.h>

#include <initializer_list>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "domain/catalogue.hpp"
#include "util/errc.hpp"

namespace cf {

namespace {

// read_fold_input's reader over a parsed simdjson document (same answers as json_reader in
// domain/course_state.cpp, which fold_reader_test compares).
struct simd_reader {
  simdjson::dom::element root;
  std::string refusal; // the first reason a value could not be read; empty: none

  void refuse(std::string why) {
    if (refusal.empty())
      refusal = std::move(why);
  }

  // The value at `path`; nothing when a key is missing (or refused).
  std::optional<simdjson::dom::element> find(std::initializer_list<const char*> path) {
    auto at = root;
    for (const char* key : path) {
      simdjson::dom::object object;
      if (at.get_object().get(object) != simdjson::SUCCESS) {
        refuse(std::string{"a value on the way to "} + key + " is not an object");
        return std::nullopt;
      }
      simdjson::dom::element next;
      auto err = object.at_key(key).get(next);
      if (err == simdjson::NO_SUCH_FIELD)
        return std::nullopt;
      if (err != simdjson::SUCCESS) {
        refuse(fold_path_name(path) + ": " + simdjson::error_message(err));
        return std::nullopt;
      }
      at = next;
    }
    return at;
  }

  std::string text(std::initializer_list<const char*> path) {
    auto v = find(path);
    if (!v)
      return {};
    std::string_view s;
    if (v->get_string().get(s) != simdjson::SUCCESS) {
      refuse(fold_path_name(path) + " is not a string");
      return {};
    }
    return std::string{s};
  }

  bool flag(std::initializer_list<const char*> path) {
    auto v = find(path);
    if (!v)
      return false;
    bool b = false;
    if (v->get_bool().get(b) != simdjson::SUCCESS) {
      refuse(fold_path_name(path) + " is not true or false");
      return false;
    }
    return b;
  }

  int64_t number(std::initializer_list<const char*> path, int64_t otherwise) {
    auto v = find(path);
    if (!v)
      return otherwise;
    switch (v->type()) {
      case simdjson::dom::element_type::INT64:
        return v->get_int64().value_unsafe();
      case simdjson::dom::element_type::UINT64:
        return static_cast<int64_t>(v->get_uint64().value_unsafe());
      case simdjson::dom::element_type::DOUBLE:
        return static_cast<int64_t>(v->get_double().value_unsafe());
      case simdjson::dom::element_type::BOOL: // as nlohmann::json's value() converts them
        return v->get_bool().value_unsafe() ? 1 : 0;
      default:
        refuse(fold_path_name(path) + " is not a number");
        return otherwise;
    }
  }

  bool is_object(std::initializer_list<const char*> path) {
    auto v = find(path);
    return v && v->is_object();
  }
};

} // namespace

fold_reader::fold_reader() : parser_(std::make_unique<simdjson::dom::parser>()) {}

fold_reader::~fold_reader() = default;

caf::expected<fold_input> fold_reader::read(const event& e) {
  if (e.type == event_types::generation_completed)
    return fold_input{};
  simdjson::dom::element root;
  auto err = e.data.empty() ? parser_->parse("{}", 2).get(root) : parser_->parse(e.data).get(root);
  if (err == simdjson::MEMALLOC)
    throw std::bad_alloc{}; // not the data's fault
  if (err != simdjson::SUCCESS)
    return make_error(errc::invalid_argument,
                      std::string{"not JSON: "} + simdjson::error_message(err));
  simd_reader r{root, {}};
  return read_fold_input(e.type, r);
}

} // namespace cf
