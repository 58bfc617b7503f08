// config.json inputs found by fuzzing (fuzz/bert_config_fuzzer.cc) that reached undefined behaviour.
// Under scripts/sanitize.sh, UBSan fails these tests if it comes back.
#include <gtest/gtest.h>

#include "common/error.h"
#include "model/bert_config.h"

namespace jpqd::model {
namespace {

// "vocab_size": 1e300 used to be cast to int64 (undefined) because it is a whole number.
TEST(BertConfigRegression, WholeFloatsOutsideInt64AreAFormatError) {
  for (const char* key : {"vocab_size", "hidden_size", "num_hidden_layers", "max_position_embeddings"}) {
    Json j = Json::parse(R"({"vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
      "intermediate_size": 64})");
    j[key] = -1e300;
    try {
      BertConfig::from_json(j, "config.json");
      FAIL() << key << " = -1e300 accepted";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

// Integral floats that fit are still read as before.
TEST(BertConfigRegression, WholeFloatsInsideInt64StillRead) {
  const Json j = Json::parse(R"({"vocab_size": 100.0, "hidden_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 64})");
  EXPECT_EQ(BertConfig::from_json(j, "config.json").vocab_size, 100);
}

}  // namespace
}  // namespace jpqd::model
