// Reads a model file (layout in format/model_file_spec.h): maps it into memory, verifies the
// checksum and every structural rule, and exposes the metadata and zero-copy tensor views.
// Nothing is trusted: every offset and size is range- and overflow-checked before use, so a
// truncated, corrupt or hostile file yields a FormatError naming the tensor and byte offset.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json_util.h"
#include "format/model_file_spec.h"

namespace jpqd::format {

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<uint64_t> shape;
  const void* data = nullptr;  // 64-byte aligned inside the mapping; valid while the ModelFile lives
  uint64_t size_bytes = 0;
  uint64_t file_offset = 0;  // absolute, for messages and `jpqd inspect`

  uint64_t numel() const;
  std::string shape_string() const;  // "[768, 3072]"
  template <typename T>
  const T* as() const { return static_cast<const T*>(data); }
};

class ModelFile {
 public:
  // Memory-maps `path` read-only. Throws IoError when it cannot be opened, FormatError when invalid.
  static ModelFile open(const std::string& path);
  // Validates an in-memory copy (`what` names it in messages).
  static ModelFile from_bytes(std::string bytes, const std::string& what);

  uint32_t format_version() const { return version_; }
  uint64_t file_size() const { return size_; }
  uint64_t checksum() const { return checksum_; }
  const std::string& path() const { return what_; }
  const Json& metadata() const { return metadata_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }

  const TensorView* find(const std::string& name) const;
  // Throws FormatError "<file>: missing tensor <name>".
  const TensorView& get(const std::string& name) const;

 private:
  ModelFile() = default;
  void parse();

  std::shared_ptr<const void> storage_;  // the mapping (or owned bytes); TensorView::data points into it
  const unsigned char* bytes_ = nullptr;
  uint64_t size_ = 0;
  std::string what_;
  uint32_t version_ = 0;
  uint64_t checksum_ = 0;
  Json metadata_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace jpqd::format
