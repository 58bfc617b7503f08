// The "model" object of tokenizer.json.
#include "common/error.h"
#include "text/pipeline/models.h"

namespace jpqd::text::pipeline {
namespace {

Vocabulary vocabulary_from_json(const Json& json, const std::string& at) {
  JPQD_CHECK(json.contains("vocab") && json["vocab"].is_object(), InvalidArgument, at,
             ": \"vocab\" must be an object of token: id");
  std::vector<std::pair<std::string, int64_t>> entries;
  entries.reserve(json["vocab"].size());
  for (const auto& item : json["vocab"].items()) {
    JPQD_CHECK(item.value().is_number_integer(), InvalidArgument, at, ": vocab id of \"", item.key(),
               "\" is not an integer");
    entries.emplace_back(item.key(), item.value().get<int64_t>());
  }
  return Vocabulary(entries, at);
}

std::optional<std::string> optional_string(const Json& json, const char* key, const std::string& at) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  return get_string(json, key, at);
}

bool bool_or(const Json& json, const char* key, bool fallback, const std::string& at) {
  return json.contains(key) && !json[key].is_null() ? get_bool(json, key, at) : fallback;
}

// Merges are "a b" strings in older files and ["a", "b"] pairs in newer ones.
std::vector<std::pair<std::string, std::string>> merges_from_json(const Json& json, const std::string& at) {
  JPQD_CHECK(json.contains("merges") && json["merges"].is_array(), InvalidArgument, at, ": \"merges\" must be an array");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(json["merges"].size());
  for (const Json& m : json["merges"]) {
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const size_t space = s.find(' ');
      JPQD_CHECK(space != std::string::npos && s.find(' ', space + 1) == std::string::npos, InvalidArgument, at,
                 ": merge \"", s, "\" is not two tokens separated by one space");
      merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else {
      JPQD_CHECK(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string(), InvalidArgument, at,
                 ": merge ", m.dump(), " is not a pair of strings");
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    }
  }
  return merges;
}

// Files written by old versions of tokenizers have no "type"; tell the models apart by their keys.
std::string model_type(const Json& json) {
  if (json.contains("type")) return json["type"].is_string() ? json["type"].get<std::string>() : json["type"].dump();
  if (json.contains("merges")) return "BPE";
  if (json.contains("vocab") && json["vocab"].is_array()) return "Unigram";
  if (json.contains("max_input_chars_per_word")) return "WordPiece";
  return "WordLevel";
}

}  // namespace

ModelPtr model_from_json(const Json& json, const std::string& where) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": \"model\" must be an object");
  const std::string type = model_type(json);
  const std::string at = str_cat(where, ": model ", type);
  if (type == "WordPiece") {
    WordPieceOptions options;
    options.unk_token = optional_string(json, "unk_token", at).value_or(options.unk_token);
    options.continuing_subword_prefix =
        optional_string(json, "continuing_subword_prefix", at).value_or(options.continuing_subword_prefix);
    if (json.contains("max_input_chars_per_word")) {
      options.max_input_chars_per_word = get_int(json, "max_input_chars_per_word", at);
    }
    return make_wordpiece_model(vocabulary_from_json(json, at), options, at);
  }
  if (type == "BPE") {
    BpeOptions options;
    options.unk_token = optional_string(json, "unk_token", at);
    options.continuing_subword_prefix = optional_string(json, "continuing_subword_prefix", at);
    options.end_of_word_suffix = optional_string(json, "end_of_word_suffix", at);
    options.fuse_unk = bool_or(json, "fuse_unk", false, at);
    options.byte_fallback = bool_or(json, "byte_fallback", false, at);
    options.ignore_merges = bool_or(json, "ignore_merges", false, at);
    // "dropout" only matters in training; encoding for inference never drops merges.
    return make_bpe_model(vocabulary_from_json(json, at), merges_from_json(json, at), options, at);
  }
  if (type == "Unigram") {
    JPQD_CHECK(json.contains("vocab") && json["vocab"].is_array(), InvalidArgument, at,
               ": \"vocab\" must be an array of [piece, score]");
    std::vector<UnigramPiece> pieces;
    pieces.reserve(json["vocab"].size());
    for (const Json& entry : json["vocab"]) {
      JPQD_CHECK(entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_number(),
                 InvalidArgument, at, ": vocab entry ", entry.dump().substr(0, 100), " is not [piece, score]");
      pieces.push_back({entry[0].get<std::string>(), entry[1].get<double>()});
    }
    std::optional<int64_t> unk_id;
    if (json.contains("unk_id") && !json["unk_id"].is_null()) unk_id = get_int(json, "unk_id", at);
    return make_unigram_model(std::move(pieces), unk_id, bool_or(json, "byte_fallback", false, at), at);
  }
  if (type == "WordLevel") {
    return make_wordlevel_model(vocabulary_from_json(json, at),
                                optional_string(json, "unk_token", at).value_or("[UNK]"), at);
  }
  throw InvalidArgument(
      str_cat(where, ": unsupported model type \"", type, "\" (supported: WordPiece, BPE, Unigram, WordLevel)"));
}

}  // namespace jpqd::text::pipeline
