#include "text/pipeline/pre_tokenizers.h"

#include <array>

#include "common/error.h"
#include "text/pipeline/char_classes.h"
#include "text/pipeline/gpt2_split.h"
#include "text/pipeline/text_pattern.h"

namespace jpqd::text::pipeline {

void PreTokenizer::pre_tokenize(std::vector<Split>& splits) const {
  std::vector<Split> out;
  out.reserve(splits.size());
  for (Split& s : splits) {
    if (s.tokens) {
      out.push_back(std::move(s));
      continue;
    }
    for (TrackedText& piece : split(s.text)) {
      if (!piece.empty()) out.push_back({std::move(piece), std::nullopt});
    }
  }
  splits.swap(out);
}

char32_t byte_level_char(unsigned char byte) {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[static_cast<size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table[byte];
}

namespace {

TrackedText with_prefix(const TrackedText& text, char32_t cp) {
  TrackedText out;
  out.reserve(text.size() + 1);
  const int64_t at = text.empty() ? 0 : text.front().begin;
  out.push_back({cp, at, at});
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

class BertPreTokenizer : public PreTokenizer {
 public:
  bool splits_like_bert() const override { return true; }

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    std::vector<TrackedText> out;
    for (const TrackedText& word : split_by_runs(text, runs_of_chars(text, is_white_space), SplitBehavior::kRemoved)) {
      for (TrackedText& piece : split_by_runs(word, runs_of_chars(word, is_punctuation), SplitBehavior::kIsolated)) {
        out.push_back(std::move(piece));
      }
    }
    return out;
  }
};

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    const TrackedText prefixed =
        add_prefix_space_ && (text.empty() || text.front().cp != U' ') ? with_prefix(text, U' ') : text;
    std::vector<TrackedText> pieces;
    if (use_regex_) {
      pieces = split_by_runs(prefixed, gpt2_split_runs(prefixed), SplitBehavior::kIsolated);
    } else {
      pieces.push_back(prefixed);
    }
    for (TrackedText& piece : pieces) {
      TrackedText bytes;
      std::string utf8;
      for (const TrackedChar& c : piece) {
        utf8.clear();
        append_utf8(utf8, c.cp);
        for (const char b : utf8) bytes.push_back({byte_level_char(static_cast<unsigned char>(b)), c.begin, c.end});
      }
      piece.swap(bytes);
    }
    return pieces;
  }

 private:
  bool add_prefix_space_, use_regex_;
};

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  enum class Prepend { kAlways, kFirst, kNever };
  MetaspacePreTokenizer(char32_t replacement, Prepend prepend, bool split)
      : replacement_(replacement), prepend_(prepend), split_(split) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    TrackedText replaced = text;
    for (TrackedChar& c : replaced) {
      if (c.cp == U' ') c.cp = replacement_;
    }
    // "first": only the split that starts the original text (not the text after an added token).
    const bool starts_original = !replaced.empty() && replaced.front().begin == 0;
    const bool prepend = prepend_ == Prepend::kAlways || (prepend_ == Prepend::kFirst && starts_original);
    if (prepend && (replaced.empty() || replaced.front().cp != replacement_)) replaced = with_prefix(replaced, replacement_);
    if (!split_) {
      std::vector<TrackedText> whole;
      whole.push_back(std::move(replaced));
      return whole;
    }
    const char32_t r = replacement_;
    return split_by_runs(replaced, runs_of_chars(replaced, [r](char32_t cp) { return cp == r; }),
                         SplitBehavior::kMergedWithNext);
  }

 private:
  char32_t replacement_;
  Prepend prepend_;
  bool split_;
};

// Whitespace: the regex \w+|[^\w\s]+, i.e. runs of word characters and runs of other non-spaces.
class WhitespacePreTokenizer : public PreTokenizer {
 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    std::vector<TrackedText> out;
    size_t i = 0;
    while (i < text.size()) {
      if (is_white_space(text[i].cp)) {
        ++i;
        continue;
      }
      const bool word = is_word_char(text[i].cp);
      size_t end = i + 1;
      while (end < text.size() && !is_white_space(text[end].cp) && is_word_char(text[end].cp) == word) ++end;
      out.emplace_back(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(end));
      i = end;
    }
    return out;
  }
};

class PredicateSplitPreTokenizer : public PreTokenizer {
 public:
  using Predicate = bool (*)(char32_t);
  PredicateSplitPreTokenizer(Predicate is_delimiter, SplitBehavior behavior)
      : is_delimiter_(is_delimiter), behavior_(behavior) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    return split_by_runs(text, runs_of_chars(text, is_delimiter_), behavior_);
  }

 private:
  Predicate is_delimiter_;
  SplitBehavior behavior_;
};

class CharDelimiterPreTokenizer : public PreTokenizer {
 public:
  explicit CharDelimiterPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    const char32_t d = delimiter_;
    return split_by_runs(text, runs_of_chars(text, [d](char32_t cp) { return cp == d; }), SplitBehavior::kRemoved);
  }

 private:
  char32_t delimiter_;
};

class PatternSplitPreTokenizer : public PreTokenizer {
 public:
  PatternSplitPreTokenizer(TextPattern pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    std::vector<MatchRun> runs = pattern_.find(text);
    if (invert_) {
      for (MatchRun& r : runs) r.is_match = !r.is_match;
    }
    return split_by_runs(text, runs, behavior_);
  }

