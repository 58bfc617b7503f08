#include "export/onnx_graph_builder.h"

#include <cstring>
#include <sstream>

#include "common/error.h"

namespace jpqd::exporter {

onnx::AttributeProto onnx_attr(const std::string& name, int64_t value) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
  return a;
}

onnx::AttributeProto onnx_attr(const std::string& name, float value) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(value);
  return a;
}

onnx::AttributeProto onnx_attr(const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a.add_ints(v);
  return a;
}

namespace {

int32_t onnx_type_of(const torch::Tensor& t, const std::string& name) {
  switch (t.scalar_type()) {
    case torch::kFloat:
      return onnx::TensorProto::FLOAT;
    case torch::kChar:
      return onnx::TensorProto::INT8;
    case torch::kByte:
      return onnx::TensorProto::UINT8;
    case torch::kLong:
      return onnx::TensorProto::INT64;
    default:
      JPQD_CHECK(false, InvalidArgument, "ONNX export: tensor \"", name, "\" has unsupported dtype ", t.scalar_type());
  }
  return 0;
}

}  // namespace

std::string OnnxGraphBuilder::add_initializer(const std::string& name, const torch::Tensor& tensor) {
  JPQD_CHECK(tensor.defined(), InvalidArgument, "ONNX export: tensor \"", name, "\" is undefined");
  const std::string unique_name = unique(name);
  onnx::TensorProto* proto = graph_->add_initializer();
  proto->set_name(unique_name);
  proto->set_data_type(onnx_type_of(tensor, name));
  for (int64_t d : tensor.sizes()) proto->add_dims(d);
  // raw_data is little-endian, like every machine LibTorch runs on here.
  const torch::Tensor cpu = tensor.device().is_cpu() ? tensor.contiguous() : tensor.cpu().contiguous();
  proto->mutable_raw_data()->assign(static_cast<const char*>(cpu.data_ptr()), cpu.nbytes());
  return unique_name;
}

std::string OnnxGraphBuilder::add_scalar_float(const std::string& name, float value) {
  return add_initializer(name, torch::tensor(value, torch::kFloat).reshape({}));
}

std::string OnnxGraphBuilder::add_scalar_zero_point(const std::string& name, int32_t zero_point, bool is_signed) {
  const int32_t lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
  JPQD_CHECK(zero_point >= lo && zero_point <= hi, InvalidArgument, "ONNX export: zero point ", zero_point, " of \"",
             name, "\" is outside [", lo, ", ", hi, "]");
  auto t = torch::full({}, zero_point, is_signed ? torch::kChar : torch::kByte);
  return add_initializer(name, t);
}

std::string OnnxGraphBuilder::float_constant(float value) {
  std::ostringstream key;
  key.precision(9);
  key << "const/f32/" << value;
  auto it = constants_.find(key.str());
  if (it != constants_.end()) return it->second;
  return constants_[key.str()] = add_scalar_float(key.str(), value);
}

std::string OnnxGraphBuilder::int64_constant(const std::vector<int64_t>& values) {
  std::ostringstream key;
  key << "const/i64/[";
  for (size_t i = 0; i < values.size(); ++i) key << (i ? "," : "") << values[i];
  key << "]";
  auto it = constants_.find(key.str());
  if (it != constants_.end()) return it->second;
  return constants_[key.str()] = add_initializer(key.str(), torch::tensor(values, torch::kLong));
}

std::string OnnxGraphBuilder::int64_scalar(int64_t value) {
  const std::string key = str_cat("const/i64/", value);
  auto it = constants_.find(key);
  if (it != constants_.end()) return it->second;
  return constants_[key] = add_initializer(key, torch::tensor(value, torch::kLong).reshape({}));
}

std::string OnnxGraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                   const std::string& scope, const std::string& hint,
                                   const std::vector<onnx::AttributeProto>& attributes) {
  const std::string output = unique(scope.empty() ? hint : scope + "/" + hint);
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(unique(output + ":" + op));
  for (const auto& in : inputs) n->add_input(in);
  n->add_output(output);
  for (const auto& a : attributes) *n->add_attribute() = a;
  return output;
}

namespace {

void fill_value_info(onnx::ValueInfoProto* info, const std::string& name, int32_t elem_type,
                     const std::vector<OnnxGraphBuilder::Dim>& dims) {
  info->set_name(name);
  auto* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(elem_type);
  auto* shape = tensor_type->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (d.symbol.empty()) {
      dim->set_dim_value(d.size);
    } else {
      dim->set_dim_param(d.symbol);
    }
  }
}

}  // namespace

void OnnxGraphBuilder::add_input(const std::string& name, int32_t elem_type, const std::vector<Dim>& dims) {
  fill_value_info(graph_->add_input(), unique(name), elem_type, dims);
}

void OnnxGraphBuilder::add_output(const std::string& name, int32_t elem_type, const std::vector<Dim>& dims) {
  fill_value_info(graph_->add_output(), name, elem_type, dims);
}

std::string OnnxGraphBuilder::unique(const std::string& name) {
  const int n = used_names_[name]++;
  return n == 0 ? name : str_cat(name, "_", n);
}

}  // namespace jpqd::exporter
