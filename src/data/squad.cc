#include "data/squad.h"

#include <unordered_set>

#include "common/error.h"
#include "common/json_util.h"
#include "text/utf8.h"

namespace jpqd::data {

namespace {

const Json& member(const Json& object, const char* key, const std::string& where, bool (Json::*is_type)() const noexcept,
                   const char* type) {
  JPQD_CHECK(object.is_object(), FormatError, where, ": not SQuAD JSON: expected an object, got ", object.type_name());
  auto it = object.find(key);
  JPQD_CHECK(it != object.end(), FormatError, where, ": not SQuAD JSON: missing \"", key, "\"");
  JPQD_CHECK(((*it).*is_type)(), FormatError, where, ": not SQuAD JSON: \"", key, "\" should be ", type, ", got ",
             it->type_name());
  return *it;
}

const Json& array_member(const Json& o, const char* key, const std::string& where) {
  return member(o, key, where, &Json::is_array, "an array");
}
std::string string_member(const Json& o, const char* key, const std::string& where) {
  return member(o, key, where, &Json::is_string, "a string").get<std::string>();
}

// Byte offset of every code point of `text`, plus text.size() at the end.
std::vector<int64_t> code_point_offsets(const std::string& text) {
  std::vector<int64_t> offsets;
  for (const auto& c : text::decode_utf8(text)) offsets.push_back(c.begin);
  offsets.push_back(static_cast<int64_t>(text.size()));
  return offsets;
}

int64_t code_point_count(const std::string& text) { return static_cast<int64_t>(text::decode_utf8(text).size()); }

}  // namespace

SquadDataset read_squad_file(const std::string& path) {
  const Json root = read_json_file(path);
  SquadDataset dataset;
  dataset.path = path;
  if (root.is_object() && root.contains("version")) {
    JPQD_CHECK(root["version"].is_string(), FormatError, path, ": not SQuAD JSON: \"version\" should be a string");
    dataset.version = root["version"].get<std::string>();
  }
  const Json& articles = array_member(root, "data", path);
  std::unordered_set<std::string> ids;
  for (size_t a = 0; a < articles.size(); ++a) {
    const std::string where_article = str_cat(path, ": data[", a, "]");
    const Json& article = articles[a];
    std::string title;
    if (article.is_object() && article.contains("title")) title = string_member(article, "title", where_article);
    const Json& paragraphs = array_member(article, "paragraphs", where_article);
    for (size_t p = 0; p < paragraphs.size(); ++p) {
      const std::string where_paragraph = str_cat(where_article, ".paragraphs[", p, "]");
      const std::string context = string_member(paragraphs[p], "context", where_paragraph);
      const std::vector<int64_t> cp_offsets = code_point_offsets(context);
      const auto context_chars = static_cast<int64_t>(cp_offsets.size()) - 1;
      const Json& qas = array_member(paragraphs[p], "qas", where_paragraph);
      for (size_t q = 0; q < qas.size(); ++q) {
        const std::string where_qa = str_cat(where_paragraph, ".qas[", q, "]");
        SquadExample ex;
        ex.id = string_member(qas[q], "id", where_qa);
        const std::string where = str_cat(path, ": question \"", ex.id, "\"");
        JPQD_CHECK(ids.insert(ex.id).second, FormatError, where, ": duplicate question id");
        ex.question = string_member(qas[q], "question", where);
        ex.title = title;
        ex.context = context;
        ex.article = static_cast<int64_t>(a);
        const Json& answers = array_member(qas[q], "answers", where);
        JPQD_CHECK(!answers.empty(), FormatError, where,
                   ": no answers (unanswerable SQuAD v2 questions are not supported)");
        for (size_t k = 0; k < answers.size(); ++k) {
          const std::string where_answer = str_cat(where, " answer ", k);
          SquadAnswer answer;
          answer.text = string_member(answers[k], "text", where_answer);
          const Json& start = member(answers[k], "answer_start", where_answer, &Json::is_number_integer, "an integer");
          answer.answer_start = start.get<int64_t>();
          const int64_t chars = code_point_count(answer.text);
          // Written without answer_start + chars, which overflows for an answer_start near 2^63.
          JPQD_CHECK(answer.answer_start >= 0 && answer.answer_start <= context_chars - chars, FormatError, where_answer,
                     ": answer_start ", answer.answer_start, " + ", chars, " characters is outside the context (",
                     context_chars, " characters)");
          const int64_t begin = cp_offsets[static_cast<size_t>(answer.answer_start)];
          const int64_t end = cp_offsets[static_cast<size_t>(answer.answer_start + chars)];
          const std::string found = context.substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
          JPQD_CHECK(found == answer.text, FormatError, where_answer, ": text \"", answer.text,
                     "\" does not match the context at answer_start ", answer.answer_start, " (context has \"", found,
                     "\")");
          answer.byte_start = begin;
          ex.answers.push_back(std::move(answer));
        }
        dataset.examples.push_back(std::move(ex));
      }
    }
  }
  dataset.num_articles = static_cast<int64_t>(articles.size());
  JPQD_CHECK(!dataset.examples.empty(), FormatError, path, ": no questions (empty dataset)");
  return dataset;
}

SquadSplit split_squad_by_article(const SquadDataset& dataset, int64_t first_articles) {
  JPQD_CHECK(first_articles >= 1 && first_articles < dataset.num_articles, InvalidArgument, dataset.path,
             ": cannot split ", dataset.num_articles, " articles after the first ", first_articles,
             " (both parts must keep at least one article)");
  SquadSplit split;
  for (SquadDataset* part : {&split.first, &split.rest}) {
    part->path = dataset.path;
    part->version = dataset.version;
  }
  split.first.num_articles = first_articles;
  split.rest.num_articles = dataset.num_articles - first_articles;
  for (const auto& ex : dataset.examples) (ex.article < first_articles ? split.first : split.rest).examples.push_back(ex);
  return split;
}

}  // namespace jpqd::data
