#include "text/pipeline/tokenizer_files.h"

#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "common/json_util.h"
#include "text/pipeline/sentencepiece_model.h"
#include "text/pipeline/tokenizer_json.h"
#include "text/vocab.h"

namespace jpqd::text::pipeline {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> token_setting(const Json& json, const char* key, const std::string& where) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  const Json& v = json[key];
  if (v.is_string()) return v.get<std::string>();
  JPQD_CHECK(v.is_object() && v.contains("content") && v["content"].is_string(), InvalidArgument, where, ": \"", key,
             "\" must be a string or {\"content\": ...}");
  return v["content"].get<std::string>();
}

std::optional<bool> bool_setting(const Json& json, const char* key, const std::string& where) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  return get_bool(json, key, where);
}

AddedToken special(int64_t id, const std::string& content, bool lstrip = false) {
  AddedToken t;
  t.id = id;
  t.content = content;
  t.special = true;
  t.normalized = false;
  t.lstrip = lstrip;
  return t;
}

}  // namespace

const std::vector<std::string>& tokenizer_file_names() {
  static const std::vector<std::string> names{"tokenizer.json",  "tokenizer_config.json",   "special_tokens_map.json",
                                              "added_tokens.json", "vocab.txt",             "vocab.json",
                                              "merges.txt",      "sentencepiece.bpe.model"};
  return names;
}

TokenizerFiles read_tokenizer_files(const std::string& dir) {
  JPQD_CHECK(fs::is_directory(dir), IoError, dir, ": not a directory (expected a tokenizer directory)");
  TokenizerFiles files;
  files.where = dir;
  for (const std::string& name : tokenizer_file_names()) {
    const fs::path path = fs::path(dir) / name;
    if (!fs::exists(path)) continue;
    const std::vector<char> bytes = read_binary_file(path.string());
    files.contents[name] = std::string(bytes.begin(), bytes.end());
  }
  return files;
}

TokenizerConfig read_tokenizer_config(const std::string& dir) { return read_tokenizer_config(read_tokenizer_files(dir)); }

TokenizerConfig read_tokenizer_config(const TokenizerFiles& files) {
  TokenizerConfig config;
  if (!files.has("tokenizer_config.json")) return config;
  const std::string path = files.path("tokenizer_config.json");
  const Json json = parse_json(files.at("tokenizer_config.json"), path);
  JPQD_CHECK(json.is_object(), FormatError, path, ": expected a JSON object");
  // transformers writes a huge integer (1e30) when a model sets no limit: treat it as none.
  if (json.contains("model_max_length") && json["model_max_length"].is_number()) {
    const double limit = json["model_max_length"].get<double>();
    if (limit > 0 && limit < 1e12) config.model_max_length = static_cast<int64_t>(limit);
  }
  config.do_lower_case = bool_setting(json, "do_lower_case", path);
  config.strip_accents = bool_setting(json, "strip_accents", path);
  config.tokenize_chinese_chars = bool_setting(json, "tokenize_chinese_chars", path);
  config.add_prefix_space = bool_setting(json, "add_prefix_space", path);
  if (json.contains("padding_side")) config.padding_side = get_string(json, "padding_side", path);
  config.pad_token = token_setting(json, "pad_token", path);
  config.unk_token = token_setting(json, "unk_token", path);
  config.cls_token = token_setting(json, "cls_token", path);
  config.sep_token = token_setting(json, "sep_token", path);
  config.mask_token = token_setting(json, "mask_token", path);
  config.bos_token = token_setting(json, "bos_token", path);
  config.eos_token = token_setting(json, "eos_token", path);
  return config;
}

TokenizerPipeline bert_pipeline_from_vocab_file(const std::string& vocab_path, const TokenizerConfig& config) {
  return bert_pipeline_from_vocab(read_text_file(vocab_path), config, vocab_path);
}

