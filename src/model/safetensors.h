// The safetensors format (https://huggingface.co/docs/safetensors), read strictly and written exactly:
//
//   bytes 0..7     u64 little-endian N: length of the JSON header
//   bytes 8..8+N   JSON object: "<tensor name>": {"dtype": "F32"|"F16"|"BF16"|"F64"|"I64"|"I32"|"I16"|"I8"|
//                  "U8"|"BOOL", "shape": [d0, d1, ...], "data_offsets": [begin, end]} for each tensor, and an
//                  optional "__metadata__": {string: string}; padded with spaces
//   bytes 8+N..    the data area: each tensor's little-endian, row-major bytes at [begin, end) relative to
//                  the start of the data area
//
// The reader trusts nothing: N is bounded (100 MB and the file size), every tensor's byte range must lie
// inside the data area, equal prod(shape) * itemsize (computed with overflow checks), and the ranges must
// tile the data area without overlap or holes (as the reference implementation requires). Errors are
// FormatError naming the file and the tensor.
#pragma once

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jpqd::model {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull << 20;

struct SafetensorsFile {
  NamedTensors tensors;  // in file order (by data offset), with the file's dtypes
  std::map<std::string, std::string> metadata;
};

// Reads every tensor (CPU, owning its memory).
SafetensorsFile read_safetensors_file(const std::string& path);
NamedTensors read_safetensors(const std::string& path);

struct SafetensorsWriteOptions {
  // When set, floating-point tensors are converted to this dtype (kFloat, kHalf or kBFloat16).
  std::optional<torch::Dtype> float_dtype;
  // "format": "pt" is always written, because transformers refuses safetensors files without it.
  std::map<std::string, std::string> metadata;
};

// Writes atomically (temporary file + rename). Names must be unique and non-empty.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const SafetensorsWriteOptions& options = {});

// A sharded checkpoint: `index_path` is model.safetensors.index.json with a "weight_map" of
// tensor name -> shard file name (in the same directory). Every listed tensor must be in its shard.
NamedTensors read_sharded_safetensors(const std::string& index_path);

}  // namespace jpqd::model
