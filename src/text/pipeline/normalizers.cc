#include "text/pipeline/normalizers.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "text/normalization.h"
#include "text/pipeline/char_classes.h"
#include "text/pipeline/pieces.h"
#include "text/pipeline/precompiled_charsmap.h"
#include "text/pipeline/text_pattern.h"
#include "text/pipeline/unicode_forms.h"
#include "text/unicode_classes.h"

namespace jpqd::text::pipeline {
namespace {

// tokenizers' own CJK list (normalizers/bert.rs): one block differs from BERT's Python list.
bool is_chinese_char(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void strip_accents(TrackedText& text) {
  text = to_unicode_form(text, UnicodeForm::kNfd);
  text.erase(std::remove_if(text.begin(), text.end(), [](const TrackedChar& c) { return is_nonspacing_mark(c.cp); }),
             text.end());
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents.value_or(lowercase)),
        lowercase_(lowercase) {}

  void normalize(TrackedText& text) const override {
    if (clean_text_) {
      size_t kept = 0;
      for (const TrackedChar& c : text) {
        const bool control = c.cp != '\t' && c.cp != '\n' && c.cp != '\r' && is_other_category(c.cp);
        if (c.cp == 0 || c.cp == kReplacementChar || control) continue;
        const bool space = c.cp == '\t' || c.cp == '\n' || c.cp == '\r' || is_white_space(c.cp);
        text[kept++] = {space ? U' ' : c.cp, c.begin, c.end};
      }
      text.resize(kept);
    }
    if (handle_chinese_chars_ && std::any_of(text.begin(), text.end(), [](auto& c) { return is_chinese_char(c.cp); })) {
      TrackedText out;
      for (const TrackedChar& c : text) {
        if (!is_chinese_char(c.cp)) {
          out.push_back(c);
          continue;
        }
        out.push_back({U' ', c.begin, c.begin});
        out.push_back(c);
        out.push_back({U' ', c.end, c.end});
      }
      text.swap(out);
    }
    if (strip_accents_) strip_accents(text);
    if (lowercase_) lower_case_per_char(text);
  }

  // Cleaning drops controls (0x0B and 0x0C among them) but none of the four spaces; the rest works on
  // single characters, or on combining sequences, which a space ends.
  bool acts_per_ascii_char(bool& lowercase) const override {
    lowercase = lowercase_;
    return true;
  }

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(TrackedText& text) const override { lower_case_per_char(text); }
  bool acts_per_ascii_char(bool& lowercase) const override {
    lowercase = true;
    return true;
  }
};

class StripAccentsNormalizer : public Normalizer {
 public:
  // tokenizers' StripAccents only drops marks; it expects an NFD normalizer before it.
  void normalize(TrackedText& text) const override {
    text.erase(
        std::remove_if(text.begin(), text.end(), [](const TrackedChar& c) { return is_nonspacing_mark(c.cp); }),
        text.end());
  }
  bool acts_per_ascii_char(bool& lowercase) const override {
    lowercase = false;
    return true;
  }
};

class UnicodeFormNormalizer : public Normalizer {
 public:
  explicit UnicodeFormNormalizer(UnicodeForm form) : form_(form) {}
  void normalize(TrackedText& text) const override { text = to_unicode_form(text, form_); }
  // ASCII is stable under all four forms, and a space is a starter that begins no canonical
  // composition, so no reordering or composition reaches across it.
  bool acts_per_ascii_char(bool& lowercase) const override {
    lowercase = false;
    return true;
  }

 private:
  UnicodeForm form_;
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(TrackedText& text) const override {
    size_t first = 0, last = text.size();
    if (left_) {
      while (first < last && is_white_space(text[first].cp)) ++first;
    }
    if (right_) {
      while (last > first && is_white_space(text[last - 1].cp)) --last;
    }
    text = TrackedText(text.begin() + static_cast<std::ptrdiff_t>(first), text.begin() + static_cast<std::ptrdiff_t>(last));
  }

 private:
  bool left_, right_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(TextPattern pattern, const std::string& content)
      : pattern_(std::move(pattern)), content_(decode_utf8(content)) {}
  void normalize(TrackedText& text) const override {
    TrackedText out;
    out.reserve(text.size());
    for (const MatchRun& run : pattern_.find(text)) {
      if (!run.is_match) {
        out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(run.first),
                   text.begin() + static_cast<std::ptrdiff_t>(run.last));
        continue;
      }
      const auto [begin, end] = original_range(text, run.first, run.last, 0);
      for (const TrackedChar& c : content_) out.push_back({c.cp, begin, end});
    }
    text.swap(out);
  }

 private:
  TextPattern pattern_;
  TrackedText content_;
};

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(const std::string& prefix) : prefix_(decode_utf8(prefix)) {}
  void normalize(TrackedText& text) const override {
    if (text.empty()) return;
    TrackedText out;
    out.reserve(text.size() + prefix_.size());
    for (const TrackedChar& c : prefix_) out.push_back({c.cp, text.front().begin, text.front().begin});
    out.insert(out.end(), text.begin(), text.end());
    text.swap(out);
  }

