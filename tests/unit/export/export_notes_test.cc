// Bad input: a run that never reached structured masking exports dense and says so, a model
// whose quantizers never got their ranges exports FP32 and says so, and an unwritable output fails before
// anything is written. Each case has its counterpart that does prune or quantize, so the checks can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "compression/build_controller.h"
#include "compression/sparsity/movement/movement_sparsity_controller.h"
#include "export/build_exported_model.h"
#include "export/export_run.h"
#include "onnx_test_support.h"
#include "tiny_head_dim_4_bert.h"

namespace jpqd::exporter {
namespace {

namespace fs = std::filesystem;

model::BertConfig notes_config() { return testing::tiny_head_dim_4_config(2); }

// configs/tiny-smoke-jpqd.json with attention blocks that fit head_dim 4.
const char* kJpqdConfig = R"([
  {"algorithm": "movement_sparsity",
   "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.1},
   "sparse_structure_by_scopes": [
     {"mode": "block", "sparse_factors": [4, 4], "target_scopes": "{re}.*BertAttention.*"},
     {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertIntermediate.*"},
     {"mode": "per_dim", "axis": 1, "target_scopes": "{re}.*BertOutput.*"}],
   "ignored_scopes": ["{re}.*NNCFEmbedding.*", "{re}.*LayerNorm.*", "{re}.*pooler.*", "{re}.*classifier.*"]},
  {"algorithm": "quantization", "preset": "mixed", "overflow_fix": "enable",
   "initializer": {"range": {"num_init_samples": 4, "type": "percentile",
                             "params": {"min_percentile": 0.01, "max_percentile": 99.99}}},
   "scope_overrides": {"activations": {"{re}.*matmul_0": {"mode": "symmetric"}}},
   "ignored_scopes": ["{re}.*__add___[0-1]", "{re}.*layer_norm_0"]}])";

const char* kDenseNote = "the run never reached structured masking (end of warm-up): exported dense, masks folded";
const char* kFp32Note = "the quantizers have no trained ranges (no quantizer state): exported FP32";

model::Bert seeded_model() {
  torch::manual_seed(3);
  return model::Bert(notes_config(), model::TaskHead::kSequenceClassification);
}

// A model with its JPQD hooks attached, as a run's first step sees it.
struct TinyJpqdRun {
  model::Bert model = seeded_model();
  std::unique_ptr<compression::CompositeController> controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kJpqdConfig), "test"), *model, {});

  compression::MovementSparsityController& movement() {
    return dynamic_cast<compression::MovementSparsityController&>(*controller->find("movement_sparsity"));
  }

  // What the trainer does before its first step (Trainer::initialize_compression_ranges).
  void initialise_quantizers() {
    torch::NoGradGuard no_grad;
    model->eval();
    controller->begin_initialization();
    model::BertInputs in;
    in.input_ids = torch::randint(5, 50, {4, 9});
    model->forward(in);
    controller->end_initialization(nullptr);
  }
};

bool has(const std::vector<std::string>& messages, const std::string& text) {
  return std::find(messages.begin(), messages.end(), text) != messages.end();
}

TEST(ExportNotes, BeforeStructuredMaskingTheExportIsDenseAndSaysSo) {
  TinyJpqdRun run;
  ASSERT_FALSE(run.movement().structured_masking_done());
  ExportNotes notes;
  const ExportedModel out = build_exported_model(*run.model, run.controller.get(), &notes);
  EXPECT_FALSE(notes.pruned);
  EXPECT_TRUE(has(notes.messages, kDenseNote));
  EXPECT_FALSE(out.pruning["structured"].get<bool>());
  EXPECT_TRUE(out.config.heads_per_layer.empty());
  EXPECT_TRUE(out.config.intermediate_per_layer.empty());
  EXPECT_EQ(out.tensors.at("bert.encoder.layer.1.attention.self.query.weight").sizes(), (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(out.tensors.at("bert.encoder.layer.1.intermediate.dense.weight").sizes(), (std::vector<int64_t>{12, 16}));
}

TEST(ExportNotes, AfterStructuredMaskingThePlanIsStructuredAndNothingIsSaid) {
  TinyJpqdRun run;
  run.movement().apply_structured_masking();
  ExportNotes notes;
  const ExportedModel out = build_exported_model(*run.model, run.controller.get(), &notes);
  EXPECT_TRUE(notes.pruned);
  EXPECT_FALSE(has(notes.messages, kDenseNote));
  EXPECT_TRUE(out.pruning["structured"].get<bool>());
  EXPECT_EQ(out.config.heads_per_layer.size(), 2u);
}

TEST(ExportNotes, UninitialisedQuantizersExportFp32AndSaySo) {
  TinyJpqdRun run;
  ExportNotes notes;
  const ExportedModel out = build_exported_model(*run.model, run.controller.get(), &notes);
  EXPECT_FALSE(notes.quantized);
  EXPECT_TRUE(has(notes.messages, kFp32Note));
  EXPECT_FALSE(out.quantized());
  EXPECT_TRUE(out.query_quant.empty());
  EXPECT_TRUE(out.key_quant.empty());
}

TEST(ExportNotes, InitialisedQuantizersExportInt8AndNothingIsSaid) {
  TinyJpqdRun run;
  run.initialise_quantizers();
  ExportNotes notes;
  const ExportedModel out = build_exported_model(*run.model, run.controller.get(), &notes);
  EXPECT_TRUE(notes.quantized);
  EXPECT_FALSE(has(notes.messages, kFp32Note));
  ASSERT_TRUE(out.quantized());
  EXPECT_TRUE(out.linears.at("bert.encoder.layer.0.attention.self.query").weight.has_value());
}

text::Tokenizer notes_tokenizer() {
  std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (int i = 0; tokens.size() < 50; ++i) tokens.push_back("w" + std::to_string(i));
  return text::Tokenizer::from_vocab(tokens);
}

TEST(ExportNotes, ExportJsonCarriesTheCallersNotesAndTheExportsOwn) {
  TinyJpqdRun run;
  const std::string dir = testing::make_temp_dir("export_notes");
  ExportNotes given;
  given.messages.push_back("run: no compression_state.safetensors");
  const Json summary = export_trained_model(*run.model, run.controller.get(), notes_tokenizer(),
                                            {dir, true, false, Json::object()}, given);
  const Json written = read_json_file((fs::path(dir) / "export.json").string());
  EXPECT_EQ(written, summary);
  EXPECT_FALSE(written["pruned"].get<bool>());
  EXPECT_FALSE(written["quantized"].get<bool>());
  const auto notes = written["notes"].get<std::vector<std::string>>();
  EXPECT_TRUE(has(notes, "run: no compression_state.safetensors"));
  EXPECT_TRUE(has(notes, kDenseNote));
  EXPECT_TRUE(has(notes, kFp32Note));
  EXPECT_TRUE(file_exists((fs::path(dir) / "model.jpqd").string()));
}

TEST(ExportNotes, AnOutputBelowARegularFileFailsAndWritesNothing) {
  TinyJpqdRun run;
  const fs::path dir = testing::make_temp_dir("export_unwritable");
  write_file_atomically((dir / "a_file").string(), "x");
  const std::string target = (dir / "a_file" / "out").string();
  try {
    export_trained_model(*run.model, run.controller.get(), notes_tokenizer(), {target, true, true, Json::object()});
    FAIL() << "exported below a regular file";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), target + ": cannot create directory (Not a directory)");
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
}

}  // namespace
}  // namespace jpqd::exporter
