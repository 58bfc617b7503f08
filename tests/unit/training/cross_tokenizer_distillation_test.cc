// Distillation from a teacher with another tokenizer (a RoBERTa teacher for a DistilBERT student): every
// example also carries the teacher's token ids, batches pad them with the teacher's pad id in the same row
// order as the student's, and the distillation loss is computed from the teacher's logits on them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "compression/distillation/distillation_loss.h"
#include "training/tasks/glue_task.h"
#include "training/trainer.h"
#include "toy_task.h"

namespace jpqd::training {
namespace {

namespace fs = std::filesystem;

// Two WordPiece vocabularies that disagree on every id and on the pad id, and split "film" and "fine"
// differently, so a sentence has other ids and another length in each.
text::Tokenizer student_tokenizer() {
  return text::Tokenizer::from_vocab({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "fil", "##m",
                                      "fin", "##e", "work", "awful", "a"});
}
text::Tokenizer teacher_tokenizer() {
  return text::Tokenizer::from_vocab({"[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "awful", "work", "fine", "film",
                                      "bad", "good", "[PAD]"});
}
constexpr int64_t kTeacherPad = 11;

fs::path fresh_dir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const std::vector<std::string> kSentences = {"good film", "bad film a a", "fine work", "awful", "a fine film",
                                             "good", "bad work fine film", "awful film"};

GlueDatasets datasets(const fs::path& dir, bool pad_to_max_length, const text::Tokenizer* teacher) {
  const auto file = dir / "train.tsv";
  std::ofstream out(file);
  out << "sentence\tlabel\n";
  for (size_t i = 0; i < kSentences.size(); ++i) out << kSentences[i] << "\t" << i % 2 << "\n";
  out.close();
  GlueDataOptions options;
  options.files.train_file = file.string();
  options.max_seq_length = 8;
  options.pad_to_max_length = pad_to_max_length;
  options.threads = 1;
  return build_glue_datasets(student_tokenizer(), options, "", {true, false, false}, teacher);
}

// Row r of `inputs` is `encoding` padded with pad_id (mask 1 on the encoding, 0 on the padding).
void expect_row(const model::BertInputs& inputs, int64_t r, const text::Encoding& encoding, int64_t pad_id) {
  const int64_t length = inputs.input_ids.size(1);
  const auto n = static_cast<int64_t>(encoding.input_ids.size());
  ASSERT_LE(n, length);
  std::vector<int64_t> ids(encoding.input_ids), mask(static_cast<size_t>(n), 1);
  ids.resize(static_cast<size_t>(length), pad_id);
  mask.resize(static_cast<size_t>(length), 0);
  EXPECT_TRUE(inputs.input_ids[r].equal(torch::tensor(ids))) << inputs.input_ids[r];
  EXPECT_TRUE(inputs.attention_mask[r].equal(torch::tensor(mask))) << inputs.attention_mask[r];
}

TEST(CrossTokenizerBatches, CarryTheTeachersIdsPaddedWithItsPadIdInTheStudentsRowOrder) {
  const auto dir = fresh_dir("jpqd_xtok_batches");
  const text::Tokenizer student = student_tokenizer(), teacher = teacher_tokenizer();
  ASSERT_NE(student.fingerprint(), teacher.fingerprint());
  ASSERT_EQ(teacher.pad_id(), kTeacherPad);
  const GlueDatasets data = datasets(dir, /*pad_to_max_length=*/false, &teacher);
  ASSERT_TRUE(data.train->has_teacher_inputs());

  // A shuffled epoch, as training draws it: each row of both tokenizations is the same example.
  const auto order = epoch_permutation(data.train->size(), 42, 0);
  ASSERT_NE(order, sequential_indices(0, data.train->size()));
  const Batch batch = data.train->batch(order);
  ASSERT_TRUE(batch.teacher_inputs.has_value());
  EXPECT_NE(batch.teacher_inputs->input_ids.size(1), batch.inputs.input_ids.size(1))
      << "the two tokenizations should pad to different lengths for the test to mean anything";
  for (int64_t r = 0; r < batch.size; ++r) {
    const std::string& text = kSentences[static_cast<size_t>(order[static_cast<size_t>(r)])];
    expect_row(batch.inputs, r, student.encode(text, std::nullopt, 8), student.pad_id());
    expect_row(*batch.teacher_inputs, r, teacher.encode(text, std::nullopt, 8), kTeacherPad);
    EXPECT_EQ(batch.labels.labels[r].item<int64_t>(), order[static_cast<size_t>(r)] % 2);
  }
  // Moving a batch to a device moves the teacher's tensors with it.
  const Batch moved = to_device(batch, torch::Device(torch::kCPU));
  ASSERT_TRUE(moved.teacher_inputs.has_value());
  EXPECT_TRUE(moved.teacher_inputs->input_ids.equal(batch.teacher_inputs->input_ids));
  fs::remove_all(dir);
}

TEST(CrossTokenizerBatches, PadToMaxLengthPadsBothToIt) {
  const auto dir = fresh_dir("jpqd_xtok_maxlen");
  const text::Tokenizer teacher = teacher_tokenizer();
  const GlueDatasets data = datasets(dir, /*pad_to_max_length=*/true, &teacher);
  const Batch batch = data.train->batch({3, 0});
  ASSERT_TRUE(batch.teacher_inputs.has_value());
  EXPECT_EQ(batch.inputs.input_ids.size(1), 8);
  EXPECT_EQ(batch.teacher_inputs->input_ids.size(1), 8);
  expect_row(*batch.teacher_inputs, 0, teacher.encode(kSentences[3], std::nullopt, 8), kTeacherPad);
  fs::remove_all(dir);
}

TEST(CrossTokenizerBatches, WithoutATeacherTokenizerBatchesHaveNoTeacherInputs) {
  const auto dir = fresh_dir("jpqd_xtok_none");
  const GlueDatasets data = datasets(dir, false, nullptr);
  EXPECT_FALSE(data.train->has_teacher_inputs());
  EXPECT_FALSE(data.train->batch({0, 1}).teacher_inputs.has_value());
  fs::remove_all(dir);
}

// The toy student (vocabulary 60) and a teacher whose table has 40 rows: student ids of 40 and above
// would overrun the teacher's embedding table, so a loss at all shows the teacher read its own ids.
constexpr int64_t kTeacherVocab = 40;

model::BertConfig no_dropout(model::BertConfig c) {
  c.hidden_dropout_prob = 0.0;  // deterministic forwards, so the first step's loss can be recomputed here
  c.attention_probs_dropout_prob = 0.0;
  return c;
}

std::shared_ptr<TokenizedDataset> two_tokenization_dataset() {
  std::vector<Row> rows(4);
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& r = rows[i];
    r.input_ids = {2, 45 + static_cast<int64_t>(i), 50, 3};
    r.token_type_ids.assign(r.input_ids.size(), 0);
    r.teacher_input_ids = {1, 10 + static_cast<int64_t>(i), 20, 21 + static_cast<int64_t>(i), 2};
    if (i == 2) r.teacher_input_ids.insert(r.teacher_input_ids.begin() + 2, 30);  // padding in the teacher's batch
    r.teacher_token_type_ids.assign(r.teacher_input_ids.size(), 0);
    r.label = static_cast<int64_t>(i % 2);
  }
  return std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kClassLabel, 0, 0, kTeacherPad);
}

