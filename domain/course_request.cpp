// Parsing and validation rules for course requests.
#include "domain/course_request.hpp"

#include <nlohmann/json.hpp>

#include "util/json_text.hpp"

namespace cf {

namespace {

// Length in Unicode code points of a UTF-8 string (the limits are in characters, not bytes).
size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_currency(const std::string& s) {
  return s.size() == 3 && std::isupper(static_cast<unsigned char>(s[0]))
         && std::isupper(static_cast<unsigned char>(s[1]))
         && std::isupper(static_cast<unsigned char>(s[2]));
}

// The code points of a UTF-8 string; false when it is not valid UTF-8 (overlong forms,
// surrogates and values beyond U+10FFFF included).
bool decode_utf8(const std::string& s, std::vector<char32_t>& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    if (n == 9 || i + n >= s.size())
      return false;
    char32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr char32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    out.push_back(cp);
    i += n + 1;
  }
  return true;
}

// Control characters: C0 (NUL included), DEL and C1.
bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); }

// Bidi embeddings, overrides and isolates: they reorder the text around them when shown.
bool is_bidi_control(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Spaces and characters that show nothing (zero-width, joiners, marks, the BOM).
bool is_invisible(char32_t c) {
  return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0xA0 || c == 0xAD || c == 0x034F
         || c == 0x061C || c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200F) || c == 0x2028
         || c == 0x2029 || c == 0x202F || c == 0x205F || (c >= 0x2060 && c <= 0x2064) || c == 0x3000
         || c == 0xFEFF || is_bidi_control(c);
}

// What is wrong with a text field (empty when nothing): invalid UTF-8, control characters
// (`multiline` allows line feed and tab), bidi controls, or (`visible`) no visible character.
std::string text_problem(const std::string& s, bool multiline, bool visible) {
  std::vector<char32_t> cps;
  if (!decode_utf8(s, cps))
    return "must be valid UTF-8";
  bool seen = false;
  for (auto c : cps) {
    if (is_control(c) && !(multiline && (c == '\n' || c == '\t')))
      return "must not contain control characters";
    if (is_bidi_control(c))
      return "must not contain bidi embeddings, overrides or isolates (U+202A-U+202E, "
             "U+2066-U+2069)";
    seen = seen || !is_invisible(c);
  }
  if (visible && !seen)
    return "must contain a visible character";
  return {};
}

} // namespace

std::vector<field_error> validate(const course_request& r) {
  std::vector<field_error> errs;
  // Every text is stored and served as JSON, whose dump() throws on invalid UTF-8; and the
  // length rules below count the characters of valid UTF-8 only.
  const std::pair<const char*, const std::string*> texts[] = {{"title", &r.title},
                                                              {"description", &r.description},
                                                              {"language", &r.language},
                                                              {"user_id", &r.user_id},
                                                              {"price.currency", &r.currency}};
  for (const auto& [field, text] : texts)
    if (!is_valid_utf8(*text))
      errs.push_back({field, "must be valid UTF-8"});
  for (size_t i = 0; i < r.audiences.size(); ++i)
    if (!is_valid_utf8(r.audiences[i]))
      errs.push_back({"audiences[" + std::to_string(i) + "]", "must be valid UTF-8"});
  if (!errs.empty())
    return errs;
  auto title_len = utf8_length(r.title);
  if (title_len < 3 || title_len > 200)
    errs.push_back({"title", "must be 3 to 200 characters"});
  else if (auto why = text_problem(r.title, false, true); !why.empty())
    errs.push_back({"title", why});
  if (utf8_length(r.description) > 2000)
    errs.push_back({"description", "must be at most 2000 characters"});
  else if (auto why = text_problem(r.description, true, false); !why.empty())
    errs.push_back({"description", why});
  if (r.language != "en" && r.language != "de")
    errs.push_back({"language", "must be \"en\" or \"de\""});
  if (r.audiences.empty() || r.audiences.size() > 20)
    errs.push_back({"audiences", "must list 1 to 20 audiences"});
  for (size_t i = 0; i < r.audiences.size(); ++i) {
    auto len = utf8_length(r.audiences[i]);
    auto field = "audiences[" + std::to_string(i) + "]";
    if (len == 0 || len > 200)
      errs.push_back({field, "must be 1 to 200 characters"});
    else if (auto why = text_problem(r.audiences[i], false, true); !why.empty())
      errs.push_back({field, why});
  }
  if (r.lesson_count < 1 || r.lesson_count > 10)
    errs.push_back({"lesson_count", "must be 1 to 10"});
  auto user_len = utf8_length(r.user_id);
  if (user_len < 1 || user_len > 200)
    errs.push_back({"user_id", "must be 1 to 200 characters"});
  else if (auto why = text_problem(r.user_id, false, true); !why.empty())
    errs.push_back({"user_id", why});
  if (r.amount_cents < 0)
    errs.push_back({"price.amount_cents", "must be >= 0"});
  if (r.amount_cents > 100000000)
    errs.push_back({"price.amount_cents", "must be at most 100000000"});
  if (r.amount_cents > 0 && !is_currency(r.currency))
    errs.push_back({"price.currency", "must be an ISO-4217 code such as \"EUR\""});
  if (r.amount_cents == 0 && !r.currency.empty() && !is_currency(r.currency))
    errs.push_back({"price.currency", "must be an ISO-4217 code such as \"EUR\""});
  return errs;
}

