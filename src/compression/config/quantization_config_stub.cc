// TEMPORARY (movement helper): lets CompressionConfig link until the quantization helper's
// quantization_config.cc exists; compiles to nothing once it does. Delete when that file lands.
#if !__has_include("quantization_config.cc")
#include "common/error.h"
#include "compression/config/quantization_config.h"

namespace jpqd::compression {

QuantizationConfig QuantizationConfig::parse(const Json& json, const std::string& where) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": expected an object");
  return QuantizationConfig{};
}

}  // namespace jpqd::compression
#endif
