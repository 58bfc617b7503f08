// The tokenizer a model file carries (format/model_tokenizer.h): its files round-trip byte for byte and
// encode as the tokenizer they came from; the older inline WordPiece form still reads, with its casing;
// a listed file that is missing or not u8 bytes, and ids beyond the embedding table, are refused.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "format/model_file.h"
#include "format/model_tokenizer.h"
#include "format/model_writer.h"

namespace jpqd::format {
namespace {

const std::vector<std::string> kTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie", "good", "##s", "hello"};

ModelMetadata metadata_with_vocab(int64_t vocab_size) {
  ModelMetadata m;
  m.architecture.hidden_size = 4;
  m.architecture.vocab_size = vocab_size;
  return m;
}

ModelFile file_of(const ModelWriter& writer) { return ModelFile::from_bytes(writer.serialize(), "model.jpqd"); }

template <typename ErrorType>
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ErrorType& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST(ModelTokenizer, FilesRoundTripAndEncodeAsTheOriginal) {
  const text::Tokenizer original = text::Tokenizer::from_vocab(kTokens);
  ModelMetadata meta = metadata_with_vocab(10);
  describe_tokenizer(original, 10, 128, meta);
  EXPECT_EQ(meta.tokenizer.files, std::vector<std::string>{"vocab.txt"});
  ModelWriter writer(meta.to_json());
  add_tokenizer_files(original, writer);
  const ModelFile file = file_of(writer);
  const ModelMetadata back = ModelMetadata::from_json(Json::parse(meta.to_json().dump()), "meta");
  EXPECT_EQ(back.tokenizer.files, meta.tokenizer.files);
  EXPECT_EQ(back.tokenizer.model_max_length, 128);
  EXPECT_EQ(model_tokenizer_files(file, back).contents, original.files().contents);
  const text::Tokenizer loaded = model_tokenizer(file, back);
  EXPECT_EQ(loaded.fingerprint(), original.fingerprint());
  EXPECT_EQ(loaded.encode("The movies, hello").input_ids, (std::vector<int64_t>{2, 5, 6, 8, 1, 9, 3}));
}

TEST(ModelTokenizer, InlineVocabularyOfOlderFilesKeepsItsCasing) {
  ModelMetadata meta = metadata_with_vocab(10);
  meta.tokenizer.vocab = kTokens;
  meta.tokenizer.do_lower_case = false;
  const ModelFile file = file_of(ModelWriter(meta.to_json()));
  const text::Tokenizer cased = model_tokenizer(file, meta);
  EXPECT_EQ(cased.encode("Hello hello").input_ids, (std::vector<int64_t>{2, 1, 9, 3}));
  meta.tokenizer.do_lower_case = true;
  EXPECT_EQ(model_tokenizer(file, meta).encode("Hello hello").input_ids, (std::vector<int64_t>{2, 9, 9, 3}));
}

TEST(ModelTokenizer, MissingOrMistypedFilesAreRefusedNamingTheModelFile) {
  ModelMetadata meta = metadata_with_vocab(10);
  meta.tokenizer.files = {"vocab.txt"};
  EXPECT_CONTAINS(error_of<FormatError>([&] { model_tokenizer(file_of(ModelWriter(meta.to_json())), meta); }),
                  "model.jpqd: missing tensor tokenizer/vocab.txt");
  ModelWriter writer(meta.to_json());
  const std::vector<float> not_bytes = {1.0f, 2.0f};
  writer.add_tensor(tokenizer_file_tensor("vocab.txt"), DType::kF32, {2}, not_bytes);
  EXPECT_CONTAINS(error_of<FormatError>([&] { model_tokenizer(file_of(writer), meta); }),
                  "tokenizer/vocab.txt must be one-dimensional u8");
}

TEST(ModelTokenizer, IdsBeyondTheEmbeddingTableAreRefused) {
  const text::Tokenizer tokenizer = text::Tokenizer::from_vocab(kTokens);
  ModelMetadata meta = metadata_with_vocab(8);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { describe_tokenizer(tokenizer, 8, 128, meta); }),
                  "ids up to 9 but the model's embedding table only 8 rows");
  meta.tokenizer.files = {"vocab.txt"};
  ModelWriter writer(meta.to_json());
  add_tokenizer_files(tokenizer, writer);
  EXPECT_CONTAINS(error_of<FormatError>([&] { model_tokenizer(file_of(writer), meta); }),
                  "model.jpqd: the tokenizer has ids up to 9 but the embedding table only 8 rows");
}

TEST(ModelTokenizer, MetadataRejectsFileNamesWithPaths) {
  ModelMetadata meta = metadata_with_vocab(10);
  meta.architecture.layers = {};
  Json json = meta.to_json();
  json["tokenizer"] = {{"files", {"../vocab.txt"}}, {"model_max_length", 8}};
  EXPECT_CONTAINS(error_of<FormatError>([&] { ModelMetadata::from_json(json, "meta"); }),
                  "meta.tokenizer.files: expected plain file names");
}

}  // namespace
}  // namespace jpqd::format
