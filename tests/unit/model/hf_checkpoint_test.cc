#include "model/hf_checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/error.h"
#include "model/torch_bin.h"
#include "model_test_util.h"

namespace jpqd::model {
namespace {

namespace fs = std::filesystem;

BertConfig tiny_config() {
  BertConfig c = testing::tiny_config();
  c.extra["transformers_version"] = "4.40.0";
  c.extra["my_key"] = Json{{"a", 1}};
  return c;
}

std::string copy_case(const std::string& name, const std::string& to) {
  const std::string dir = testing::scratch_dir(to);
  fs::copy(testing::reference_case(name), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return dir;
}

template <typename E>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

TEST(HfCheckpoint, SaveThenLoadIsExactInFloat32AndKeepsConfig) {
  torch::manual_seed(11);
  Bert model(tiny_config(), TaskHead::kSequenceClassification);
  const std::string dir = testing::scratch_dir("save_f32");
  save_pretrained(*model, dir);
  const Json config = read_json_file(dir + "/config.json");
  EXPECT_EQ(config["architectures"], Json{"BertForSequenceClassification"});
  EXPECT_EQ(config["torch_dtype"], "float32");
  EXPECT_EQ(config["my_key"], (Json{{"a", 1}}));
  LoadReport report;
  Bert loaded = load_pretrained(dir, TaskHead::kSequenceClassification, std::nullopt, &report);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  auto want = model->named_parameters();
  for (const auto& p : loaded->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), want[p.key()])) << p.key();
  // The file holds exactly HF's names, nothing of ours.
  std::set<std::string> names;
  for (const auto& [n, t] : read_safetensors(dir + "/model.safetensors")) names.insert(n);
  const auto hf = model->hf_parameter_names();
  EXPECT_EQ(names, std::set<std::string>(hf.begin(), hf.end()));
}

TEST(HfCheckpoint, SaveInHalfPrecisionsRoundsOnce) {
  torch::manual_seed(12);
  Bert model(tiny_config(), TaskHead::kQuestionAnswering);
  for (torch::Dtype dtype : {torch::kFloat16, torch::kBFloat16}) {
    const std::string dir = testing::scratch_dir("save_half");
    save_pretrained(*model, dir, dtype);
    EXPECT_EQ(read_json_file(dir + "/config.json")["torch_dtype"], dtype == torch::kFloat16 ? "float16" : "bfloat16");
    for (const auto& [n, t] : read_safetensors(dir + "/model.safetensors")) EXPECT_EQ(t.scalar_type(), dtype) << n;
    Bert loaded = load_pretrained(dir, TaskHead::kQuestionAnswering);
    auto want = model->named_parameters();
    for (const auto& p : loaded->named_parameters())
      EXPECT_TRUE(torch::equal(p.value(), want[p.key()].to(dtype).to(torch::kFloat32))) << p.key();
  }
}

TEST(HfCheckpoint, MaskedLmSaveDoesNotDuplicateTheTiedDecoder) {
  Bert model(tiny_config(), TaskHead::kMaskedLM);
  const std::string dir = testing::scratch_dir("save_mlm");
  save_pretrained(*model, dir);
  std::set<std::string> names;
  for (const auto& [n, t] : read_safetensors(dir + "/model.safetensors")) names.insert(n);
  EXPECT_TRUE(names.count("cls.predictions.bias"));
  EXPECT_TRUE(names.count("cls.predictions.transform.dense.weight"));
  EXPECT_FALSE(names.count("cls.predictions.decoder.weight"));
  EXPECT_FALSE(names.count("bert.pooler.dense.weight"));  // HF's masked LM has no pooler
}

TEST(HfCheckpoint, TiedDecoderWeightFillsMissingWordEmbeddings) {
  const std::string dir = copy_case("mlm", "tied_only");
  NamedTensors tensors;
  torch::Tensor table;
  for (auto& [n, t] : read_safetensors(dir + "/model.safetensors")) {
    if (n == "bert.embeddings.word_embeddings.weight") {
      table = t;
      tensors.emplace_back("cls.predictions.decoder.weight", t);
    } else {
      tensors.emplace_back(n, t);
    }
  }
  write_safetensors(dir + "/model.safetensors", tensors);
  LoadReport report;
  Bert model = load_pretrained(dir, TaskHead::kMaskedLM, std::nullopt, &report);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  EXPECT_TRUE(torch::equal(model->named_parameters()["bert.embeddings.word_embeddings.weight"], table));
}

TEST(HfCheckpoint, ShapeThatDisagreesWithConfigNamesTensorFileAndShapes) {
  const std::string dir = testing::reference_case("cls_gelu");
  const std::string what = error_of<FormatError>([&] { load_pretrained(dir, TaskHead::kSequenceClassification, 5); });
  EXPECT_NE(what.find("classifier.weight"), std::string::npos) << what;
  EXPECT_NE(what.find(dir + "/model.safetensors"), std::string::npos) << what;
  EXPECT_NE(what.find("[3, 32]"), std::string::npos) << what;
  EXPECT_NE(what.find("[5, 32]"), std::string::npos) << what;

  const std::string edited = copy_case("cls_gelu", "bad_config");
  Json config = read_json_file(edited + "/config.json");
  config["intermediate_size"] = 48;
  write_file_atomically(edited + "/config.json", config.dump());
  const std::string what2 = error_of<FormatError>([&] { load_pretrained(edited, TaskHead::kSequenceClassification); });
  EXPECT_NE(what2.find("bert.encoder.layer.0.intermediate.dense.weight has shape [64, 32]"), std::string::npos)
      << what2;
}

TEST(HfCheckpoint, MissingOrCorruptFilesGiveClearErrors) {
  EXPECT_NE(error_of<IoError>([] { load_pretrained("/nonexistent/ckpt", TaskHead::kQuestionAnswering); })
                .find("/nonexistent/ckpt"),
            std::string::npos);
  const std::string no_weights = testing::scratch_dir("no_weights");
  fs::copy_file(testing::reference_case("qa") + "/config.json", no_weights + "/config.json");
  EXPECT_NE(error_of<IoError>([&] { load_pretrained(no_weights, TaskHead::kQuestionAnswering); })
                .find("no model weights"),
            std::string::npos);
  const std::string no_config = testing::scratch_dir("no_config");
  EXPECT_NE(error_of<IoError>([&] { load_pretrained(no_config, TaskHead::kQuestionAnswering); }).find("config.json"),
            std::string::npos);

  const std::string bad_bin = copy_case("cls_bin", "bad_bin");
  std::vector<char> bytes = read_binary_file(bad_bin + "/pytorch_model.bin");
  write_file_atomically(bad_bin + "/pytorch_model.bin", std::string(bytes.begin(), bytes.begin() + bytes.size() / 2));
  EXPECT_NE(error_of<FormatError>([&] { load_pretrained(bad_bin, TaskHead::kSequenceClassification); })
                .find(bad_bin + "/pytorch_model.bin"),
            std::string::npos);
  write_file_atomically(bad_bin + "/pytorch_model.bin", "not a zip at all");
  EXPECT_THROW(load_pretrained(bad_bin, TaskHead::kSequenceClassification), FormatError);

  const std::string bad_st = copy_case("cls_gelu", "bad_st");
  bytes = read_binary_file(bad_st + "/model.safetensors");
  write_file_atomically(bad_st + "/model.safetensors", std::string(bytes.begin(), bytes.end() - 100));
  EXPECT_NE(error_of<FormatError>([&] { load_pretrained(bad_st, TaskHead::kSequenceClassification); })
                .find("run past the end of the data area"),
            std::string::npos);
}

TEST(HfCheckpoint, PickleGlobalsAreNeverExecuted) {
  const std::string dir = testing::reference_case("hostile");
  const std::string what = error_of<FormatError>([&] { read_torch_state_dict(dir + "/evil.bin"); });
  EXPECT_NE(what.find("unsupported pickle global \"posix system\""), std::string::npos) << what;
  EXPECT_FALSE(file_exists(dir + "/pwned"));
}

TEST(HfCheckpoint, SaveKeepsUnknownConfigKeysOfALoadedCheckpoint) {
  Bert model = load_pretrained(testing::reference_case("cls_gelu"), TaskHead::kSequenceClassification);
  const std::string dir = testing::scratch_dir("resave");
  save_pretrained(*model, dir);
  const Json config = read_json_file(dir + "/config.json");
  EXPECT_EQ(config["custom_key"], (Json{{"kept", {1, 2}}}));
  EXPECT_EQ(config["id2label"], (Json{{"0", "neg"}, {"1", "neu"}, {"2", "pos"}}));
  EXPECT_EQ(config["label2id"], (Json{{"neg", 0}, {"neu", 1}, {"pos", 2}}));
}

}  // namespace
}  // namespace jpqd::model
