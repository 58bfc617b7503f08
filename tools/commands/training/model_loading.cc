#include "commands/training/model_loading.h"

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "model/bert_config.h"
#include "model/hf_checkpoint.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kShippedVocab = "vocab/bert-base-uncased";

bool is_named_shape(const std::string& name) { return model::BertConfig::named_shape(name).has_value(); }

std::string named_shapes() {
  std::string names;
  for (const std::string& name : model::BertConfig::named_shapes()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace

std::string shipped_data_dir() {
  if (const char* env = std::getenv("JPQD_DATA_DIR"); env && *env) return env;
  return JPQD_DEFAULT_DATA_DIR;
}

text::Tokenizer load_tokenizer(const std::string& model_name_or_path, const std::string& tokenizer_name) {
  std::string dir = tokenizer_name.empty() ? model_name_or_path : tokenizer_name;
  if (!is_directory(dir) && is_named_shape(dir)) dir = (fs::path(shipped_data_dir()) / kShippedVocab).string();
  JPQD_CHECK(is_directory(dir), IoError, dir,
             ": not a checkpoint directory (config.json, model weights, tokenizer files) nor a named shape (",
             named_shapes(), ")");
  return text::Tokenizer::from_directory(dir);
}

model::Bert load_model(const std::string& model_name_or_path, model::TaskHead head, std::optional<int64_t> num_labels,
                       const training::TrainingArguments& args, const text::Tokenizer& tokenizer) {
  // HF seeds before building the model, so a new head (or a whole random model) is the same for a seed.
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  if (!is_directory(model_name_or_path)) {
    auto config = model::BertConfig::named_shape(model_name_or_path);
    JPQD_CHECK(config.has_value(), IoError, model_name_or_path, ": not a checkpoint directory nor a named shape (",
               named_shapes(), ")");
    if (num_labels) config->set_num_labels(*num_labels);
    // The embedding table and pad id follow the tokenizer the text is read with (--tokenizer_name, else
    // the shipped bert-base-uncased vocabulary), or token ids would overrun the table and RoBERTa's
    // positions would count some other token as padding.
    config->vocab_size = tokenizer.vocab_size();
    config->pad_token_id = tokenizer.pad_id();
    log_info("Initialising a random ", model_name_or_path, " (", config->num_hidden_layers, " layers, hidden ",
             config->hidden_size, ", ", config->num_attention_heads, " heads) for the tokenizer of ",
             tokenizer.files().where, " (", tokenizer.vocab_size(), " tokens)");
    return model::Bert(*config, head);
  }
  return model::load_pretrained(model_name_or_path, head, num_labels);
}

std::optional<text::Tokenizer> teacher_tokenizer_if_different(const std::string& path,
                                                              const text::Tokenizer& student_tokenizer,
                                                              model::TaskHead head) {
  text::Tokenizer teacher = load_tokenizer(path);
  if (teacher.fingerprint() == student_tokenizer.fingerprint()) return std::nullopt;
  JPQD_CHECK(head == model::TaskHead::kSequenceClassification, InvalidArgument, "--teacher_model_name_or_path ",
             path, ": the teacher's tokenizer differs from the student's, and question answering compares span "
             "logits token by token (distil from a teacher with the student's tokenizer)");
  return teacher;
}

model::Bert load_teacher(const std::string& path, const text::Tokenizer& student_tokenizer, model::TaskHead head,
                         const training::TrainingArguments& args) {
  const std::optional<text::Tokenizer> own = teacher_tokenizer_if_different(path, student_tokenizer, head);
  // A teacher must be fine-tuned for the student's task: loading, say, a GLUE classifier for question
  // answering would give it a freshly initialised qa_outputs head and distil random logits.
  if (is_directory(path)) {
    const auto config = model::BertConfig::from_file((fs::path(path) / "config.json").string());
    JPQD_CHECK(model::task_head_of(config) == head, InvalidArgument, "--teacher_model_name_or_path ", path,
               ": the teacher is a ", model::task_head_architecture(model::task_head_of(config)),
               ", the student a ", model::task_head_architecture(head));
  }
  const text::Tokenizer& tokenizer = own ? *own : student_tokenizer;
  model::Bert teacher = load_model(path, head, std::nullopt, args, tokenizer);
  JPQD_CHECK(!own || tokenizer.vocab_size() <= teacher->config().vocab_size, InvalidArgument,
             "--teacher_model_name_or_path ", path, ": the teacher's tokenizer has ", tokenizer.vocab_size(),
             " tokens but its vocab_size is ", teacher->config().vocab_size);
  return teacher;
}

}  // namespace jpqd::cli