TrainingArguments one_step_args(const fs::path& dir) {
  TrainingArguments a;
  a.output_dir = dir.string();
  a.per_device_train_batch_size = 4;
  a.max_steps = 1;
  a.logging_steps = 1;
  a.save_strategy = IntervalStrategy::kNo;
  a.seed = 5;
  a.threads = 1;
  a.disable_tqdm = true;
  return a;
}

TEST(CrossTokenizerDistillation, TheLossUsesTheTeachersLogitsOnItsOwnIds) {
  const auto dir = fresh_dir("jpqd_xtok_kd");
  torch::manual_seed(3);
  model::Bert student(no_dropout(toy::config()), model::TaskHead::kSequenceClassification);
  model::BertConfig tc = no_dropout(toy::config());
  tc.vocab_size = kTeacherVocab;
  tc.pad_token_id = kTeacherPad;
  tc.num_hidden_layers = 3;
  tc.initializer_range = 2.0;  // logits far from uniform: a KL term far above the logged rounding
  model::Bert teacher(tc, model::TaskHead::kSequenceClassification);
  const auto data = two_tokenization_dataset();

  // The whole dataset is the one batch of the first step; batch-mean KL does not depend on its order.
  const Batch batch = data->batch({0, 1, 2, 3});
  ASSERT_TRUE(batch.teacher_inputs.has_value());
  double expected = 0.0;
  {
    torch::NoGradGuard no_grad;
    teacher->eval();
    const auto s = student->forward(batch.inputs), t = teacher->forward(*batch.teacher_inputs);
    expected = compression::distillation_loss(s.logits, t.logits, 2.0).item<double>();
  }
  Trainer trainer(student, one_step_args(dir), data, nullptr, nullptr, std::nullopt, std::nullopt, teacher);
  trainer.train();
  const Json& first = trainer.state().log_history.front();
  ASSERT_TRUE(first.contains("distillation_loss")) << first.dump();
  EXPECT_GT(first["distillation_loss"].get<double>(), 1e-3) << first.dump();
  EXPECT_NEAR(first["distillation_loss"].get<double>(), expected, 0.5e-4 + 1e-9) << first.dump();
  fs::remove_all(dir);
}

