// A tokenizer directory as transformers' AutoTokenizer reads it, for the fast tokenizer:
//   tokenizer.json                     the pipeline itself;
//   vocab.json + merges.txt            byte-level BPE as RobertaTokenizerFast builds it (ByteLevel
//                                      pre-tokenizer, RobertaProcessing, <mask> with lstrip);
//   sentencepiece.bpe.model            XLM-R: the SentencePiece Unigram model with fairseq's ids
//                                      (<s>=0 <pad>=1 </s>=2 <unk>=3, SentencePiece ids + 1,
//                                      <mask> last), as XLMRobertaConverter builds it;
//   vocab.txt                          BERT WordPiece, as BertTokenizerFast builds it;
// in that order of preference, plus tokenizer_config.json when present.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "text/pipeline/tokenizer_pipeline.h"

namespace jpqd::text::pipeline {

// What tokenizer_config.json says that encoding needs (other keys are ignored).
struct TokenizerConfig {
  std::optional<int64_t> model_max_length;
  std::optional<bool> do_lower_case;
  std::optional<bool> strip_accents;
  std::optional<bool> tokenize_chinese_chars;
  std::optional<bool> add_prefix_space;
  std::optional<std::string> padding_side;
  // Special tokens by role (pad_token, unk_token, ...), given as strings or {"content": ...}.
  std::optional<std::string> pad_token, unk_token, cls_token, sep_token, mask_token, bos_token, eos_token;
};
// The files of a tokenizer, by name, with their bytes. Held in memory so that checkpoints and model
// files carry them unchanged and every stage builds the same pipeline from them.
struct TokenizerFiles {
  std::string where;  // the directory (or model file) they came from, for messages
  std::map<std::string, std::string> contents;

  bool has(const std::string& name) const { return contents.count(name) > 0; }
  const std::string& at(const std::string& name) const { return contents.at(name); }
  std::string path(const std::string& name) const { return where + "/" + name; }
};
// The names a tokenizer directory may hold, as transformers saves them.
const std::vector<std::string>& tokenizer_file_names();
// Those of tokenizer_file_names() that exist in `dir`. IoError when `dir` is not a directory.
TokenizerFiles read_tokenizer_files(const std::string& dir);

// Empty when there is no tokenizer_config.json; FormatError/InvalidArgument naming it otherwise.
TokenizerConfig read_tokenizer_config(const TokenizerFiles& files);
TokenizerConfig read_tokenizer_config(const std::string& dir);

struct LoadedTokenizer {
  TokenizerPipeline pipeline;
  TokenizerConfig config;
  std::string source;  // the file the pipeline came from
};
// Throws IoError naming the directory and the files looked for when none is there.
LoadedTokenizer load_tokenizer(const TokenizerFiles& files);
LoadedTokenizer load_tokenizer(const std::string& dir);

// The pipeline BertTokenizerFast builds from a vocab.txt (config gives the casing options).
TokenizerPipeline bert_pipeline_from_vocab(const std::string& vocab_txt, const TokenizerConfig& config,
                                           const std::string& where);
TokenizerPipeline bert_pipeline_from_vocab_file(const std::string& vocab_path, const TokenizerConfig& config);
// RobertaTokenizerFast from vocab.json and merges.txt (their contents; the names are for messages).
TokenizerPipeline roberta_pipeline_from_files(const TokenizerFiles& files, const TokenizerConfig& config);
// XLMRobertaTokenizerFast from sentencepiece.bpe.model.
TokenizerPipeline xlm_roberta_pipeline_from_model(const std::string& model_bytes, const std::string& where);
TokenizerPipeline xlm_roberta_pipeline_from_model(const std::string& model_path);

}  // namespace jpqd::text::pipeline
