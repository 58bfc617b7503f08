#include "export/build_exported_model.h"

#include <map>

#include "common/error.h"
#include "common/logging.h"
#include "compression/quantization/export_params.h"
#include "compression/quantization/quantization_controller.h"
#include "compression/sparsity/movement/movement_sparsity_controller.h"
#include "export/physical_pruner.h"
#include "export/pruning_plan.h"

namespace jpqd::exporter {

namespace {

using compression::QuantizerPlacement;

ActivationQuant activation_from(const compression::QuantizerExportParams& p) {
  ActivationQuant a;
  a.scale = p.scale.to(torch::kFloat32).reshape({-1})[0].item<float>();
  a.zero_point = p.zero_point.to(torch::kInt32).reshape({-1})[0].item<int32_t>();
  a.is_signed = p.is_signed;
  return a;
}

// Weight integers and per-row scales, sliced like the FP32 tensor they replace.
WeightQuant weight_from(const compression::QuantizerExportParams& p, const std::string& tensor_name,
                        const PruningPlan& plan) {
  JPQD_CHECK(p.is_signed, FormatError, "export: weight quantizer of ", tensor_name, " is unsigned; INT8 weights are s8");
  const TensorSlice slice = slice_for(tensor_name, plan);
  WeightQuant w;
  w.values = apply_slice(p.quantized.to(torch::kInt8), slice);
  auto scales = p.scale.to(torch::kFloat32).reshape({-1});
  if (scales.numel() == 1) scales = scales.expand({w.values.size(0)}).contiguous();
  w.scales = slice.dim == 0 ? apply_slice(scales, slice) : scales.contiguous();
  return w;
}

void add_quantizers(model::BertImpl& model, const compression::QuantizationController& q, const PruningPlan& plan,
                    ExportedModel& out) {
  std::map<std::string, const model::ModelNode*> by_scope;
  const model::ModelGraph graph = model.graph();
  for (const auto& node : graph) by_scope[node.scope] = &node;
  for (const auto& entry : q.quantizers()) {
    const QuantizerPlacement& p = entry.placement;
    auto it = by_scope.find(p.scope);
    JPQD_CHECK(it != by_scope.end(), FormatError, "export: quantizer ", p.name, " sits on no node of the model");
    const model::ModelNode& node = *it->second;
    switch (p.target) {
      case QuantizerPlacement::Target::kLinearWeight:
        out.linears[node.name].weight =
            weight_from(compression::export_entry(entry), node.name + ".weight", plan);
        break;
      case QuantizerPlacement::Target::kLinearInput:
        out.linears[node.name].input = activation_from(compression::export_entry(entry));
        break;
      case QuantizerPlacement::Target::kHookPoint: {
        const auto params = compression::export_entry(entry);
        if (node.kind == model::NodeKind::kEmbedding) {
          out.embeddings[node.name + ".weight"] = weight_from(params, node.name + ".weight", plan);
        } else if (node.role == model::NodeRole::kQkvInput) {
          // One quantizer on the hidden states that Q, K and V all read.
          const int layer = static_cast<int>(node.layer_index);
          for (const auto role : {model::NodeRole::kQuery, model::NodeRole::kKey, model::NodeRole::kValue})
            out.linears[model.architecture().module_path(role, layer)].input = activation_from(params);
        } else if (node.role == model::NodeRole::kMatmul0Input0) {
          out.query_quant[node.layer_index] = activation_from(params);
        } else if (node.role == model::NodeRole::kMatmul0Input1) {
          out.key_quant[node.layer_index] = activation_from(params);
        } else {
          throw FormatError(str_cat("export: no INT8 lowering for the quantizer at ", p.scope));
        }
        break;
      }
    }
  }
}

}  // namespace

ExportedModel build_exported_model(model::BertImpl& model, const compression::CompositeController* controller,
                                   ExportNotes* notes) {
  torch::NoGradGuard no_grad;
  ExportNotes local;
  ExportNotes& n = notes ? *notes : local;
  const auto* movement = controller ? dynamic_cast<const compression::MovementSparsityController*>(
                                          controller->find("movement_sparsity"))
                                    : nullptr;
  const auto* quantization =
      controller ? dynamic_cast<const compression::QuantizationController*>(controller->find("quantization")) : nullptr;

  const bool structured = movement && movement->structured_masking_done();
  if (movement && !structured)
    n.messages.push_back("the run never reached structured masking (end of warm-up): exported dense, masks folded");
  const PruningPlan plan = make_pruning_plan(model, structured);
  PrunedState pruned = prune_physically(model.config(), masked_state_dict(model), plan);

  ExportedModel out;
  out.config = pruned.config;
  out.head = model.head();
  out.tensors = std::move(pruned.tensors);
  out.pruning = plan.to_json();
  n.pruned = structured;

  if (quantization) {
    bool initialised = true;
    for (const auto& info : quantization->list()) initialised = initialised && info.initialized;
    if (initialised) {
      add_quantizers(model, *quantization, plan, out);
      n.quantized = true;
    } else {
      n.messages.push_back("the quantizers have no trained ranges (no quantizer state): exported FP32");
    }
  }
  for (const auto& m : n.messages) log_warning("export: ", m);
  return out;
}

}  // namespace jpqd::exporter
