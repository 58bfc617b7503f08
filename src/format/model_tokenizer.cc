#include "format/model_tokenizer.h"

#include "common/error.h"
#include "common/json_util.h"

namespace jpqd::format {

text::pipeline::TokenizerFiles model_tokenizer_files(const ModelFile& file, const ModelMetadata& metadata) {
  text::pipeline::TokenizerFiles files;
  files.where = file.path();
  const TokenizerSettings& t = metadata.tokenizer;
  if (t.files.empty()) {
    std::string vocab_txt;
    for (const std::string& token : t.vocab) vocab_txt += token + "\n";
    Json config = {{"do_lower_case", t.do_lower_case},
                   {"tokenize_chinese_chars", t.tokenize_chinese_chars},
                   {"model_max_length", t.model_max_length}};
    if (t.strip_accents) config["strip_accents"] = *t.strip_accents;
    files.contents["vocab.txt"] = std::move(vocab_txt);
    files.contents["tokenizer_config.json"] = config.dump();
    return files;
  }
  for (const std::string& name : t.files) {
    const TensorView& view = file.get(tokenizer_file_tensor(name));
    JPQD_CHECK(view.dtype == DType::kU8 && view.shape.size() == 1, FormatError, file.path(), ": tensor ", view.name,
               " must be one-dimensional u8 (the bytes of a tokenizer file), got ", dtype_name(view.dtype), " ",
               view.shape_string());
    files.contents[name] = std::string(view.as<char>(), view.size_bytes);
  }
  return files;
}

text::Tokenizer model_tokenizer(const ModelFile& file, const ModelMetadata& metadata) {
  text::Tokenizer tokenizer = text::Tokenizer::from_files(model_tokenizer_files(file, metadata));
  JPQD_CHECK(tokenizer.vocab_size() <= metadata.architecture.vocab_size, FormatError, file.path(),
             ": the tokenizer has ids up to ", tokenizer.vocab_size() - 1, " but the embedding table only ",
             metadata.architecture.vocab_size, " rows");
  return tokenizer;
}

void describe_tokenizer(const text::Tokenizer& tokenizer, int64_t vocab_size, int64_t model_max_length,
                        ModelMetadata& metadata) {
  JPQD_CHECK(tokenizer.vocab_size() <= vocab_size, InvalidArgument, "export: the tokenizer has ids up to ",
             tokenizer.vocab_size() - 1, " but the model's embedding table only ", vocab_size, " rows");
  metadata.tokenizer = TokenizerSettings{};
  metadata.tokenizer.model_max_length = model_max_length;
  for (const auto& [name, bytes] : tokenizer.files().contents) metadata.tokenizer.files.push_back(name);
}

void add_tokenizer_files(const text::Tokenizer& tokenizer, ModelWriter& writer) {
  for (const auto& [name, bytes] : tokenizer.files().contents) {
    writer.add_tensor(tokenizer_file_tensor(name), DType::kU8, {static_cast<uint64_t>(bytes.size())}, bytes.data(),
                      bytes.size());
  }
}

}  // namespace jpqd::format
