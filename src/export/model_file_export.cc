#include "export/model_file_export.h"

#include "common/error.h"
#include "format/model_metadata.h"
#include "format/model_tokenizer.h"
#include "format/model_writer.h"
#include "format/tensor_names.h"

namespace jpqd::exporter {

namespace {

std::vector<uint64_t> shape_of(const torch::Tensor& t) {
  std::vector<uint64_t> shape;
  for (auto d : t.sizes()) shape.push_back(static_cast<uint64_t>(d));
  return shape;
}

void add(format::ModelWriter& writer, const std::string& name, const torch::Tensor& tensor) {
  auto t = tensor.to(torch::kCPU).contiguous();  // a model trained on a GPU exports the same way
  format::DType dtype;
  switch (t.scalar_type()) {
    case torch::kFloat32: dtype = format::DType::kF32; break;
    case torch::kInt8: dtype = format::DType::kS8; break;
    default: throw FormatError(str_cat("export: tensor ", name, " has an unsupported dtype ", t.scalar_type()));
  }
  writer.add_tensor(name, dtype, shape_of(t), t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
}

format::ActivationQuantizer to_format(const ActivationQuant& a) { return {a.scale, a.zero_point, a.is_signed}; }

format::ModelMetadata metadata_of(const ExportedModel& m, const text::Tokenizer& tokenizer) {
  const auto& c = m.config;
  format::ModelMetadata meta;
  auto& arch = meta.architecture;
  arch.hidden_size = c.hidden_size;
  arch.vocab_size = c.vocab_size;
  arch.max_position_embeddings = c.max_position_embeddings;
  const architecture::Architecture& family = c.architecture();
  format::set_family_fields(family, arch);
  arch.padding_idx = c.pad_token_id;
  arch.type_vocab_size = family.token_type_embeddings ? c.type_vocab_size : 0;
  arch.layer_norm_eps = c.layer_norm_eps;
  arch.hidden_act = c.hidden_act == "relu" ? format::HiddenAct::kRelu
                    : c.hidden_act == "gelu_new" ? format::HiddenAct::kGeluNew
                                                 : format::HiddenAct::kGelu;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l)
    arch.layers.push_back({c.layer_heads(l), c.head_dim(), c.layer_intermediate(l)});
  if (m.head == model::TaskHead::kQuestionAnswering) {
    meta.task.type = format::TaskType::kQuestionAnswering;
  } else {
    JPQD_CHECK(m.head == model::TaskHead::kSequenceClassification, InvalidArgument,
               "export: only sequence classification and question answering models can be exported");
    meta.task.num_labels = c.num_labels();
    for (const auto& [id, label] : c.id2label) meta.task.id2label.push_back(label);
    if (!c.problem_type.empty()) meta.task.problem_type = c.problem_type;
    else if (c.num_labels() == 1) meta.task.problem_type = "regression";
  }
  format::describe_tokenizer(tokenizer, c.vocab_size,
                             std::min<int64_t>(tokenizer.model_max_length(), arch.max_sequence_length()), meta);
  meta.provenance = m.provenance;
  meta.provenance["pruning"] = m.pruning;
  return meta;
}

}  // namespace

void write_model_file(const ExportedModel& m, const text::Tokenizer& tokenizer, const std::string& path) {
  torch::NoGradGuard no_grad;
  format::ModelMetadata meta = metadata_of(m, tokenizer);
  const architecture::Architecture& family = m.config.architecture();
  auto file_name = [&](const std::string& hf_name) { return family.file_name(hf_name); };
  std::map<std::string, torch::Tensor> tensors = m.tensors;
  std::map<std::string, torch::Tensor> int8_scales;

  for (const auto& [module, q] : m.linears) {
    const std::string weight = module + ".weight";
    JPQD_CHECK(tensors.count(weight), FormatError, "export: quantizer on unknown Linear ", module);
    if (q.weight && q.input) {
      tensors[weight] = q.weight->values;
      int8_scales[module] = q.weight->scales;
      meta.quantization.linear_inputs[file_name(module)] = to_format(*q.input);
    } else if (q.weight) {
      // No input quantizer: the float weight the training forward saw, dequantized exactly.
      tensors[weight] = q.weight->values.to(torch::kFloat32) * q.weight->scales.unsqueeze(1);
    } else {
      throw FormatError(str_cat("export: ", module,
                                " has an input quantizer but a float weight; the INT8 engine needs both quantized"));
    }
  }
  for (const auto& [table, q] : m.embeddings) {
    JPQD_CHECK(tensors.count(table), FormatError, "export: quantizer on unknown embedding table ", table);
    tensors[table] = q.values;
    int8_scales[table.substr(0, table.size() - std::string(".weight").size())] = q.scales;
  }
  if (!m.query_quant.empty() || !m.key_quant.empty()) {
    meta.quantization.attention.resize(static_cast<size_t>(m.config.num_hidden_layers));
    for (const auto& [layer, query] : m.query_quant) {
      auto key = m.key_quant.find(layer);
      JPQD_CHECK(key != m.key_quant.end(), FormatError, "export: layer ", layer,
                 " quantizes the query entering Q·Kᵀ but not the key");
      meta.quantization.attention[static_cast<size_t>(layer)] = format::AttentionQuantizers{to_format(query),
                                                                                            to_format(key->second)};
    }
  }
  meta.quantization.int8 = m.quantized();

  format::ModelWriter writer(meta.to_json());
  for (const auto& [name, tensor] : tensors) {
    if (name.rfind("cls.", 0) == 0) continue;  // masked-LM head: not served by the runtime
    add(writer, file_name(name), tensor);
  }
  for (const auto& [prefix, scales] : int8_scales)
    add(writer, format::tensor_names::weight_scale(file_name(prefix)), scales.to(torch::kFloat32));
  format::add_tokenizer_files(tokenizer, writer);
  writer.write(path);
}

}  // namespace jpqd::exporter
