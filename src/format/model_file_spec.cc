#include "format/model_file_spec.h"

#include "common/error.h"

namespace jpqd::format {

bool is_valid_dtype(uint32_t raw) { return raw <= static_cast<uint32_t>(DType::kI64); }

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kS8: return 1;
    case DType::kU8: return 1;
    case DType::kS32: return 4;
    case DType::kI64: return 8;
  }
  throw FormatError(str_cat("unknown dtype code ", static_cast<uint32_t>(dtype)));
}

std::string dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kS8: return "s8";
    case DType::kU8: return "u8";
    case DType::kS32: return "s32";
    case DType::kI64: return "i64";
  }
  return str_cat("dtype#", static_cast<uint32_t>(dtype));
}

}  // namespace jpqd::format