course_request parse_course_request(const nlohmann::json& body, std::vector<field_error>& errs) {
  errs.clear();
  course_request r;
  if (!body.is_object()) {
    errs.push_back({"", "the body must be a JSON object"});
    return r;
  }
  auto get_string = [&](const char* key, std::string& out, bool required) {
    auto i = body.find(key);
    if (i == body.end()) {
      if (required)
        errs.push_back({key, "is required"});
    } else if (!i->is_string()) {
      errs.push_back({key, "must be a string"});
    } else {
      out = i->get<std::string>();
    }
  };
  for (const auto& [key, value] : body.items())
    if (key != "title" && key != "description" && key != "language" && key != "audiences"
        && key != "lesson_count" && key != "user_id" && key != "price" && key != "dry_run")
      errs.push_back({key, "is not a known field"});
  get_string("title", r.title, true);
  get_string("description", r.description, false);
  get_string("language", r.language, true);
  get_string("user_id", r.user_id, true);
  if (auto i = body.find("audiences"); i == body.end()) {
    errs.push_back({"audiences", "is required"});
  } else if (!i->is_array()) {
    errs.push_back({"audiences", "must be an array of strings"});
  } else {
    for (size_t k = 0; k < i->size(); ++k) {
      if (!(*i)[k].is_string())
        errs.push_back({"audiences[" + std::to_string(k) + "]", "must be a string"});
      else
        r.audiences.push_back((*i)[k].get<std::string>());
    }
  }
  if (auto i = body.find("lesson_count"); i == body.end()) {
    errs.push_back({"lesson_count", "is required"});
  } else if (!i->is_number_integer()) {
    errs.push_back({"lesson_count", "must be an integer"});
  } else {
    auto n = i->get<int64_t>();
    r.lesson_count = n < 0 ? -1 : n > 1000 ? 1000 : static_cast<int32_t>(n);
  }
  if (auto i = body.find("dry_run"); i != body.end()) {
    if (!i->is_boolean())
      errs.push_back({"dry_run", "must be true or false"});
    else
      r.dry_run = i->get<bool>();
  }
  if (auto i = body.find("price"); i != body.end() && !i->is_null()) {
    if (!i->is_object()) {
      errs.push_back({"price", "must be an object {amount_cents, currency}"});
    } else {
      for (const auto& [key, value] : i->items())
        if (key != "amount_cents" && key != "currency")
          errs.push_back({"price." + key, "is not a known field"});
      auto a = i->find("amount_cents");
      if (a == i->end())
        errs.push_back({"price.amount_cents", "is required"});
      else if (!a->is_number_integer())
        errs.push_back({"price.amount_cents", "must be an integer"});
      else
        r.amount_cents = a->is_number_unsigned() && a->get<uint64_t>() > INT64_MAX
                             ? INT64_MAX
                             : a->get<int64_t>();
      if (auto c = i->find("currency"); c != i->end()) {
        if (!c->is_string())
          errs.push_back({"price.currency", "must be a string"});
        else
          r.currency = c->get<std::string>();
      }
    }
  }
  if (errs.empty())
    errs = validate(r);
  return r;
}

nlohmann::json to_json(const course_request& r) {
  nlohmann::json price = nullptr;
  if (r.amount_cents > 0 || !r.currency.empty())
    price = {{"amount_cents", r.amount_cents}, {"currency", r.currency}};
  return {{"title", r.title},
          {"description", r.description},
          {"language", r.language},
          {"audiences", r.audiences},
          {"lesson_count", r.lesson_count},
          {"user_id", r.user_id},
          {"price", price},
          {"dry_run", r.dry_run}};
}

} // namespace cf
