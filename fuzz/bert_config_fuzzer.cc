// config.json of a Hugging Face checkpoint through BertConfig::from_json and validate(); an accepted
// config must survive to_json -> from_json unchanged and answer its per-layer queries.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/json_util.h"
#include "fuzz_support.h"
#include "model/bert_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const jpqd::Json json = jpqd::parse_json(std::string(reinterpret_cast<const char*>(data), size), "config.json");
    auto config = jpqd::model::BertConfig::from_json(json, "config.json");
    config.validate("config.json");
    JPQD_FUZZ_ASSERT(config.num_attention_heads > 0 && config.hidden_size > 0);
    for (int64_t layer = 0; layer < config.num_hidden_layers && layer < 64; ++layer) {
      JPQD_FUZZ_ASSERT(config.layer_heads(layer) >= 0 && config.layer_intermediate(layer) >= 0);
    }
    const auto again = jpqd::model::BertConfig::from_json(config.to_json(), "round trip");
    JPQD_FUZZ_ASSERT(again.to_json() == config.to_json());
  } catch (const jpqd::Error&) {
  }
  return 0;
}