TEST(CrossTokenizerDistillation, ATeacherWithAnotherVocabularyNeedsItsOwnIds) {
  const auto dir = fresh_dir("jpqd_xtok_refused");
  model::Bert student(toy::config(), model::TaskHead::kSequenceClassification);
  model::BertConfig tc = toy::config();
  tc.vocab_size = kTeacherVocab;
  model::Bert teacher(tc, model::TaskHead::kSequenceClassification);
  try {
    Trainer trainer(student, one_step_args(dir), toy::dataset(8, 5), nullptr, nullptr, std::nullopt, std::nullopt,
                    teacher);
    FAIL() << "a teacher that cannot read the student's ids was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("teacher vocabulary size 40 differs from the student's 60"),
              std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(CrossTokenizerDistillation, QuestionAnsweringRefusesTheTeachersOwnIds) {
  const auto dir = fresh_dir("jpqd_xtok_qa");
  model::Bert student(toy::config(), model::TaskHead::kQuestionAnswering);
  model::Bert teacher(toy::config(), model::TaskHead::kQuestionAnswering);
  std::vector<Row> rows(2);
  for (Row& r : rows) {
    r.input_ids = {2, 11, 12, 3};
    r.teacher_input_ids = {1, 11, 2};
  }
  auto data = std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kSpan, 0, 0, 0);
  EXPECT_THROW(Trainer(student, one_step_args(dir), data, nullptr, nullptr, std::nullopt, std::nullopt, teacher),
               InvalidArgument);
  fs::remove_all(dir);
}

TEST(CrossTokenizerDatasets, EveryRowCarriesTheTeachersIdsOrNoneDoes) {
  std::vector<Row> rows(2);
  rows[0].input_ids = rows[1].input_ids = {2, 3};
  rows[0].teacher_input_ids = {1, 2};
  EXPECT_THROW(TokenizedDataset(rows, TargetKind::kNone, 0, 0, kTeacherPad), InvalidArgument);
  EXPECT_THROW(TokenizedDataset(rows, TargetKind::kNone, 0, 0), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::training
