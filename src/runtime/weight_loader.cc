#include "runtime/weight_loader.h"

#include <cmath>
#include <cstring>

#include "common/error.h"
#include "format/model_tokenizer.h"
#include "format/tensor_names.h"

namespace jpqd::runtime {

namespace names = format::tensor_names;
using format::DType;

namespace {

std::string shape_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace

WeightLoader::WeightLoader(const format::ModelFile& file, const format::ModelMetadata& metadata, MatmulCache* cache)
    : file_(file), metadata_(metadata), cache_(cache) {}

const format::TensorView& WeightLoader::tensor(const std::string& name, const std::vector<uint64_t>& shape) {
  const format::TensorView& t = file_.get(name);
  JPQD_CHECK(t.shape == shape, FormatError, file_.path(), ": tensor ", name, ": shape ", t.shape_string(),
             ", the metadata implies ", shape_string(shape));
  used_tensors_.insert(name);
  return t;
}

const float* WeightLoader::floats(const std::string& name, const std::vector<uint64_t>& shape) {
  const format::TensorView& t = tensor(name, shape);
  if (t.dtype == DType::kF32) return t.as<float>();
  JPQD_CHECK(t.dtype == DType::kF16, FormatError, file_.path(), ": tensor ", name, ": dtype ",
             format::dtype_name(t.dtype), " where f32 or f16 is expected");
  std::vector<float> out(t.numel());
  const uint16_t* src = t.as<uint16_t>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = half_to_float(src[i]);
  owned.push_back(std::move(out));
  return owned.back().data();
}

ops::EmbeddingTable WeightLoader::embedding(const std::string& prefix, int64_t rows, int64_t width) {
  ops::EmbeddingTable e;
  e.rows = rows;
  e.width = width;
  const std::vector<uint64_t> shape = {static_cast<uint64_t>(rows), static_cast<uint64_t>(width)};
  const format::TensorView& w = tensor(names::weight(prefix), shape);
  if (w.dtype == DType::kS8) {
    e.s8 = w.as<int8_t>();
    e.row_scale = floats(names::weight_scale(prefix), {static_cast<uint64_t>(rows)});
  } else {
    e.f32 = floats(names::weight(prefix), shape);
  }
  return e;
}

std::optional<format::ActivationQuantizer> WeightLoader::input_quantizer(const std::string& prefix) const {
  const format::TensorView* w = file_.find(names::weight(prefix));
  if (w == nullptr || w->dtype != DType::kS8) return std::nullopt;
  auto it = metadata_.quantization.linear_inputs.find(prefix);
  JPQD_CHECK(it != metadata_.quantization.linear_inputs.end(), FormatError, file_.path(), ": tensor ",
             names::weight(prefix), " is s8 but metadata quantization.linears has no input quantizer for ", prefix);
  return it->second;
}

WeightLoader::LinearTensors WeightLoader::linear_tensors(const std::string& prefix, int64_t in, int64_t out) {
  const std::vector<uint64_t> wshape = {static_cast<uint64_t>(out), static_cast<uint64_t>(in)};
  const format::TensorView& w = tensor(names::weight(prefix), wshape);
  LinearTensors t;
  ops::LinearWeights& lw = t.weights;
  lw.in_features = in;
  lw.out_features = out;
  lw.bias = floats(names::bias(prefix), {static_cast<uint64_t>(out)});
  t.input_quantizer = input_quantizer(prefix);
  if (w.dtype == DType::kS8) {
    used_quantizers_.insert(prefix);
    lw.s8 = w.as<int8_t>();
    lw.weight_scale = floats(names::weight_scale(prefix), {static_cast<uint64_t>(out)});
    for (int64_t n = 0; n < out; ++n)
      JPQD_CHECK(lw.weight_scale[n] > 0 && std::isfinite(lw.weight_scale[n]), FormatError, file_.path(),
                 ": tensor ", names::weight_scale(prefix), ": element ", n, " is ", lw.weight_scale[n],
                 ", scales must be positive and finite");
  } else {
    JPQD_CHECK(metadata_.quantization.linear_inputs.count(prefix) == 0, FormatError, file_.path(), ": ", prefix,
               " has an input quantizer in the metadata but its weight is ", format::dtype_name(w.dtype),
               ", not s8");
    lw.f32 = floats(names::weight(prefix), wshape);
  }
  return t;
}

std::unique_ptr<ops::Linear> WeightLoader::make_linear(const ops::LinearWeights& weights,
                                                       const std::optional<format::ActivationQuantizer>& input_quantizer,
                                                       ops::LinearOptions options) {
  options.input_quantizer = input_quantizer;
  return std::make_unique<ops::Linear>(weights, std::move(options), cache_);
}

std::unique_ptr<ops::Linear> WeightLoader::linear(const std::string& prefix, int64_t in, int64_t out,
                                                  ops::LinearOptions options) {
  const LinearTensors t = linear_tensors(prefix, in, out);
  return make_linear(t.weights, t.input_quantizer, std::move(options));
}

void WeightLoader::tokenizer_files() {
  format::model_tokenizer_files(file_, metadata_);
  for (const std::string& name : metadata_.tokenizer.files) used_tensors_.insert(format::tokenizer_file_tensor(name));
}

void WeightLoader::check_everything_used() const {
  for (const auto& t : file_.tensors())
    JPQD_CHECK(used_tensors_.count(t.name) != 0, FormatError, file_.path(), ": tensor ", t.name,
               " is not part of the model the metadata describes");
  for (const auto& [name, q] : metadata_.quantization.linear_inputs)
    JPQD_CHECK(used_quantizers_.count(name) != 0, FormatError, file_.path(), ": quantization.linears.", name,
               " names no INT8 Linear of this model");
}

}  // namespace jpqd::runtime
