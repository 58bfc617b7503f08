#include "format/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/checksum.h"
#include "common/error.h"

namespace jpqd::format {

namespace {

// Bounds-checked little-endian cursor over the tensor table.
class Cursor {
 public:
  Cursor(const unsigned char* base, uint64_t begin, uint64_t end, const std::string& what)
      : base_(base), pos_(begin), end_(end), what_(what) {}
  uint64_t pos() const { return pos_; }
  const unsigned char* take(uint64_t n, const std::string& field) {
    JPQD_CHECK(n <= end_ - pos_, FormatError, what_, ": tensor table truncated reading ", field, " at byte ", pos_,
               " (table ends at byte ", end_, ")");
    const unsigned char* p = base_ + pos_;
    pos_ += n;
    return p;
  }
  uint32_t u32(const std::string& field) {
    uint32_t v;
    std::memcpy(&v, take(4, field), 4);
    return v;
  }
  uint64_t u64(const std::string& field) {
    uint64_t v;
    std::memcpy(&v, take(8, field), 8);
    return v;
  }

 private:
  const unsigned char* base_;
  uint64_t pos_;
  uint64_t end_;
  const std::string& what_;
};

uint64_t read_u64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint32_t read_u32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// a + b, or a FormatError when it overflows u64.
uint64_t checked_add(uint64_t a, uint64_t b, const std::string& what, const std::string& field) {
  JPQD_CHECK(a <= UINT64_MAX - b, FormatError, what, ": ", field, " overflows (", a, " + ", b, ")");
  return a + b;
}
uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& what, const std::string& field) {
  JPQD_CHECK(b == 0 || a <= UINT64_MAX / b, FormatError, what, ": ", field, " overflows (", a, " * ", b, ")");
  return a * b;
}

}  // namespace

uint64_t TensorView::numel() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;  // validated against size_bytes at load, cannot overflow here
  return n;
}

std::string TensorView::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

ModelFile ModelFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  JPQD_CHECK(fd >= 0, IoError, path, ": cannot open model file: ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw IoError(str_cat(path, ": not a regular file"));
  }
  ModelFile file;
  file.what_ = path;
  file.size_ = static_cast<uint64_t>(st.st_size);
  if (file.size_ > 0) {
    void* map = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    JPQD_CHECK(map != MAP_FAILED, IoError, path, ": mmap failed: ", std::strerror(errno));
    const uint64_t size = file.size_;
    file.storage_ = std::shared_ptr<const void>(map, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
    file.bytes_ = static_cast<const unsigned char*>(map);
  } else {
    ::close(fd);
  }
  file.parse();
  return file;
}

ModelFile ModelFile::from_bytes(std::string bytes, const std::string& what) {
  ModelFile file;
  file.what_ = what;
  // Copy into 64-byte aligned storage so payload alignment holds as it does for a mapping.
  const uint64_t size = bytes.size();
  void* mem = std::aligned_alloc(kBlobAlignment, std::max<uint64_t>(kBlobAlignment, (size + 63) / 64 * 64));
  JPQD_CHECK(mem != nullptr, IoError, what, ": out of memory for ", size, " bytes");
  if (size > 0) std::memcpy(mem, bytes.data(), size);
  file.storage_ = std::shared_ptr<const void>(mem, [](const void* p) { std::free(const_cast<void*>(p)); });
  file.bytes_ = static_cast<const unsigned char*>(mem);
  file.size_ = size;
  file.parse();
  return file;
}

