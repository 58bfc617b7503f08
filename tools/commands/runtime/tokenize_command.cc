// jpqd tokenize: encodes JSON lines ({"text": ..., "text_pair": ...}) with a Hugging Face tokenizer
// directory as transformers' fast tokenizer does for
//   tokenizer(text, text_pair, max_length=N, truncation=..., padding=...)
// and prints one JSON line per input: input_ids, token_type_ids, attention_mask, tokens, offsets
// (byte offsets into the input's text or text_pair). Torch-free: it only needs src/text.
#include <cstdio>
#include <memory>
#include <string>

#include "commands/command.h"
#include "commands/runtime/text_inputs.h"
#include "common/error.h"
#include "common/json_util.h"
#include "text/pipeline/tokenizer_files.h"

namespace jpqd::cli {
namespace {

namespace tp = jpqd::text::pipeline;

struct TokenizeFlags {
  std::string tokenizer_dir;
  std::string input;
  int64_t max_length = 0;  // 0: the tokenizer's model_max_length
  std::string truncation = "do_not_truncate";
  std::string padding = "do_not_pad";
  int64_t batch_size = 0;  // 0: the whole input is one batch (for --padding longest)
};

// transformers' truncation and padding for this call, given the flags and tokenizer_config.json.
void configure(tp::TokenizerPipeline& pipeline, const tp::TokenizerConfig& config, const TokenizeFlags& flags) {
  int64_t max_length = flags.max_length;
  if (max_length == 0 && config.model_max_length) max_length = *config.model_max_length;
  const bool truncate = flags.truncation != "do_not_truncate";
  JPQD_CHECK(!(truncate || flags.padding == "max_length") || max_length > 0, InvalidArgument, "--truncation ",
             flags.truncation, " / --padding ", flags.padding,
             " need --max_length (the tokenizer sets no model_max_length)");
  pipeline.set_truncation(std::nullopt);
  pipeline.set_padding(std::nullopt);
  if (truncate) {
    tp::TruncationParams t;
    t.max_length = static_cast<size_t>(max_length);
    t.strategy = flags.truncation == "only_first"    ? tp::TruncationStrategy::kOnlyFirst
                 : flags.truncation == "only_second" ? tp::TruncationStrategy::kOnlySecond
                                                     : tp::TruncationStrategy::kLongestFirst;
    pipeline.set_truncation(t);
  }
  if (flags.padding == "do_not_pad") return;
  tp::PaddingParams p;
  // The pad token: tokenizer_config.json's, else the one tokenizer.json pads with.
  std::optional<std::string> pad_token = config.pad_token;
  if (!pad_token && pipeline.padding()) pad_token = pipeline.padding()->pad_token;
  JPQD_CHECK(pad_token.has_value(), InvalidArgument, flags.tokenizer_dir,
             ": the tokenizer has no pad token (set pad_token in tokenizer_config.json) for --padding ", flags.padding);
  const auto pad_id = pipeline.token_to_id(*pad_token);
  JPQD_CHECK(pad_id.has_value(), InvalidArgument, flags.tokenizer_dir, ": pad token \"", *pad_token,
             "\" is not in the vocabulary");
  p.pad_token = *pad_token;
  p.pad_id = *pad_id;
  p.direction = config.padding_side.value_or("right") == "left" ? tp::Direction::kLeft : tp::Direction::kRight;
  p.to_longest = flags.padding == "longest";
  p.length = static_cast<size_t>(max_length);
  pipeline.set_padding(p);
}

void write_batch(const tp::TokenizerPipeline& pipeline, const std::vector<TextInput>& batch, std::string& out) {
  for (const tp::EncodedText& e : pipeline.encode_batch(batch)) {
    Json offsets = Json::array();
    for (const auto& [b, end] : e.offsets) offsets.push_back({b, end});
    const Json line = {{"input_ids", e.ids},           {"token_type_ids", e.type_ids},
                       {"attention_mask", e.attention_mask}, {"tokens", e.tokens},
                       {"offsets", offsets}};
    out += line.dump(-1, ' ', false, Json::error_handler_t::replace);
    out += '\n';
  }
}

void run_tokenize(const TokenizeFlags& flags) {
  JPQD_CHECK(flags.max_length >= 0, InvalidArgument, "--max_length must be >= 0, got ", flags.max_length);
  JPQD_CHECK(flags.batch_size >= 0, InvalidArgument, "--batch_size must be >= 0, got ", flags.batch_size);
  tp::LoadedTokenizer loaded = tp::load_tokenizer(flags.tokenizer_dir);
  configure(loaded.pipeline, loaded.config, flags);
  const std::vector<TextInput> inputs = read_text_inputs(flags.input);
  std::vector<TextInput> batch;
  std::string out;
  for (const TextInput& input : inputs) {
    batch.push_back(input);
    if (flags.batch_size > 0 && static_cast<int64_t>(batch.size()) == flags.batch_size) {
      write_batch(loaded.pipeline, batch, out);
      batch.clear();
    }
  }
  if (!batch.empty()) write_batch(loaded.pipeline, batch, out);
  // Everything is encoded before anything is printed, so a bad line leaves no partial output.
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void register_tokenize_command(CLI::App& app) {
  auto flags = std::make_shared<TokenizeFlags>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Encode JSON lines with a Hugging Face tokenizer (tokenizer.json, "
                                                 "vocab.json+merges.txt, sentencepiece.bpe.model or vocab.txt)");
  cmd->add_option("--tokenizer_name_or_path", flags->tokenizer_dir, "Tokenizer directory")->required();
  cmd->add_option("--input", flags->input, "JSON lines with \"text\" and optional \"text_pair\"")->required();
  cmd->add_option("--max_length", flags->max_length, "Maximum length with special tokens (0: model_max_length)");
  cmd->add_option("--truncation", flags->truncation, "longest_first, only_first, only_second or do_not_truncate")
      ->check(CLI::IsMember({"longest_first", "only_first", "only_second", "do_not_truncate"}));
  cmd->add_option("--padding", flags->padding, "max_length, longest or do_not_pad")
      ->check(CLI::IsMember({"max_length", "longest", "do_not_pad"}));
  cmd->add_option("--batch_size", flags->batch_size, "Inputs padded together with --padding longest (0: all)");
  cmd->callback([flags] { run_tokenize(*flags); });
}

}  // namespace jpqd::cli
