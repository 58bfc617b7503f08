// Model and tokenizer loading shared by the training subcommands: a checkpoint directory, or a named
// shape (bert-tiny ... bert-large) randomly initialised with the shipped bert-base-uncased vocabulary.
#pragma once

#include <optional>
#include <string>

#include "model/bert.h"
#include "text/bert_tokenizer.h"
#include "training/training_arguments.h"

namespace jpqd::cli {

// Directory holding the data jpqd ships (vocabularies, SST-2): $JPQD_DATA_DIR, else the source tree's.
std::string shipped_data_dir();

text::BertTokenizer load_tokenizer(const std::string& model_name_or_path, const std::string& tokenizer_name = "");

// num_labels: set for classification (nullopt keeps the checkpoint's).
model::Bert load_model(const std::string& model_name_or_path, model::TaskHead head, std::optional<int64_t> num_labels,
                       const training::TrainingArguments& args);

// A fine-tuned teacher for distillation: loaded like any model, and refused when its vocabulary differs
// from the student's tokenizer (distillation compares outputs on the same token ids).
model::Bert load_teacher(const std::string& path, const text::BertTokenizer& student_tokenizer, model::TaskHead head,
                         const training::TrainingArguments& args);

}  // namespace jpqd::cli
