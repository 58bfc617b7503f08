// Reads tensors out of a verified ModelFile for the engine, checking each against the shape the
// metadata implies ("tensor X: shape [a, b], the metadata implies [c, d]"). f16 tensors are widened to
// f32 once, here; f32 tensors are used in place from the mapping.
#pragma once

#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/model_metadata.h"
#include "runtime/dnnl_context.h"
#include "runtime/ops/embedding.h"
#include "runtime/ops/linear.h"

namespace jpqd::runtime {

class WeightLoader {
 public:
  WeightLoader(const format::ModelFile& file, const format::ModelMetadata& metadata, MatmulCache* cache);

  // An f32 view of a float tensor (f32 or f16) of exactly `shape`.
  const float* floats(const std::string& name, const std::vector<uint64_t>& shape);
  ops::EmbeddingTable embedding(const std::string& prefix, int64_t rows, int64_t width);
  // The Linear "<prefix>" with weight [out, in]: INT8 when its weight is s8 (then the metadata must list
  // its input quantizer), else FP32. Options other than the input quantizer come from the caller.
  std::unique_ptr<ops::Linear> linear(const std::string& prefix, int64_t in, int64_t out, ops::LinearOptions options);
  // The checked tensors of a Linear, for callers that combine several (fused Q/K/V).
  struct LinearTensors {
    ops::LinearWeights weights;
    std::optional<format::ActivationQuantizer> input_quantizer;
  };
  LinearTensors linear_tensors(const std::string& prefix, int64_t in, int64_t out);
  std::unique_ptr<ops::Linear> make_linear(const ops::LinearWeights& weights,
                                           const std::optional<format::ActivationQuantizer>& input_quantizer,
                                           ops::LinearOptions options);
  // The input quantizer the metadata lists for `prefix`, if its weight is s8.
  std::optional<format::ActivationQuantizer> input_quantizer(const std::string& prefix) const;

  // Checks the tokenizer files the metadata lists (format/model_tokenizer.h) and counts them as used;
  // the tokenizer itself is built only when text is first run.
  void tokenizer_files();
  // Throws FormatError naming tensors or quantizer entries nothing used (a file for another model).
  void check_everything_used() const;

 private:
  const format::TensorView& tensor(const std::string& name, const std::vector<uint64_t>& shape);

  const format::ModelFile& file_;
  const format::ModelMetadata& metadata_;
  MatmulCache* cache_;
  std::set<std::string> used_tensors_;
  std::set<std::string> used_quantizers_;

 public:
  // Owned f32 copies of f16 tensors; deque keeps addresses stable.
  std::deque<std::vector<float>> owned;
};

}  // namespace jpqd::runtime
