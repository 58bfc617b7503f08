#include "text/pipeline/sentencepiece_model.h"

#include <cstring>
#include <string_view>

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::text::pipeline {
namespace {

// A protobuf message being read; every malformed length or tag ends in one FormatError.
class WireReader {
 public:
  WireReader(std::string_view data, const std::string& path) : data_(data), path_(path) {}

  bool done() const { return at_ == data_.size(); }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      check(at_ < data_.size(), "varint runs past the end");
      const auto byte = static_cast<unsigned char>(data_[at_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    check(false, "varint longer than 10 bytes");
    return 0;
  }

  std::string_view bytes() {
    const uint64_t length = varint();
    check(length <= data_.size() - at_, "length-delimited field runs past the end");
    const std::string_view out = data_.substr(at_, length);
    at_ += length;
    return out;
  }

  float fixed32_float() {
    check(data_.size() - at_ >= 4, "fixed32 runs past the end");
    uint32_t bits = 0;
    for (int k = 3; k >= 0; --k) bits = (bits << 8) | static_cast<unsigned char>(data_[at_ + static_cast<size_t>(k)]);
    at_ += 4;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }

  void skip(int wire_type) {
    switch (wire_type) {
      case 0: varint(); return;
      case 1: check(data_.size() - at_ >= 8, "fixed64 runs past the end"); at_ += 8; return;
      case 2: bytes(); return;
      case 5: check(data_.size() - at_ >= 4, "fixed32 runs past the end"); at_ += 4; return;
      default: check(false, str_cat("unknown wire type ", wire_type));
    }
  }

  void check(bool ok, const std::string& what) const {
    JPQD_CHECK(ok, FormatError, path_, ": not a SentencePiece model (", what, " at byte ", at_, ")");
  }

 private:
  std::string_view data_;
  const std::string& path_;
  size_t at_ = 0;
};

SentencePieceModel::Piece read_piece(std::string_view message, const std::string& path) {
  WireReader r(message, path);
  SentencePieceModel::Piece piece;
  while (!r.done()) {
    const uint64_t tag = r.varint();
    const int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (field == 1 && wire == 2) {
      piece.piece = std::string(r.bytes());
    } else if (field == 2 && wire == 5) {
      piece.score = r.fixed32_float();
    } else if (field == 3 && wire == 0) {
      piece.type = static_cast<int>(r.varint());
    } else {
      r.skip(wire);
    }
  }
  return piece;
}

void read_trainer_spec(std::string_view message, const std::string& path, SentencePieceModel& model) {
  WireReader r(message, path);
  while (!r.done()) {
    const uint64_t tag = r.varint();
    const int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (field == 3 && wire == 0) {
      model.model_type = static_cast<int>(r.varint());
    } else if (field == 35 && wire == 0) {
      model.byte_fallback = r.varint() != 0;
    } else if (field == 40 && wire == 0) {
      model.unk_id = static_cast<int64_t>(static_cast<int32_t>(r.varint()));
    } else {
      r.skip(wire);
    }
  }
}

void read_normalizer_spec(std::string_view message, const std::string& path, SentencePieceModel& model) {
  WireReader r(message, path);
  while (!r.done()) {
    const uint64_t tag = r.varint();
    const int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (field == 2 && wire == 2) {
      model.precompiled_charsmap = std::string(r.bytes());
    } else if (field == 3 && wire == 0) {
      model.add_dummy_prefix = r.varint() != 0;
    } else if (field == 4 && wire == 0) {
      model.remove_extra_whitespaces = r.varint() != 0;
    } else {
      r.skip(wire);
    }
  }
}

}  // namespace

SentencePieceModel parse_sentencepiece_model(const std::string& bytes, const std::string& path) {
  SentencePieceModel model;
  WireReader r(bytes, path);
  bool has_trainer_spec = false;
  while (!r.done()) {
    const uint64_t tag = r.varint();
    const int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    r.check(field >= 1, "field number 0");
    if (field == 1 && wire == 2) {
      model.pieces.push_back(read_piece(r.bytes(), path));
    } else if (field == 2 && wire == 2) {
      read_trainer_spec(r.bytes(), path, model);
      has_trainer_spec = true;
    } else if (field == 3 && wire == 2) {
      read_normalizer_spec(r.bytes(), path, model);
    } else {
      r.skip(wire);
    }
  }
  // Random bytes can parse as a few stray fields; a model has pieces and a trainer spec.
  r.check(!model.pieces.empty() && has_trainer_spec, "no pieces or no trainer_spec");
  return model;
}

SentencePieceModel read_sentencepiece_model(const std::string& path) {
  return parse_sentencepiece_model(read_text_file(path), path);
}

}  // namespace jpqd::text::pipeline