TokenizerPipeline bert_pipeline_from_vocab(const std::string& vocab_txt, const TokenizerConfig& config,
                                           const std::string& vocab_path) {
  const Vocab vocab = Vocab::from_text(vocab_txt, vocab_path);
  std::vector<std::pair<std::string, int64_t>> entries;
  for (int64_t id = 0; id < vocab.size(); ++id) entries.emplace_back(vocab.token(id), id);
  const auto id_of = [&](const std::string& token) {
    const auto id = vocab.find(token);
    JPQD_CHECK(id.has_value(), FormatError, vocab_path, ": has no \"", token, "\" token");
    return *id;
  };
  const std::string unk = config.unk_token.value_or("[UNK]"), sep = config.sep_token.value_or("[SEP]"),
                    cls = config.cls_token.value_or("[CLS]"), pad = config.pad_token.value_or("[PAD]"),
                    mask = config.mask_token.value_or("[MASK]");
  PipelineParts parts;
  const bool lowercase = config.do_lower_case.value_or(true);
  parts.normalizer = make_bert_normalizer(true, config.tokenize_chinese_chars.value_or(true), config.strip_accents, lowercase);
  parts.pre_tokenizer = make_bert_pre_tokenizer();
  WordPieceOptions options;
  options.unk_token = unk;
  parts.model = make_wordpiece_model(Vocabulary(entries, vocab_path), options, vocab_path);
  parts.post_processor = make_bert_processing({sep, id_of(sep)}, {cls, id_of(cls)});
  for (const std::string& token : {pad, unk, cls, sep, mask}) {
    if (vocab.find(token)) parts.added_tokens.push_back(special(*vocab.find(token), token));
  }
  return TokenizerPipeline(std::move(parts));
}

