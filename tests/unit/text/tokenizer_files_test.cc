// Tokenizer directories: the pipeline built from a BERT vocab.txt must encode exactly as jpqd's
// BertTokenizer (itself checked against Hugging Face's BertTokenizer) on the shipped SST-2
// sentences; the classic-file loaders refuse files that are not what they claim with one error
// naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/file_io.h"
#include "text/bert_tokenizer.h"
#include "text/pipeline/sentencepiece_model.h"
#include "text/pipeline/tokenizer_files.h"

namespace jpqd::text::pipeline {
namespace {

namespace fs = std::filesystem;

std::string source_dir() { return JPQD_SOURCE_DIR; }

std::vector<std::string> sst2_sentences(const std::string& file, size_t limit) {
  std::ifstream in(source_dir() + "/data/glue/SST-2/" + file);
  std::vector<std::string> out;
  std::string line;
  std::getline(in, line);  // header
  while (out.size() < limit && std::getline(in, line)) out.push_back(line.substr(0, line.find('\t')));
  return out;
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("jpqd_tokenizer_files_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(TokenizerFiles, VocabTxtPipelineMatchesBertTokenizerOnSst2) {
  const std::string vocab = source_dir() + "/data/vocab/bert-base-uncased/vocab.txt";
  const BertTokenizer bert = BertTokenizer::from_directory(vocab);
  TokenizerPipeline pipeline = bert_pipeline_from_vocab_file(vocab, TokenizerConfig{});
  std::vector<std::string> sentences = sst2_sentences("dev.tsv", 872);
  for (const std::string& s : sst2_sentences("train.tsv", 3000)) sentences.push_back(s);
  ASSERT_EQ(sentences.size(), 3872u);
  TruncationParams truncation;
  truncation.max_length = 32;
  for (size_t i = 0; i < sentences.size(); ++i) {
    // Singles truncated at 32 (one text: both tokenizers cut the end), and pairs untruncated (the
    // slow and fast pair rules differ, see FAMILIES' longest_first).
    pipeline.set_truncation(truncation);
    const text::Encoding want = bert.encode(sentences[i], std::nullopt, 32, Truncation::kLongestFirst);
    const EncodedText got = pipeline.encode(sentences[i]);
    ASSERT_EQ(got.ids, want.input_ids) << sentences[i];
    ASSERT_EQ(got.type_ids, want.token_type_ids) << sentences[i];
    ASSERT_EQ(got.attention_mask, want.attention_mask) << sentences[i];
    pipeline.set_truncation(std::nullopt);
    const std::string& pair = sentences[(i + 1) % sentences.size()];
    const text::Encoding want_pair = bert.encode(sentences[i], pair, 0, Truncation::kNone);
    const EncodedText got_pair = pipeline.encode(sentences[i], pair);
    ASSERT_EQ(got_pair.ids, want_pair.input_ids) << sentences[i] << " | " << pair;
    ASSERT_EQ(got_pair.type_ids, want_pair.token_type_ids) << sentences[i] << " | " << pair;
    ASSERT_EQ(got_pair.offsets, want_pair.offsets) << sentences[i] << " | " << pair;
  }
}

TEST(TokenizerFiles, DirectoryWithNoTokenizerFileIsAnIoError) {
  const fs::path dir = temp_dir("empty");
  try {
    load_tokenizer(dir.string());
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no tokenizer.json, vocab.json + merges.txt"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(TokenizerFiles, MergesNamingUnknownTokensAreOneErrorNamingTheFile) {
  const fs::path dir = temp_dir("merges");
  write(dir / "vocab.json", R"({"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4, "a": 5, "b": 6, "ab": 7})");
  write(dir / "merges.txt", "#version: 0.2\na b\na z\n");
  try {
    load_tokenizer(dir.string());
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find((dir / "merges.txt").string()), std::string::npos) << what;
    EXPECT_NE(what.find("\"z\", which is not in the vocabulary"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  // Without the bad merge the same files load, and "ab" merges.
  write(dir / "merges.txt", "#version: 0.2\na b\n");
  const LoadedTokenizer loaded = load_tokenizer(dir.string());
  EXPECT_EQ(loaded.pipeline.encode("ab").ids, (std::vector<int64_t>{0, 7, 2}));
  fs::remove_all(dir);
}

TEST(TokenizerFiles, AFileThatIsNotASentencePieceModelIsRefusedNamingIt) {
  const fs::path dir = temp_dir("spm");
  write(dir / "sentencepiece.bpe.model", "this is a text file, not a protobuf\n");
  try {
    load_tokenizer(dir.string());
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("sentencepiece.bpe.model: not a SentencePiece model"), std::string::npos) << what;
  }
  fs::remove_all(dir);
}

TEST(TokenizerFiles, SentencePieceWireFormatFieldsAreRead) {
  // A ModelProto written byte by byte: piece {piece "▁a" score -1.5 type 1}, trainer_spec
  // {model_type 1, unk_id 0}, normalizer_spec {add_dummy_prefix false}.
  std::string piece = std::string("\x0a\x04") + "\xe2\x96\x81" "a" + "\x15" + std::string("\x00\x00\xc0\xbf", 4) + "\x18\x01";
  std::string model = "\x0a" + std::string(1, static_cast<char>(piece.size())) + piece;
  const std::string trainer = std::string("\x18\x01\xc0\x02\x00", 5);  // field 3 = 1, field 40 = 0
  model += "\x12" + std::string(1, static_cast<char>(trainer.size())) + trainer;
  model += std::string("\x1a\x02\x18\x00", 4);
  const SentencePieceModel spm = parse_sentencepiece_model(model, "m.model");
  ASSERT_EQ(spm.pieces.size(), 1u);
  EXPECT_EQ(spm.pieces[0].piece, "\xe2\x96\x81" "a");
  EXPECT_FLOAT_EQ(spm.pieces[0].score, -1.5f);
  EXPECT_EQ(spm.model_type, 1);
  EXPECT_EQ(spm.unk_id, 0);
  EXPECT_FALSE(spm.add_dummy_prefix);
  EXPECT_THROW(parse_sentencepiece_model(model.substr(0, model.size() - 3), "m.model"), FormatError);
}

}  // namespace
}  // namespace jpqd::text::pipeline
