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
// Empty when `dir` has no tokenizer_config.json; FormatError/InvalidArgument naming it otherwise.
TokenizerConfig read_tokenizer_config(const std::string& dir);

struct LoadedTokenizer {
  TokenizerPipeline pipeline;
  TokenizerConfig config;
  std::string source;  // the file the pipeline came from
};
// Throws IoError naming `dir` and the files looked for when none is there.
LoadedTokenizer load_tokenizer(const std::string& dir);

// The pipeline BertTokenizerFast builds from a vocab.txt (config gives the casing options).
TokenizerPipeline bert_pipeline_from_vocab_file(const std::string& vocab_path, const TokenizerConfig& config);
// RobertaTokenizerFast from vocab.json and merges.txt.
TokenizerPipeline roberta_pipeline_from_files(const std::string& vocab_json, const std::string& merges_txt,
                                              const TokenizerConfig& config);
// XLMRobertaTokenizerFast from sentencepiece.bpe.model.
TokenizerPipeline xlm_roberta_pipeline_from_model(const std::string& model_path);

}  // namespace jpqd::text::pipeline