 private:
  TextPattern pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<PreTokenizerPtr> steps) : steps_(std::move(steps)) {}

 protected:
  std::vector<TrackedText> split(const TrackedText& text) const override {
    std::vector<Split> splits{{text, std::nullopt}};
    for (const PreTokenizerPtr& step : steps_) step->pre_tokenize(splits);
    std::vector<TrackedText> out;
    for (Split& s : splits) out.push_back(std::move(s.text));
    return out;
  }

 private:
  std::vector<PreTokenizerPtr> steps_;
};

char32_t single_char(const std::string& text, const std::string& where, const char* key) {
  const TrackedText chars = decode_utf8(text);
  JPQD_CHECK(chars.size() == 1, InvalidArgument, where, ": \"", key, "\" must be one character, got \"", text, "\"");
  return chars.front().cp;
}

bool bool_or(const Json& json, const char* key, bool fallback, const std::string& where) {
  return json.contains(key) && !json[key].is_null() ? get_bool(json, key, where) : fallback;
}

}  // namespace

PreTokenizerPtr make_bert_pre_tokenizer() { return std::make_shared<BertPreTokenizer>(); }

PreTokenizerPtr make_byte_level_pre_tokenizer(bool add_prefix_space, bool use_regex) {
  return std::make_shared<ByteLevelPreTokenizer>(add_prefix_space, use_regex);
}

PreTokenizerPtr make_metaspace_pre_tokenizer(const std::string& replacement, const std::string& prepend_scheme,
                                             bool split) {
  using P = MetaspacePreTokenizer::Prepend;
  const std::string where = "Metaspace";
  P prepend = P::kAlways;
  if (prepend_scheme == "first") {
    prepend = P::kFirst;
  } else if (prepend_scheme == "never") {
    prepend = P::kNever;
  } else if (prepend_scheme != "always") {
    throw InvalidArgument(str_cat("Metaspace: unknown prepend_scheme \"", prepend_scheme, "\" (first, always, never)"));
  }
  return std::make_shared<MetaspacePreTokenizer>(single_char(replacement, where, "replacement"), prepend, split);
}

PreTokenizerPtr pre_tokenizer_from_json(const Json& json, const std::string& where) {
  if (json.is_null()) return nullptr;
  JPQD_CHECK(json.is_object() && json.contains("type") && json["type"].is_string(), InvalidArgument, where,
             ": pre_tokenizer without a \"type\": ", json.dump().substr(0, 200));
  const std::string type = json["type"].get<std::string>();
  const std::string at = str_cat(where, ": pre_tokenizer ", type);
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "ByteLevel") {
    return make_byte_level_pre_tokenizer(bool_or(json, "add_prefix_space", true, at),
                                         bool_or(json, "use_regex", true, at));
  }
  if (type == "Metaspace") {
    std::string scheme = json.contains("prepend_scheme") ? get_string(json, "prepend_scheme", at) : "always";
    // Files written before prepend_scheme existed say add_prefix_space instead.
    if (json.contains("add_prefix_space") && !json["add_prefix_space"].is_null() && !get_bool(json, "add_prefix_space", at)) {
      scheme = "never";
    }
    return make_metaspace_pre_tokenizer(get_string(json, "replacement", at), scheme, bool_or(json, "split", true, at));
  }
  if (type == "Whitespace") return std::make_shared<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") {
    return std::make_shared<PredicateSplitPreTokenizer>(is_white_space, SplitBehavior::kRemoved);
  }
  if (type == "Punctuation") {
    const SplitBehavior behavior =
        json.contains("behavior") ? parse_split_behavior(get_string(json, "behavior", at), at) : SplitBehavior::kIsolated;
    return std::make_shared<PredicateSplitPreTokenizer>(is_punctuation, behavior);
  }
  if (type == "Digits") {
    const bool individual = bool_or(json, "individual_digits", false, at);
    return std::make_shared<PredicateSplitPreTokenizer>(
        is_number, individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
  }
  if (type == "CharDelimiterSplit") {
    return std::make_shared<CharDelimiterPreTokenizer>(single_char(get_string(json, "delimiter", at), at, "delimiter"));
  }
  if (type == "Split") {
    JPQD_CHECK(json.contains("pattern"), InvalidArgument, at, ": missing \"pattern\"");
    return std::make_shared<PatternSplitPreTokenizer>(TextPattern::from_json(json["pattern"], at),
                                                      parse_split_behavior(get_string(json, "behavior", at), at),
                                                      bool_or(json, "invert", false, at));
  }
  if (type == "Sequence") {
    JPQD_CHECK(json.contains("pretokenizers") && json["pretokenizers"].is_array(), InvalidArgument, at,
               ": missing \"pretokenizers\" array");
    std::vector<PreTokenizerPtr> steps;
    for (const Json& step : json["pretokenizers"]) {
      if (PreTokenizerPtr p = pre_tokenizer_from_json(step, where)) steps.push_back(std::move(p));
    }
    return std::make_shared<SequencePreTokenizer>(std::move(steps));
  }
  throw InvalidArgument(str_cat(where, ": unsupported pre_tokenizer type \"", type,
                                "\" (supported: BertPreTokenizer, ByteLevel, Metaspace, Whitespace, WhitespaceSplit, "
                                "Punctuation, Digits, CharDelimiterSplit, Split, Sequence)"));
}

}  // namespace jpqd::text::pipeline