void ModelFile::parse() {
  const std::string& w = what_;
  JPQD_CHECK(size_ >= kHeaderSize + kTrailerSize, FormatError, w, ": truncated: ", size_,
             " bytes, a model file has at least ", kHeaderSize + kTrailerSize);
  JPQD_CHECK(std::memcmp(bytes_, kMagic, sizeof(kMagic)) == 0, FormatError, w,
             ": not a jpqd model file (bad magic at byte 0)");
  version_ = read_u32(bytes_ + 8);
  JPQD_CHECK(version_ == kFormatVersion, FormatError, w, ": unsupported format version ", version_,
             " (this build reads version ", kFormatVersion, ")");
  const uint32_t flags = read_u32(bytes_ + 12);
  JPQD_CHECK(flags == 0, FormatError, w, ": unknown header flags ", flags, " at byte 12");
  const uint64_t metadata_size = read_u64(bytes_ + 16);
  const uint64_t tensor_count = read_u64(bytes_ + 24);
  const uint64_t table_size = read_u64(bytes_ + 32);
  const uint64_t blob_offset = read_u64(bytes_ + 40);
  const uint64_t blob_size = read_u64(bytes_ + 48);

  const uint64_t table_begin = checked_add(kHeaderSize, metadata_size, w, "metadata_size");
  const uint64_t table_end = checked_add(table_begin, table_size, w, "table_size");
  JPQD_CHECK(blob_offset % kBlobAlignment == 0, FormatError, w, ": blob offset ", blob_offset,
             " (header byte 40) is not a multiple of ", kBlobAlignment);
  JPQD_CHECK(blob_offset >= table_end, FormatError, w, ": blob offset ", blob_offset,
             " overlaps the tensor table ending at byte ", table_end);
  const uint64_t blob_end = checked_add(blob_offset, blob_size, w, "blob_size");
  const uint64_t expected_size = checked_add(blob_end, kTrailerSize, w, "file size");
  JPQD_CHECK(table_end <= size_, FormatError, w, ": truncated at byte ", size_, ": metadata and tensor table end at byte ",
             table_end);

  // Each entry takes at least 4 + 1 + 4 + 4 + 8 + 8 bytes, which bounds tensor_count by the table size
  // before we reserve anything.
  JPQD_CHECK(tensor_count <= table_size / 29, FormatError, w, ": tensor count ", tensor_count,
             " cannot fit in a table of ", table_size, " bytes");
  tensors_.reserve(tensor_count);
  Cursor cur(bytes_, table_begin, table_end, w);
  for (uint64_t i = 0; i < tensor_count; ++i) {
    TensorView t;
    const uint64_t entry_at = cur.pos();
    const uint32_t name_size = cur.u32("a name size");
    JPQD_CHECK(name_size >= 1 && name_size <= kMaxNameSize, FormatError, w, ": tensor #", i, " at byte ", entry_at,
               ": name size ", name_size, " outside 1..", kMaxNameSize);
    t.name.assign(reinterpret_cast<const char*>(cur.take(name_size, "a name")), name_size);
    const std::string where = str_cat(w, ": tensor ", t.name);
    const uint32_t raw_dtype = cur.u32("a dtype");
    JPQD_CHECK(is_valid_dtype(raw_dtype), FormatError, where, ": unknown dtype code ", raw_dtype, " at byte ",
               cur.pos() - 4);
    t.dtype = static_cast<DType>(raw_dtype);
    const uint32_t rank = cur.u32("a rank");
    JPQD_CHECK(rank <= kMaxRank, FormatError, where, ": rank ", rank, " above ", kMaxRank);
    uint64_t expected = dtype_size(t.dtype);
    for (uint32_t d = 0; d < rank; ++d) {
      t.shape.push_back(cur.u64("a dimension"));
      expected = checked_mul(expected, t.shape.back(), where, "payload size from shape");
    }
    const uint64_t offset = cur.u64("an offset");
    t.size_bytes = cur.u64("a size");
    JPQD_CHECK(t.size_bytes == expected, FormatError, where, ": shape ", t.shape_string(), " of ",
               dtype_name(t.dtype), " needs ", expected, " bytes, the table says ", t.size_bytes);
    JPQD_CHECK(offset % kBlobAlignment == 0, FormatError, where, ": payload offset ", offset,
               " is not a multiple of ", kBlobAlignment);
    JPQD_CHECK(offset <= blob_size && t.size_bytes <= blob_size - offset, FormatError, where,
               ": payload truncated at byte ", blob_end, " (payload at blob offset ", offset, " with ", t.size_bytes,
               " bytes runs past the blob end)");
    t.file_offset = blob_offset + offset;
    // Names the first tensor a truncated file cuts, which says more than a file size would.
    JPQD_CHECK(t.file_offset + t.size_bytes <= size_, FormatError, where, ": payload truncated at byte ", size_,
               " (payload needs bytes ", t.file_offset, "..", t.file_offset + t.size_bytes, ")");
    t.data = bytes_ + t.file_offset;
    JPQD_CHECK(index_.emplace(t.name, tensors_.size()).second, FormatError, where, ": name appears twice");
    tensors_.push_back(std::move(t));
  }
  JPQD_CHECK(cur.pos() == table_end, FormatError, w, ": ", table_end - cur.pos(),
             " unexplained bytes at the end of the tensor table (byte ", cur.pos(), ")");

  JPQD_CHECK(size_ >= expected_size, FormatError, w, ": truncated at byte ", size_, ": the header describes ",
             expected_size, " bytes");
  JPQD_CHECK(size_ == expected_size, FormatError, w, ": ", size_ - expected_size,
             " unexpected bytes after the checksum at byte ", expected_size);
  checksum_ = read_u64(bytes_ + blob_end);
  const uint64_t actual = fnv1a64(bytes_, blob_end);
  JPQD_CHECK(actual == checksum_, FormatError, w, ": checksum mismatch (stored ", to_hex(checksum_), ", computed ",
             to_hex(actual), "): the file is corrupt");

  metadata_ = parse_json(std::string(reinterpret_cast<const char*>(bytes_ + kHeaderSize), metadata_size),
                         w + ": metadata");
  JPQD_CHECK(metadata_.is_object(), FormatError, w, ": metadata is not a JSON object");

  // Overlap: sort non-empty payloads by offset and compare neighbours.
  std::vector<const TensorView*> order;
  for (const auto& t : tensors_)
    if (t.size_bytes > 0) order.push_back(&t);
  std::sort(order.begin(), order.end(),
            [](const TensorView* a, const TensorView* b) { return a->file_offset < b->file_offset; });
  for (size_t i = 1; i < order.size(); ++i) {
    const TensorView& prev = *order[i - 1];
    JPQD_CHECK(prev.file_offset + prev.size_bytes <= order[i]->file_offset, FormatError, w, ": tensor ",
               order[i]->name, ": payload at byte ", order[i]->file_offset, " overlaps tensor ", prev.name,
               " (bytes ", prev.file_offset, "..", prev.file_offset + prev.size_bytes, ")");
  }
}

const TensorView* ModelFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorView& ModelFile::get(const std::string& name) const {
  const TensorView* t = find(name);
  JPQD_CHECK(t != nullptr, FormatError, what_, ": missing tensor ", name);
  return *t;
}

}  // namespace jpqd::format
