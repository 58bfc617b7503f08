// Writes a model file (layout in format/model_file_spec.h) from metadata JSON and named raw tensors.
// Torch-free, so the exporter, tests and tools can all produce model files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "format/model_file_spec.h"

namespace jpqd::format {

class ModelWriter {
 public:
  explicit ModelWriter(Json metadata);

  // Copies `size_bytes` bytes from `data`; size_bytes must equal product(shape) * dtype_size(dtype).
  // Throws InvalidArgument on a duplicate or empty name, or a size that disagrees with the shape.
  void add_tensor(const std::string& name, DType dtype, const std::vector<uint64_t>& shape, const void* data,
                  size_t size_bytes);
  template <typename T>
  void add_tensor(const std::string& name, DType dtype, const std::vector<uint64_t>& shape,
                  const std::vector<T>& values) {
    add_tensor(name, dtype, shape, values.data(), values.size() * sizeof(T));
  }

  // The whole file as bytes (tests corrupt it on purpose).
  std::string serialize() const;
  // Writes atomically (temporary name, fsync, rename): a failed write leaves no file under `path`.
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<uint64_t> shape;
    std::string bytes;
  };
  Json metadata_;
  std::vector<Entry> entries_;
};

}  // namespace jpqd::format
