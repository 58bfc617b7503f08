// Writes an ExportedModel as a model.jpqd file (format/), the file the runtime maps into memory: names
// from format/tensor_names.h (Hugging Face's without "bert."), INT8 Linears as s8 weights with per-row
// scales and their input quantizer in the metadata, the tokenizer's files as format/model_tokenizer.h stores them.
#pragma once

#include <string>

#include "export/exported_model.h"
#include "text/tokenizer.h"

namespace jpqd::exporter {

void write_model_file(const ExportedModel& model, const text::Tokenizer& tokenizer, const std::string& path);

}  // namespace jpqd::exporter
