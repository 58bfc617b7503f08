#include "text/pipeline/tokenizer_json.h"

#include "common/error.h"

namespace jpqd::text::pipeline {
namespace {

std::vector<AddedToken> added_tokens_from_json(const Json& json, const std::string& where) {
  std::vector<AddedToken> tokens;
  if (!json.contains("added_tokens") || json["added_tokens"].is_null()) return tokens;
  JPQD_CHECK(json["added_tokens"].is_array(), InvalidArgument, where, ": \"added_tokens\" must be an array");
  for (const Json& t : json["added_tokens"]) {
    const std::string at = str_cat(where, ": added token ", t.dump().substr(0, 100));
    AddedToken token;
    token.id = get_int(t, "id", at);
    token.content = get_string(t, "content", at);
    const auto flag = [&](const char* key, bool fallback) {
      return t.contains(key) && !t[key].is_null() ? get_bool(t, key, at) : fallback;
    };
    token.special = flag("special", false);
    token.single_word = flag("single_word", false);
    token.lstrip = flag("lstrip", false);
    token.rstrip = flag("rstrip", false);
    token.normalized = flag("normalized", !token.special);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

Direction direction_from_json(const Json& json, const std::string& at) {
  if (!json.contains("direction")) return Direction::kRight;
  const std::string d = get_string(json, "direction", at);
  JPQD_CHECK(d == "Right" || d == "Left", InvalidArgument, at, ": direction \"", d, "\" is not Right or Left");
  return d == "Left" ? Direction::kLeft : Direction::kRight;
}

std::optional<TruncationParams> truncation_from_json(const Json& json, const std::string& where) {
  if (!json.contains("truncation") || json["truncation"].is_null()) return std::nullopt;
  const Json& t = json["truncation"];
  const std::string at = str_cat(where, ": truncation");
  TruncationParams params;
  params.max_length = static_cast<size_t>(get_int(t, "max_length", at));
  const std::string strategy = t.contains("strategy") ? get_string(t, "strategy", at) : "LongestFirst";
  if (strategy == "LongestFirst") {
    params.strategy = TruncationStrategy::kLongestFirst;
  } else if (strategy == "OnlyFirst") {
    params.strategy = TruncationStrategy::kOnlyFirst;
  } else if (strategy == "OnlySecond") {
    params.strategy = TruncationStrategy::kOnlySecond;
  } else {
    throw InvalidArgument(str_cat(at, ": unknown strategy \"", strategy, "\""));
  }
  params.direction = direction_from_json(t, at);
  JPQD_CHECK(!t.contains("stride") || get_int(t, "stride", at) == 0, InvalidArgument, at,
             ": stride (overflowing windows) is not supported");
  return params;
}

// A padded length (or multiple) beyond 2^20 tokens is no model's input: it would only ask for gigabytes.
size_t padding_length(const Json& json, const char* key, const std::string& at) {
  const int64_t length = get_int(json, key, at);
  JPQD_CHECK(length >= 0 && length <= (int64_t{1} << 20), InvalidArgument, at, ": ", key, " ", length,
             " is outside [0, 2^20]");
  return static_cast<size_t>(length);
}

std::optional<PaddingParams> padding_from_json(const Json& json, const std::string& where) {
  if (!json.contains("padding") || json["padding"].is_null()) return std::nullopt;
  const Json& p = json["padding"];
  const std::string at = str_cat(where, ": padding");
  PaddingParams params;
  if (p.contains("strategy") && p["strategy"].is_object() && p["strategy"].contains("Fixed")) {
    params.to_longest = false;
    params.length = padding_length(p["strategy"], "Fixed", at);
  }
  params.direction = direction_from_json(p, at);
  if (p.contains("pad_to_multiple_of") && !p["pad_to_multiple_of"].is_null()) {
    params.pad_to_multiple_of = padding_length(p, "pad_to_multiple_of", at);
  }
  if (p.contains("pad_id")) params.pad_id = get_int(p, "pad_id", at);
  if (p.contains("pad_type_id")) params.pad_type_id = get_int(p, "pad_type_id", at);
  if (p.contains("pad_token")) params.pad_token = get_string(p, "pad_token", at);
  return params;
}

const Json& member_or_null(const Json& json, const char* key) {
  static const Json kNull;
  return json.contains(key) ? json[key] : kNull;
}

}  // namespace

TokenizerPipeline tokenizer_from_json(const Json& json, const std::string& where) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": expected a JSON object");
  JPQD_CHECK(json.contains("model"), InvalidArgument, where, ": missing \"model\"");
  PipelineParts parts;
  parts.normalizer = normalizer_from_json(member_or_null(json, "normalizer"), where);
  parts.pre_tokenizer = pre_tokenizer_from_json(member_or_null(json, "pre_tokenizer"), where);
  parts.model = model_from_json(json["model"], where);
  parts.post_processor = post_processor_from_json(member_or_null(json, "post_processor"), where);
  parts.added_tokens = added_tokens_from_json(json, where);
  TokenizerPipeline pipeline(std::move(parts));
  pipeline.set_truncation(truncation_from_json(json, where));
  pipeline.set_padding(padding_from_json(json, where));
  return pipeline;
}

TokenizerPipeline tokenizer_from_json_file(const std::string& path) {
  return tokenizer_from_json(read_json_file(path), path);
}

}  // namespace jpqd::text::pipeline
