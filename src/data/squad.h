// SQuAD v1.1 JSON (data -> paragraphs -> qas), flattened to one example per question as HF
// datasets' "squad" script does. Strict: anything that is not SQuAD JSON, a duplicate question id,
// a question without answers (SQuAD v2 is not supported), or an answer whose text is not
// context[answer_start : answer_start + len(text)] is a FormatError naming the file and question.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jpqd::data {

struct SquadAnswer {
  std::string text;
  int64_t answer_start = 0;  // as in the file: CHARACTERS (code points) of the Python string
  int64_t byte_start = 0;    // the same position as a byte offset into the UTF-8 context
};

struct SquadExample {
  std::string id;
  std::string title;
  std::string context;
  std::string question;
  std::vector<SquadAnswer> answers;
  int64_t article = 0;  // index of the article in the file
};

struct SquadDataset {
  std::string path;
  std::string version;  // "" when the file has no "version"
  int64_t num_articles = 0;
  std::vector<SquadExample> examples;
};

SquadDataset read_squad_file(const std::string& path);

// Training on part of the dev file: the first `first_articles` articles and the rest (both
// non-empty; InvalidArgument otherwise). Article indices keep their values from the file.
struct SquadSplit {
  SquadDataset first;
  SquadDataset rest;
};
SquadSplit split_squad_by_article(const SquadDataset& dataset, int64_t first_articles);

}  // namespace jpqd::data
