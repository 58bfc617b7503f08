// NFD, NFKD, NFC and NFKC on tracked text (tokenizers' NFD/NFKD/NFC/NFKC normalizers). A decomposed
// character keeps the range of the character it came from; a composed one covers everything it was
// composed from.
#pragma once

#include "text/utf8.h"

namespace jpqd::text::pipeline {

enum class UnicodeForm { kNfd, kNfkd, kNfc, kNfkc };

TrackedText to_unicode_form(const TrackedText& text, UnicodeForm form);

}  // namespace jpqd::text::pipeline
