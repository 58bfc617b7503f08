// The parts of a SentencePiece ModelProto (sentencepiece_model.proto) a tokenizer needs, read with a
// minimal protobuf wire-format reader (no libprotobuf). Fields read:
//   ModelProto      1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec
//   SentencePiece   1 piece (string), 2 score (float), 3 type (enum: 1 normal, 2 unknown, 3 control,
//                   4 user defined, 5 unused, 6 byte)
//   TrainerSpec     3 model_type (1 unigram, 2 bpe, 3 word, 4 char), 35 byte_fallback, 40 unk_id
//   NormalizerSpec  2 precompiled_charsmap (bytes), 3 add_dummy_prefix, 4 remove_extra_whitespaces
// Other fields are skipped by wire type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jpqd::text::pipeline {

struct SentencePieceModel {
  struct Piece {
    std::string piece;
    float score = 0;
    int type = 1;
  };
  std::vector<Piece> pieces;
  int model_type = 1;
  bool byte_fallback = false;
  int64_t unk_id = 0;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
};

// Throws FormatError naming `path` when the bytes are not a SentencePiece model.
SentencePieceModel parse_sentencepiece_model(const std::string& bytes, const std::string& path);
SentencePieceModel read_sentencepiece_model(const std::string& path);

}  // namespace jpqd::text::pipeline
