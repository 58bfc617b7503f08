#include "format/model_writer.h"

#include <cstring>
#include <set>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::format {

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the model file is little-endian");

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
uint64_t align_up(uint64_t v) { return (v + kBlobAlignment - 1) / kBlobAlignment * kBlobAlignment; }

}  // namespace

ModelWriter::ModelWriter(Json metadata) : metadata_(std::move(metadata)) {
  JPQD_CHECK(metadata_.is_object(), InvalidArgument, "model file metadata must be a JSON object");
}

void ModelWriter::add_tensor(const std::string& name, DType dtype, const std::vector<uint64_t>& shape,
                             const void* data, size_t size_bytes) {
  JPQD_CHECK(!name.empty() && name.size() <= kMaxNameSize, InvalidArgument, "tensor name \"", name,
             "\": must have 1..", kMaxNameSize, " bytes");
  JPQD_CHECK(shape.size() <= kMaxRank, InvalidArgument, "tensor ", name, ": rank ", shape.size(), " above ",
             kMaxRank);
  for (const auto& e : entries_) JPQD_CHECK(e.name != name, InvalidArgument, "tensor ", name, " added twice");
  uint64_t expected = dtype_size(dtype);
  for (uint64_t d : shape) expected *= d;
  JPQD_CHECK(expected == size_bytes, InvalidArgument, "tensor ", name, ": ", size_bytes,
             " bytes given, shape and dtype ", dtype_name(dtype), " need ", expected);
  Entry entry{name, dtype, shape, std::string()};
  if (size_bytes > 0) entry.bytes.assign(static_cast<const char*>(data), size_bytes);
  entries_.push_back(std::move(entry));
}

std::string ModelWriter::serialize() const {
  const std::string metadata = metadata_.dump();
  std::string table;
  std::vector<uint64_t> offsets;
  uint64_t blob_size = 0;
  for (const auto& e : entries_) {
    offsets.push_back(blob_size);
    blob_size = align_up(blob_size + e.bytes.size());
    put_u32(table, static_cast<uint32_t>(e.name.size()));
    table += e.name;
    put_u32(table, static_cast<uint32_t>(e.dtype));
    put_u32(table, static_cast<uint32_t>(e.shape.size()));
    for (uint64_t d : e.shape) put_u64(table, d);
    put_u64(table, offsets.back());
    put_u64(table, e.bytes.size());
  }
  const uint64_t blob_offset = align_up(kHeaderSize + metadata.size() + table.size());

  std::string out;
  out.reserve(blob_offset + blob_size + kTrailerSize);
  out.append(kMagic, sizeof(kMagic));
  put_u32(out, kFormatVersion);
  put_u32(out, 0);
  put_u64(out, metadata.size());
  put_u64(out, entries_.size());
  put_u64(out, table.size());
  put_u64(out, blob_offset);
  put_u64(out, blob_size);
  put_u64(out, 0);
  out += metadata;
  out += table;
  out.resize(blob_offset, '\0');
  for (size_t i = 0; i < entries_.size(); ++i) {
    out.resize(blob_offset + offsets[i], '\0');
    out += entries_[i].bytes;
  }
  out.resize(blob_offset + blob_size, '\0');
  put_u64(out, fnv1a64(out.data(), out.size()));
  return out;
}

void ModelWriter::write(const std::string& path) const {
  const std::string bytes = serialize();
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace jpqd::format
