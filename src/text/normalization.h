// Case mapping and Unicode normalisation on tracked text: every output character keeps the byte range
// of the original characters it came from, which is what makes token offsets exact after lower-casing
// and accent stripping.
#pragma once

#include "text/utf8.h"

namespace jpqd::text {

// Python's str.lower() applied one character at a time, as HF's tokenize() does for do_lower_case
// (its regex lower-cases the text character by character, so Greek capital sigma always becomes σ,
// never the final ς). Full mapping: U+0130 becomes i + U+0307, everything else maps one to one.
void lower_case_per_char(TrackedText& text);

// Stable-sorts every run of non-starters by canonical combining class (the reordering step of NFD and NFKD).
void canonical_reorder(TrackedText& text);
// Canonical decomposition with canonical reordering (NFD).
TrackedText nfd(const TrackedText& text);
// NFD followed by canonical composition (NFC). A composed character covers the bytes of everything
// it was composed from.
TrackedText nfc(const TrackedText& text);
// Drops category Mn (after nfd: HF's _run_strip_accents).
void remove_nonspacing_marks(TrackedText& text);

}  // namespace jpqd::text
