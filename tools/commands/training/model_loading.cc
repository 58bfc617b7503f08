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

}  // namespace

std::string shipped_data_dir() {
  if (const char* env = std::getenv("JPQD_DATA_DIR"); env && *env) return env;
  return JPQD_DEFAULT_DATA_DIR;
}

text::BertTokenizer load_tokenizer(const std::string& model_name_or_path, const std::string& tokenizer_name) {
  std::string dir = tokenizer_name.empty() ? model_name_or_path : tokenizer_name;
  if (!is_directory(dir) && is_named_shape(dir)) dir = (fs::path(shipped_data_dir()) / kShippedVocab).string();
  JPQD_CHECK(is_directory(dir), IoError, dir,
             ": not a checkpoint directory (config.json, model weights, vocab.txt) nor a named shape "
             "(bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large)");
  return text::BertTokenizer::from_directory(dir);
}

model::Bert load_model(const std::string& model_name_or_path, model::TaskHead head, std::optional<int64_t> num_labels,
                       const training::TrainingArguments& args) {
  // HF seeds before building the model, so a new head (or a whole random model) is the same for a seed.
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  if (!is_directory(model_name_or_path)) {
    auto config = model::BertConfig::named_shape(model_name_or_path);
    JPQD_CHECK(config.has_value(), IoError, model_name_or_path,
               ": not a checkpoint directory nor a named shape (bert-tiny, bert-mini, bert-small, bert-medium, "
               "bert-base, bert-large)");
    if (num_labels) config->set_num_labels(*num_labels);
    if (config->model_type != "bert") {
      // Every named shape reads text with the shipped bert-base-uncased WordPiece vocabulary (see
      // load_tokenizer): the model's table and pad id follow it, or token ids would overrun RoBERTa's
      // rows and RoBERTa's positions would count [unused0] as padding.
      const auto vocab = text::BertTokenizer::from_directory(
                             (fs::path(shipped_data_dir()) / kShippedVocab).string())
                             .vocab();
      config->vocab_size = static_cast<int64_t>(vocab.size());
      config->pad_token_id = vocab.pad_id();
    }
    log_info("Initialising a random ", model_name_or_path, " (", config->num_hidden_layers, " layers, hidden ",
             config->hidden_size, ", ", config->num_attention_heads, " heads) with the bert-base-uncased vocabulary");
    return model::Bert(*config, head);
  }
  return model::load_pretrained(model_name_or_path, head, num_labels);
}

model::Bert load_teacher(const std::string& path, const text::BertTokenizer& student_tokenizer, model::TaskHead head,
                         const training::TrainingArguments& args) {
  JPQD_CHECK(load_tokenizer(path).vocab().fingerprint() == student_tokenizer.vocab().fingerprint(), InvalidArgument,
             "--teacher_model_name_or_path ", path, ": the teacher's vocabulary differs from the student's");
  // A teacher must be fine-tuned for the student's task: loading, say, a GLUE classifier for question
  // answering would give it a freshly initialised qa_outputs head and distil random logits.
  if (is_directory(path)) {
    const auto config = model::BertConfig::from_file((fs::path(path) / "config.json").string());
    JPQD_CHECK(model::task_head_of(config) == head, InvalidArgument, "--teacher_model_name_or_path ", path,
               ": the teacher is a ", model::task_head_architecture(model::task_head_of(config)),
               ", the student a ", model::task_head_architecture(head));
  }
  return load_model(path, head, std::nullopt, args);
}

}  // namespace jpqd::cli
