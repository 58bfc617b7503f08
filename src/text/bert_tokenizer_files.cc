// BertTokenizer::from_directory and save: the files HF reads and writes for a BERT tokenizer.
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/file_io.h"
#include "common/json_util.h"
#include "text/bert_tokenizer.h"
#include "text/special_tokens.h"

namespace jpqd::text {
namespace {

constexpr const char* kVocabFile = "vocab.txt";
constexpr const char* kConfigFile = "tokenizer_config.json";
constexpr const char* kSpecialTokensMapFile = "special_tokens_map.json";
constexpr const char* kAddedTokensFile = "added_tokens.json";

std::string join(const std::string& dir, const char* name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

// model_max_length is often HF's VERY_LARGE_INTEGER (1e30, beyond int64) meaning "no limit".
int64_t read_max_length(const Json& value, const std::string& where) {
  JPQD_CHECK(value.is_number(), InvalidArgument, where, ": expected a number, got ", value.dump());
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::numeric_limits<int64_t>::max();
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    JPQD_CHECK(std::isfinite(d) && d == std::floor(d), InvalidArgument, where, ": expected an integer, got ", value.dump());
    if (d >= 9.2e18) return std::numeric_limits<int64_t>::max();
    if (d <= -9.2e18) return std::numeric_limits<int64_t>::min();  // casting it would be undefined; rejected later
    return static_cast<int64_t>(d);
  }
  return value.get<int64_t>();
}

// Special tokens are plain strings or serialized AddedToken objects ({"content": ...}).
std::string token_content(const Json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  JPQD_CHECK(value.is_object() && value.contains("content") && value["content"].is_string(), InvalidArgument, where,
             ": expected a token string or an object with \"content\", got ", value.dump());
  return value["content"].get<std::string>();
}

// What we cannot honour must stop loading rather than tokenize differently from HF.
void reject_unsupported(const Json& config, const std::string& path, const Vocab& vocab) {
  if (config.contains("do_basic_tokenize")) {
    JPQD_CHECK(get_bool(config, "do_basic_tokenize", path), InvalidArgument, path,
               ": do_basic_tokenize=false is not supported");
  }
  if (config.contains("never_split") && !config["never_split"].is_null()) {
    JPQD_CHECK(config["never_split"].is_array() && config["never_split"].empty(), InvalidArgument, path,
               ": a custom never_split list is not supported, got ", config["never_split"].dump());
  }
  const std::pair<const char*, const char*> specials[] = {{"unk_token", kUnkToken}, {"sep_token", kSepToken},
                                                          {"pad_token", kPadToken}, {"cls_token", kClsToken},
                                                          {"mask_token", kMaskToken}};
  for (const auto& [key, expected] : specials) {
    if (!config.contains(key) || config[key].is_null()) continue;
    const std::string content = token_content(config[key], path + "." + key);
    JPQD_CHECK(content == expected, InvalidArgument, path, ".", key, ": custom special token \"", content,
               "\" is not supported (expected \"", expected, "\")");
  }
  if (config.contains("additional_special_tokens") && !config["additional_special_tokens"].is_null()) {
    JPQD_CHECK(config["additional_special_tokens"].is_array() && config["additional_special_tokens"].empty(),
               InvalidArgument, path, ": additional_special_tokens are not supported, got ",
               config["additional_special_tokens"].dump());
  }
  if (config.contains("added_tokens_decoder")) {
    const Json& added = config["added_tokens_decoder"];
    JPQD_CHECK(added.is_object(), InvalidArgument, path, ".added_tokens_decoder: expected an object");
    for (const auto& item : added.items()) {
      const std::string content = token_content(item.value(), path + ".added_tokens_decoder." + item.key());
      bool standard = false;
      for (const char* s : kSpecialTokens) standard = standard || content == s;
      const auto id = vocab.find(content);
      JPQD_CHECK(standard && id && std::to_string(*id) == item.key(), InvalidArgument, path,
                 ".added_tokens_decoder: added token \"", content, "\" (id ", item.key(),
                 ") is not supported; only BERT's own special tokens at their vocab.txt ids are");
    }
  }
}

TokenizerOptions read_options(const std::string& path, const Vocab& vocab) {
  const Json config = read_json_file(path);
  JPQD_CHECK(config.is_object(), FormatError, path, ": expected a JSON object, got ", config.type_name());
  reject_unsupported(config, path, vocab);
  TokenizerOptions options;
  if (config.contains("do_lower_case")) options.do_lower_case = get_bool(config, "do_lower_case", path);
  if (config.contains("strip_accents") && !config["strip_accents"].is_null()) {
    options.strip_accents = get_bool(config, "strip_accents", path);
  }
  if (config.contains("tokenize_chinese_chars")) {
    options.tokenize_chinese_chars = get_bool(config, "tokenize_chinese_chars", path);
  }
  const char* length_key = config.contains("model_max_length") ? "model_max_length"
                           : config.contains("max_len")         ? "max_len"
                                                                : nullptr;
  if (length_key) {
    options.model_max_length = read_max_length(config[length_key], path + "." + length_key);
    JPQD_CHECK(options.model_max_length > 0, InvalidArgument, path, ".", length_key, ": must be positive, got ",
               options.model_max_length);
  }
  return options;
}

}  // namespace

BertTokenizer BertTokenizer::from_directory(const std::string& dir) {
  // A path to vocab.txt itself is accepted too; the config is then looked for beside it.
  std::string base = dir;
  std::string vocab_path;
  if (file_exists(dir) && !is_directory(dir)) {
    vocab_path = dir;
    const size_t slash = dir.find_last_of('/');
    base = slash == std::string::npos ? "." : dir.substr(0, slash);
  } else {
    JPQD_CHECK(is_directory(dir), IoError, dir, ": tokenizer directory does not exist");
    vocab_path = join(dir, kVocabFile);
    JPQD_CHECK(file_exists(vocab_path), IoError, vocab_path, ": missing (a BERT tokenizer needs vocab.txt)");
  }
  Vocab vocab = Vocab::from_file(vocab_path);

  const std::string added_path = join(base, kAddedTokensFile);
  if (file_exists(added_path)) {
    const Json added = read_json_file(added_path);
    JPQD_CHECK(added.is_object() && added.empty(), InvalidArgument, added_path, ": added tokens are not supported");
  }
  const std::string config_path = join(base, kConfigFile);
  TokenizerOptions options = file_exists(config_path) ? read_options(config_path, vocab) : TokenizerOptions{};
  return BertTokenizer(std::move(vocab), options);
}

void BertTokenizer::save(const std::string& dir) const {
  ensure_writable_directory(dir);
  std::string vocab_text;
  for (const std::string& token : vocab_.tokens()) {
    vocab_text += token;
    vocab_text += '\n';
  }

  Json special_map = {{"unk_token", kUnkToken}, {"sep_token", kSepToken}, {"pad_token", kPadToken},
                      {"cls_token", kClsToken}, {"mask_token", kMaskToken}};
  Json config = special_map;
  config["tokenizer_class"] = "BertTokenizer";
  config["do_lower_case"] = options_.do_lower_case;
  config["do_basic_tokenize"] = true;
  config["never_split"] = nullptr;
  config["strip_accents"] = options_.strip_accents ? Json(*options_.strip_accents) : Json(nullptr);
  config["tokenize_chinese_chars"] = options_.tokenize_chinese_chars;
  config["model_max_length"] = options_.model_max_length;
  config["clean_up_tokenization_spaces"] = true;

  // Each file is replaced atomically: a crash never leaves a truncated file under a final name.
  write_file_atomically(join(dir, kSpecialTokensMapFile), special_map.dump(2) + "\n");
  write_file_atomically(join(dir, kConfigFile), config.dump(2) + "\n");
  write_file_atomically(join(dir, kVocabFile), vocab_text);
}

}  // namespace jpqd::text
