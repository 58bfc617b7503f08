// The jpqd model file (`model.jpqd`), format version 1: the bridge between the training world (the
// exporter writes it) and the deployment world (the runtime maps it into memory). Torch-free.
//
// All integers are little-endian. Offsets are absolute byte offsets from the start of the file
// unless said otherwise. Fields, in file order:
//
//   Header (64 bytes)
//     0   char[8]  magic            "JPQDMODL"
//     8   u32      format_version   kFormatVersion; readers reject every other value
//     12  u32      flags            0 (reserved; readers reject non-zero so meaning can be added later)
//     16  u64      metadata_size    bytes of the metadata JSON that follows the header
//     24  u64      tensor_count     entries in the tensor table
//     32  u64      table_size       bytes of the tensor table
//     40  u64      blob_offset      start of the blob; a multiple of kBlobAlignment, and
//                                   >= 64 + metadata_size + table_size (zero padding in between)
//     48  u64      blob_size        bytes of the blob
//     56  u64      reserved         0
//   Metadata (metadata_size bytes at offset 64)
//     UTF-8 JSON object, schema in format/model_metadata.h and docs/format.md.
//   Tensor table (table_size bytes at offset 64 + metadata_size), tensor_count entries, each:
//     u32      name_size          1..kMaxNameSize
//     char[]   name               name_size bytes, no terminator (see format/tensor_names.h)
//     u32      dtype              DType below
//     u32      rank               0..kMaxRank
//     u64[]    dims               rank values (0 allowed: pruned-away heads give empty tensors)
//     u64      offset             payload start RELATIVE TO blob_offset, multiple of kBlobAlignment
//     u64      size               payload bytes; must equal product(dims) * dtype_size(dtype)
//     Names are unique; payloads lie inside the blob and do not overlap.
//     Tensors are row-major (C order). Linear weights are stored as [out_features, in_features].
//   Blob (blob_size bytes at blob_offset): payloads, zero padding between them.
//   Trailer (8 bytes at blob_offset + blob_size, the last 8 bytes of the file)
//     u64      checksum           fnv1a64 (common/checksum.h) of every byte before the trailer
//   The file size is exactly blob_offset + blob_size + 8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace jpqd::format {

constexpr char kMagic[8] = {'J', 'P', 'Q', 'D', 'M', 'O', 'D', 'L'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kBlobAlignment = 64;  // cache line and AVX-512 vector: payloads can be used in place
constexpr uint64_t kTrailerSize = 8;
constexpr uint32_t kMaxNameSize = 4096;
constexpr uint32_t kMaxRank = 8;

enum class DType : uint32_t { kF32 = 0, kF16 = 1, kS8 = 2, kU8 = 3, kS32 = 4, kI64 = 5 };

// Bytes per element; throws FormatError for a value that is not a DType.
size_t dtype_size(DType dtype);
std::string dtype_name(DType dtype);  // "f32", "f16", "s8", "u8", "s32", "i64"
bool is_valid_dtype(uint32_t raw);

}  // namespace jpqd::format