TokenizerPipeline roberta_pipeline_from_files(const TokenizerFiles& files, const TokenizerConfig& config) {
  const std::string vocab_json = files.path("vocab.json"), merges_txt = files.path("merges.txt");
  const Json vocab_object = parse_json(files.at("vocab.json"), vocab_json);
  JPQD_CHECK(vocab_object.is_object(), FormatError, vocab_json, ": expected an object of token: id");
  std::vector<std::pair<std::string, int64_t>> entries;
  for (const auto& item : vocab_object.items()) {
    JPQD_CHECK(item.value().is_number_integer(), FormatError, vocab_json, ": id of \"", item.key(), "\" is not an integer");
    entries.emplace_back(item.key(), item.value().get<int64_t>());
  }
  Vocabulary vocab(entries, vocab_json);
  // As transformers' RobertaTokenizer reads merges.txt: the first line (the "#version" header) and
  // whatever follows the last newline are not merges.
  const std::string& text = files.at("merges.txt");
  std::vector<std::pair<std::string, std::string>> merges;
  size_t line_start = text.find('\n');
  size_t line_number = 2;
  while (line_start != std::string::npos) {
    const size_t next = text.find('\n', line_start + 1);
    if (next == std::string::npos) break;
    std::string line = text.substr(line_start + 1, next - line_start - 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t space = line.find(' ');
    JPQD_CHECK(space != std::string::npos && space > 0 && line.find(' ', space + 1) == std::string::npos &&
                   space + 1 < line.size(),
               FormatError, merges_txt, ": line ", line_number, " is not two tokens separated by a space: \"", line, "\"");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    line_start = next;
    ++line_number;
  }
  const auto id_of = [&](const std::string& token) {
    const auto id = vocab.find(token);
    JPQD_CHECK(id.has_value(), FormatError, vocab_json, ": has no special token \"", token, "\"");
    return *id;
  };
  const std::string bos = config.bos_token.value_or("<s>"), eos = config.eos_token.value_or("</s>"),
                    unk = config.unk_token.value_or("<unk>"), sep = config.sep_token.value_or("</s>"),
                    pad = config.pad_token.value_or("<pad>"), cls = config.cls_token.value_or("<s>"),
                    mask = config.mask_token.value_or("<mask>");
  PipelineParts parts;
  const bool add_prefix_space = config.add_prefix_space.value_or(false);
  parts.pre_tokenizer = make_byte_level_pre_tokenizer(add_prefix_space, true);
  parts.post_processor = make_roberta_processing({sep, id_of(sep)}, {cls, id_of(cls)});
  for (const std::string& token : {bos, eos, unk, sep, pad, cls}) parts.added_tokens.push_back(special(id_of(token), token));
  parts.added_tokens.push_back(special(id_of(mask), mask, /*lstrip=*/true));
  try {
    parts.model = make_bpe_model(std::move(vocab), merges, BpeOptions{}, merges_txt);
  } catch (const InvalidArgument& e) {
    throw FormatError(e.what());  // a merge naming an unknown token: the files do not belong together
  }
  return TokenizerPipeline(std::move(parts));
}

TokenizerPipeline xlm_roberta_pipeline_from_model(const std::string& model_path) {
  const std::vector<char> bytes = read_binary_file(model_path);
  return xlm_roberta_pipeline_from_model(std::string(bytes.begin(), bytes.end()), model_path);
}

TokenizerPipeline xlm_roberta_pipeline_from_model(const std::string& model_bytes, const std::string& model_path) {
  const SentencePieceModel spm = parse_sentencepiece_model(model_bytes, model_path);
  JPQD_CHECK(spm.model_type == 1, InvalidArgument, model_path, ": SentencePiece model type ", spm.model_type,
             " is not supported for XLM-R (only 1, Unigram)");
  JPQD_CHECK(spm.pieces.size() > 3, FormatError, model_path, ": has only ", spm.pieces.size(), " pieces");
  // fairseq's dictionary puts <s> <pad> </s> <unk> first and shifts SentencePiece's ids by one
  // (SentencePiece's own first three are <unk> <s> </s>).
  std::vector<UnigramPiece> pieces{{"<s>", 0.0}, {"<pad>", 0.0}, {"</s>", 0.0}, {"<unk>", 0.0}};
  for (size_t k = 3; k < spm.pieces.size(); ++k) pieces.push_back({spm.pieces[k].piece, static_cast<double>(spm.pieces[k].score)});
  pieces.push_back({"<mask>", 0.0});
  const int64_t mask_id = static_cast<int64_t>(pieces.size()) - 1;
  PipelineParts parts;
  // What SpmConverter writes into tokenizer.json: the model's own normalization rules, then trailing
  // spaces stripped and runs of spaces made one "▁".
  std::vector<NormalizerPtr> steps;
  if (!spm.precompiled_charsmap.empty()) steps.push_back(make_precompiled_normalizer(spm.precompiled_charsmap, model_path));
  steps.push_back(normalizer_from_json(Json{{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}}, model_path));
  steps.push_back(normalizer_from_json(
      Json{{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", "\u2581"}}, model_path));
  parts.normalizer = make_sequence_normalizer(std::move(steps));
  parts.pre_tokenizer = make_metaspace_pre_tokenizer("\u2581", "always", true);
  parts.model = make_unigram_model(std::move(pieces), 3, spm.byte_fallback, model_path);
  parts.post_processor = post_processor_from_json(
      Json{{"type", "TemplateProcessing"},
           {"single", Json::array({Json{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                   Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                   Json{{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}})},
           {"pair", Json::array({Json{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                 Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                 Json{{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}},
                                 Json{{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}},
                                 Json{{"Sequence", {{"id", "B"}, {"type_id", 0}}}},
                                 Json{{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}})},
           {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {0}}, {"tokens", {"<s>"}}}},
                               {"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}}}}},
      model_path);
  parts.added_tokens = {special(0, "<s>"), special(1, "<pad>"), special(2, "</s>"), special(3, "<unk>"),
                        special(mask_id, "<mask>", /*lstrip=*/true)};
  return TokenizerPipeline(std::move(parts));
}

LoadedTokenizer load_tokenizer(const std::string& dir) { return load_tokenizer(read_tokenizer_files(dir)); }

LoadedTokenizer load_tokenizer(const TokenizerFiles& files) {
  TokenizerConfig config = read_tokenizer_config(files);
  if (files.has("tokenizer.json")) {
    const std::string path = files.path("tokenizer.json");
    return {tokenizer_from_json(parse_json(files.at("tokenizer.json"), path), path), config, path};
  }
  if (files.has("vocab.json") && files.has("merges.txt")) {
    return {roberta_pipeline_from_files(files, config), config, files.path("vocab.json")};
  }
  if (files.has("sentencepiece.bpe.model")) {
    const std::string path = files.path("sentencepiece.bpe.model");
    return {xlm_roberta_pipeline_from_model(files.at("sentencepiece.bpe.model"), path), config, path};
  }
  if (files.has("vocab.txt")) {
    const std::string path = files.path("vocab.txt");
    return {bert_pipeline_from_vocab(files.at("vocab.txt"), config, path), config, path};
  }
  throw IoError(str_cat(files.where, ": no tokenizer.json, vocab.json + merges.txt, sentencepiece.bpe.model or vocab.txt"));
}

}  // namespace jpqd::text::pipeline
