// Model and tokenizer loading shared by the training subcommands: a checkpoint directory, or a named
// shape (bert-tiny ... bert-large, distilbert-base, roberta-base, ...) randomly initialised for the
// tokenizer of --tokenizer_name, by default the shipped bert-base-uncased vocabulary.
#pragma once

#include <optional>
#include <string>

#include "model/bert.h"
#include "text/tokenizer.h"
#include "training/training_arguments.h"

namespace jpqd::cli {

// Directory holding the data jpqd ships (vocabularies, SST-2): $JPQD_DATA_DIR, else the source tree's.
std::string shipped_data_dir();

text::Tokenizer load_tokenizer(const std::string& model_name_or_path, const std::string& tokenizer_name = "");

// num_labels: set for classification (nullopt keeps the checkpoint's). A named shape gets the
// embedding table and pad id of `tokenizer`.
model::Bert load_model(const std::string& model_name_or_path, model::TaskHead head, std::optional<int64_t> num_labels,
                       const training::TrainingArguments& args, const text::Tokenizer& tokenizer);

// A distillation teacher's own tokenizer when it differs from the student's, nullopt when the teacher can
// read the student's token ids. A sequence classifier's examples are then tokenized for each of them;
// question answering refuses it, as span logits of two tokenizations index different tokens.
std::optional<text::Tokenizer> teacher_tokenizer_if_different(const std::string& path,
                                                              const text::Tokenizer& student_tokenizer,
                                                              model::TaskHead head);

// A fine-tuned teacher for distillation, loaded like any model (a named shape with the embedding table of
// its own tokenizer), refused as teacher_tokenizer_if_different refuses it.
model::Bert load_teacher(const std::string& path, const text::Tokenizer& student_tokenizer, model::TaskHead head,
                         const training::TrainingArguments& args);

}  // namespace jpqd::cli
