// Phrase tables of the built-in generator, one file per language (generator_text_en.cpp,
// generator_text_de.cpp); this file picks the table for a language code.
#include "content/generator_text.hpp"

namespace cf::gen_text {

const language_text* find_language(const std::string& code) {
  static const language_text english = make_english();
  static const language_text german = make_german();
  if (code == "en")
    return &english;
  if (code == "de")
    return &german;
  return nullptr;
}

} // namespace cf::gen_text
