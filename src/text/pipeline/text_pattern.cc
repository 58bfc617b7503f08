#include "text/pipeline/text_pattern.h"

#include "common/error.h"
#include "text/pipeline/gpt2_split.h"

namespace jpqd::text::pipeline {
namespace {

constexpr const char* kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

std::u32string decode(const std::string& text) {
  std::u32string out;
  for (const TrackedChar& c : decode_utf8(text)) out.push_back(c.cp);
  return out;
}

// A regex of one (possibly escaped) character and a quantifier, "x+" or "x{n,}": sets repeated/min.
bool parse_repeated_char(const std::u32string& re, char32_t* repeated, size_t* min_repeats) {
  size_t i = 0;
  if (re.empty()) return false;
  char32_t c = re[i++];
  if (c == U'\\') {
    if (i >= re.size()) return false;
    c = re[i++];
    // An escaped letter or digit is a class (\s, \d, ...), not the character itself.
    if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9')) return false;
  } else if (std::u32string(U".[](){}*+?|^$").find(c) != std::u32string::npos) {
    return false;
  }
  const std::u32string quantifier = re.substr(i);
  if (quantifier == U"+") {
    *repeated = c, *min_repeats = 1;
    return true;
  }
  if (quantifier.size() < 4 || quantifier.front() != U'{' || quantifier.substr(quantifier.size() - 2) != U",}") {
    return false;
  }
  size_t n = 0;
  for (size_t k = 1; k + 2 < quantifier.size(); ++k) {
    if (quantifier[k] < U'0' || quantifier[k] > U'9' || n > 1000) return false;
    n = n * 10 + (quantifier[k] - U'0');
  }
  if (n == 0) return false;  // "x{0,}" matches the empty string everywhere
  *repeated = c, *min_repeats = n;
  return true;
}

}  // namespace

bool is_gpt2_regex(const std::string& pattern) { return pattern == kGpt2Regex; }

TextPattern TextPattern::literal(const std::string& text) {
  TextPattern p;
  p.kind_ = Kind::kLiteral;
  p.literal_ = decode(text);
  return p;
}

TextPattern TextPattern::from_json(const Json& json, const std::string& where) {
  JPQD_CHECK(json.is_object() && json.size() == 1 && (json.contains("String") || json.contains("Regex")),
             InvalidArgument, where, ": pattern must be {\"String\": ...} or {\"Regex\": ...}, got ", json.dump());
  if (json.contains("String")) return literal(get_string(json, "String", where));
  const std::string regex = get_string(json, "Regex", where);
  TextPattern p;
  if (is_gpt2_regex(regex)) {
    p.kind_ = Kind::kGpt2;
    return p;
  }
  if (parse_repeated_char(decode(regex), &p.repeated_, &p.min_repeats_)) {
    p.kind_ = Kind::kRepeatedChar;
    return p;
  }
  throw InvalidArgument(str_cat(where, ": unsupported Regex pattern \"", regex,
                                "\" (supported: one character repeated, \"x+\" or \"x{n,}\", and GPT-2's regex)"));
}

std::vector<MatchRun> TextPattern::find(const TrackedText& text) const {
  if (kind_ == Kind::kGpt2) return gpt2_split_runs(text);
  std::vector<MatchRun> runs;
  size_t start = 0;  // end of the previous match
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    size_t match_end = i;
    if (kind_ == Kind::kLiteral) {
      if (literal_.empty() || i + literal_.size() > n) break;
      size_t k = 0;
      while (k < literal_.size() && text[i + k].cp == literal_[k]) ++k;
      if (k == literal_.size()) match_end = i + k;
    } else {
      size_t k = i;
      while (k < n && text[k].cp == repeated_) ++k;
      if (k - i >= min_repeats_) match_end = k;
    }
    if (match_end == i) {
      ++i;
      continue;
    }
    if (start < i) runs.push_back({start, i, false});
    runs.push_back({i, match_end, true});
    start = i = match_end;
  }
  if (start < n) runs.push_back({start, n, false});
  return runs;
}

}  // namespace jpqd::text::pipeline
