// The NNCF compression config (--nncf_config / openvino_config.json) through parse_json and
// CompressionConfig::parse: strict keys, values, and "{re}" scope regexes compiled at parse time.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "compression/config/scopes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const jpqd::Json json = jpqd::parse_json(std::string(reinterpret_cast<const char*>(data), size), "config");
    const auto config = jpqd::compression::CompressionConfig::parse(json, "config");
    // Accepted scopes are matched against node names later; that must not throw or crash either.
    const std::string scope = "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/"
                              "ModuleList[layer]/BertLayer[0]/BertAttention[attention]/NNCFLinear[query]/linear_0";
    using jpqd::compression::any_scope_matches;
    if (config.quantization) {
      any_scope_matches(config.quantization->ignored_scopes, scope);
      any_scope_matches(config.quantization->target_scopes, scope);
    }
    if (config.movement_sparsity) {
      any_scope_matches(config.movement_sparsity->ignored_scopes, scope);
      any_scope_matches(config.movement_sparsity->target_scopes, scope);
    }
  } catch (const jpqd::Error&) {
  }
  return 0;
}