 private:
  TrackedText prefix_;
};

class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap charsmap) : charsmap_(std::move(charsmap)) {}
  void normalize(TrackedText& text) const override { text = charsmap_.normalize(text); }

 private:
  PrecompiledCharsmap charsmap_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<NormalizerPtr> steps) : steps_(std::move(steps)) {}
  void normalize(TrackedText& text) const override {
    for (const NormalizerPtr& step : steps_) step->normalize(text);
  }
  bool acts_per_ascii_char(bool& lowercase) const override {
    lowercase = false;
    for (const NormalizerPtr& step : steps_) {
      bool step_lowercase = false;
      if (!step->acts_per_ascii_char(step_lowercase)) return false;
      lowercase |= step_lowercase;
    }
    return true;
  }

 private:
  std::vector<NormalizerPtr> steps_;
};

bool get_bool_or(const Json& json, const std::string& key, bool fallback, const std::string& where) {
  if (!json.contains(key) || json[key].is_null()) return fallback;
  return get_bool(json, key, where);
}

}  // namespace

NormalizerPtr make_bert_normalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents,
                                   bool lowercase) {
  return std::make_shared<BertNormalizer>(clean_text, handle_chinese_chars, strip_accents, lowercase);
}

NormalizerPtr make_precompiled_normalizer(const std::string& charsmap, const std::string& where) {
  return std::make_shared<PrecompiledNormalizer>(PrecompiledCharsmap::from_bytes(charsmap, where));
}

NormalizerPtr make_sequence_normalizer(std::vector<NormalizerPtr> steps) {
  return std::make_shared<SequenceNormalizer>(std::move(steps));
}

NormalizerPtr normalizer_from_json(const Json& json, const std::string& where) {
  if (json.is_null()) return nullptr;
  JPQD_CHECK(json.is_object() && json.contains("type") && json["type"].is_string(), InvalidArgument, where,
             ": normalizer without a \"type\": ", json.dump().substr(0, 200));
  const std::string type = json["type"].get<std::string>();
  const std::string at = str_cat(where, ": normalizer ", type);
  if (type == "BertNormalizer") {
    std::optional<bool> strip;
    if (json.contains("strip_accents") && !json["strip_accents"].is_null()) strip = get_bool(json, "strip_accents", at);
    return make_bert_normalizer(get_bool_or(json, "clean_text", true, at),
                                get_bool_or(json, "handle_chinese_chars", true, at), strip,
                                get_bool_or(json, "lowercase", true, at));
  }
  if (type == "Lowercase") return std::make_shared<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_shared<StripAccentsNormalizer>();
  if (type == "NFD") return std::make_shared<UnicodeFormNormalizer>(UnicodeForm::kNfd);
  if (type == "NFKD") return std::make_shared<UnicodeFormNormalizer>(UnicodeForm::kNfkd);
  if (type == "NFC") return std::make_shared<UnicodeFormNormalizer>(UnicodeForm::kNfc);
  if (type == "NFKC") return std::make_shared<UnicodeFormNormalizer>(UnicodeForm::kNfkc);
  if (type == "Strip") {
    return std::make_shared<StripNormalizer>(get_bool_or(json, "strip_left", true, at),
                                             get_bool_or(json, "strip_right", true, at));
  }
  if (type == "Replace") {
    JPQD_CHECK(json.contains("pattern"), InvalidArgument, at, ": missing \"pattern\"");
    return std::make_shared<ReplaceNormalizer>(TextPattern::from_json(json["pattern"], at),
                                               get_string(json, "content", at));
  }
  if (type == "Prepend") return std::make_shared<PrependNormalizer>(get_string(json, "prepend", at));
  if (type == "Precompiled") {
    return std::make_shared<PrecompiledNormalizer>(
        PrecompiledCharsmap::from_base64(get_string(json, "precompiled_charsmap", at), at));
  }
  if (type == "Sequence") {
    JPQD_CHECK(json.contains("normalizers") && json["normalizers"].is_array(), InvalidArgument, at,
               ": missing \"normalizers\" array");
    std::vector<NormalizerPtr> steps;
    for (const Json& step : json["normalizers"]) {
      if (NormalizerPtr n = normalizer_from_json(step, where)) steps.push_back(std::move(n));
    }
    return std::make_shared<SequenceNormalizer>(std::move(steps));
  }
  throw InvalidArgument(str_cat(where, ": unsupported normalizer type \"", type,
                                "\" (supported: BertNormalizer, Lowercase, StripAccents, NFD, NFKD, NFC, NFKC, "
                                "Strip, Replace, Prepend, Precompiled, Sequence)"));
}

}  // namespace jpqd::text::pipeline
