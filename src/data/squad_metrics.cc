#include "data/squad_metrics.h"

#include <utf8proc.h>

#include <algorithm>
#include <map>

#include "common/error.h"
#include "text/normalization.h"
#include "text/unicode_classes.h"
#include "text/utf8.h"

namespace jpqd::data {

namespace {

bool is_ascii_punctuation(char32_t c) {  // Python's string.punctuation
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

// Python's re \w on str: letters, numbers (str.isalnum) and '_'.
bool is_word_char(char32_t c) {
  if (c == '_') return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_article(const std::u32string& word) { return word == U"a" || word == U"an" || word == U"the"; }

std::vector<std::string> split_words(const std::string& normalized) {
  std::vector<std::string> words;
  size_t begin = 0;
  while (begin < normalized.size()) {
    size_t end = normalized.find(' ', begin);
    if (end == std::string::npos) end = normalized.size();
    if (end > begin) words.push_back(normalized.substr(begin, end - begin));
    begin = end + 1;
  }
  return words;
}

}  // namespace

std::string normalize_answer(const std::string& input) {
  text::TrackedText chars = text::decode_utf8(input);
  text::lower_case_per_char(chars);
  std::u32string s;
  for (const auto& c : chars)
    if (!is_ascii_punctuation(c.cp)) s.push_back(c.cp);
  // \b(a|an|the)\b matches exactly the maximal runs of word characters equal to an article.
  std::u32string no_articles;
  size_t i = 0;
  while (i < s.size()) {
    if (!is_word_char(s[i])) {
      no_articles.push_back(s[i++]);
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_word_char(s[j])) ++j;
    const std::u32string word = s.substr(i, j - i);
    if (is_article(word))
      no_articles.push_back(U' ');
    else
      no_articles += word;
    i = j;
  }
  std::string out;
  bool pending_space = false;
  for (char32_t c : no_articles) {
    if (text::is_python_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    text::append_utf8(out, c);
  }
  return out;
}

double squad_exact_match(const std::string& prediction, const std::string& ground_truth) {
  return normalize_answer(prediction) == normalize_answer(ground_truth) ? 1.0 : 0.0;
}

double squad_f1(const std::string& prediction, const std::string& ground_truth) {
  const auto pred = split_words(normalize_answer(prediction));
  const auto gold = split_words(normalize_answer(ground_truth));
  std::map<std::string, int64_t> gold_counts;
  for (const auto& w : gold) gold_counts[w]++;
  int64_t same = 0;
  for (const auto& w : pred) {
    auto it = gold_counts.find(w);
    if (it != gold_counts.end() && it->second > 0) {
      --it->second;
      ++same;
    }
  }
  if (same == 0) return 0.0;
  const double precision = static_cast<double>(same) / static_cast<double>(pred.size());
  const double recall = static_cast<double>(same) / static_cast<double>(gold.size());
  return 2 * precision * recall / (precision + recall);
}

SquadScores evaluate_squad(const std::vector<SquadExample>& examples,
                           const std::unordered_map<std::string, std::string>& predictions) {
  JPQD_CHECK(!examples.empty(), InvalidArgument, "SQuAD evaluation: no questions");
  SquadScores scores;
  double em = 0, f1 = 0;
  for (const auto& ex : examples) {
    ++scores.total;
    auto it = predictions.find(ex.id);
    if (it == predictions.end()) {
      ++scores.missing;
      continue;
    }
    double best_em = 0, best_f1 = 0;
    for (const auto& answer : ex.answers) {
      best_em = std::max(best_em, squad_exact_match(it->second, answer.text));
      best_f1 = std::max(best_f1, squad_f1(it->second, answer.text));
    }
    em += best_em;
    f1 += best_f1;
  }
  scores.exact_match = 100.0 * em / static_cast<double>(scores.total);
  scores.f1 = 100.0 * f1 / static_cast<double>(scores.total);
  return scores;
}

}  // namespace jpqd::data
