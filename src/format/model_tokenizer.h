// The tokenizer a model file carries, so that `jpqd eval`, `jpqd benchmark` and the runtime's text API
// tokenize exactly as training did. The exporter stores the checkpoint's tokenizer files byte for byte
// as u8 tensors (tokenizer_file_tensor(name)) and lists them in the metadata; files written before
// that carry a WordPiece vocabulary inline with BertTokenizer's options, which read back as the
// vocab.txt and tokenizer_config.json they stand for.
#pragma once

#include <cstdint>

#include "format/model_file.h"
#include "format/model_metadata.h"
#include "format/model_writer.h"
#include "text/tokenizer.h"

namespace jpqd::format {

// The files, checked (each listed file present as a one-dimensional u8 tensor): FormatError naming the
// model file otherwise.
text::pipeline::TokenizerFiles model_tokenizer_files(const ModelFile& file, const ModelMetadata& metadata);
text::Tokenizer model_tokenizer(const ModelFile& file, const ModelMetadata& metadata);

// For writers: lists `tokenizer`'s files in `metadata` (InvalidArgument when a token id would fall
// outside the model's embedding table of `vocab_size` rows), then stores them in `writer`.
void describe_tokenizer(const text::Tokenizer& tokenizer, int64_t vocab_size, int64_t model_max_length,
                        ModelMetadata& metadata);
void add_tokenizer_files(const text::Tokenizer& tokenizer, ModelWriter& writer);

}  // namespace jpqd::format
