// Hugging Face checkpoint directories: config.json + model.safetensors (or a sharded
// model.safetensors.index.json, or pytorch_model.bin), loaded and saved the way transformers does, so
// that a directory saved here loads in transformers and the other way round.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/bert.h"
#include "model/safetensors.h"

namespace jpqd::model {

struct LoadReport {
  std::string source;                    // the weights file (or index) that was read
  std::vector<std::string> missing;      // model tensors the checkpoint lacked: left HF-initialised
  std::vector<std::string> unexpected;   // checkpoint tensors the model does not have: ignored
};

// The checkpoint's tensors as stored (file dtypes), from the first of model.safetensors,
// model.safetensors.index.json, pytorch_model.bin found in `dir`; `source` receives the file read.
NamedTensors read_checkpoint_tensors(const std::string& dir, std::string* source = nullptr);

// Copies `tensors` into `model` through its family's description (architecture/architecture.h): legacy and
// prefix-less names are mapped, tied copies used only when needed. A checkpoint none of whose tensors
// belongs to the model's encoder while some belong to another family's is a FormatError naming a key. A shape that disagrees with the model's config is a
// FormatError naming the tensor, `source` and both shapes. Missing and unexpected keys are logged as
// transformers does and returned.
LoadReport load_state(BertImpl& model, const NamedTensors& tensors, const std::string& source);

// from_pretrained: config.json (num_labels, when given, overrides the checkpoint's label count), the
// weights, and the report of missing/unexpected keys. The model is returned in eval mode, as HF does.
Bert load_pretrained(const std::string& dir, TaskHead head, std::optional<int64_t> num_labels = std::nullopt,
                     LoadReport* report = nullptr);

// save_pretrained: config.json (architectures from the head, torch_dtype) and model.safetensors with
// the model's own tensors in `dtype` (kFloat32, kFloat16 or kBFloat16; the tied decoder weight is not
// duplicated), each file written atomically. Compression state attached to the model is not saved here.
void save_pretrained(BertImpl& model, const std::string& dir, torch::Dtype dtype = torch::kFloat32);

}  // namespace jpqd::model
