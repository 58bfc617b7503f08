// Character classes as the Rust tokenizers library sees them (Rust's char methods, the regex crates'
// \s \w \p{L} \p{N}), backed by utf8proc's tables. They differ from BERT's Python classes in
// unicode_classes.h: whitespace here is the Unicode White_Space property, and "control" is every C*
// category with no exception for U+0085.
#pragma once

namespace jpqd::text::pipeline {

// Unicode White_Space: Rust's char::is_whitespace, and \s in both regex engines tokenizers uses.
bool is_white_space(char32_t cp);
// General category C* (Rust's unicode_categories is_other).
bool is_other_category(char32_t cp);
// \p{L} and \p{N}.
bool is_letter(char32_t cp);
bool is_number(char32_t cp);
// Rust's is_ascii_punctuation || category P*: BertPreTokenizer's and Punctuation's split points.
bool is_punctuation(char32_t cp);
// Category Mn: what StripAccents removes.
bool is_nonspacing_mark(char32_t cp);
// The regex crate's \w: alphabetic, marks, decimal digits, connector punctuation, joiners.
bool is_word_char(char32_t cp);

}  // namespace jpqd::text::pipeline
