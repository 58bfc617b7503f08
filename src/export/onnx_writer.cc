#include "export/onnx_writer.h"

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>
#include <exception>

#include "common/error.h"
#include "common/file_io.h"
#include "export/onnx_bert_layers.h"

namespace jpqd::exporter {

namespace {

// Streams the serialized model into the temporary file, so a 400 MB model is never held twice in memory.
// Errors are kept and rethrown by the caller rather than thrown through protobuf's frames.
class AtomicFileStream : public google::protobuf::io::CopyingOutputStream {
 public:
  explicit AtomicFileStream(AtomicFile& file) : file_(file) {}
  bool Write(const void* buffer, int size) override {
    try {
      file_.write(buffer, static_cast<size_t>(size));
      return true;
    } catch (...) {
      error_ = std::current_exception();
      return false;
    }
  }
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  AtomicFile& file_;
  std::exception_ptr error_;
};

void check_structure(const ExportedModel& model) {
  const model::BertConfig& c = model.config;
  JPQD_CHECK(c.num_hidden_layers >= 0 && c.num_attention_heads > 0 && c.hidden_size % c.num_attention_heads == 0,
             InvalidArgument, "ONNX export: hidden_size ", c.hidden_size, " is not divisible by num_attention_heads ",
             c.num_attention_heads);
  JPQD_CHECK(c.heads_per_layer.empty() || static_cast<int64_t>(c.heads_per_layer.size()) == c.num_hidden_layers,
             InvalidArgument, "ONNX export: heads_per_layer has ", c.heads_per_layer.size(), " entries for ",
             c.num_hidden_layers, " layers");
  JPQD_CHECK(
      c.intermediate_per_layer.empty() || static_cast<int64_t>(c.intermediate_per_layer.size()) == c.num_hidden_layers,
      InvalidArgument, "ONNX export: intermediate_per_layer has ", c.intermediate_per_layer.size(), " entries for ",
      c.num_hidden_layers, " layers");
  for (int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
    JPQD_CHECK(c.layer_heads(layer) >= 0 && c.layer_heads(layer) <= c.num_attention_heads, InvalidArgument,
               "ONNX export: layer ", layer, " has ", c.layer_heads(layer), " heads");
    JPQD_CHECK(c.layer_intermediate(layer) >= 0, InvalidArgument, "ONNX export: layer ", layer,
               " has a negative FFN width");
  }
}

void build_graph(const ExportedModel& model, onnx::GraphProto* graph) {
  graph->set_name(model::task_head_architecture(model.head, model.config));
  OnnxGraphBuilder g(graph);
  OnnxExportContext ctx{model, g};
  const std::vector<OnnxGraphBuilder::Dim> batch_seq = {{-1, "batch"}, {-1, "sequence"}};
  for (const char* name : {"input_ids", "attention_mask", "token_type_ids"}) {
    g.add_input(name, onnx::TensorProto::INT64, batch_seq);
  }
  std::string hidden = emit_embeddings(ctx, "input_ids", "token_type_ids");
  const std::string mask = emit_additive_mask(ctx, "attention_mask");
  for (int64_t layer = 0; layer < model.config.num_hidden_layers; ++layer) {
    hidden = emit_attention(ctx, layer, hidden, mask);
    hidden = emit_feed_forward(ctx, layer, hidden);
  }
  for (const std::string& output : emit_task_head(ctx, hidden)) {
    if (output == "logits") {
      g.add_output(output, onnx::TensorProto::FLOAT, {{-1, "batch"}, {model.config.num_labels(), ""}});
    } else {
      g.add_output(output, onnx::TensorProto::FLOAT, batch_seq);
    }
  }
}

void add_metadata(onnx::ModelProto& proto, const std::string& key, const std::string& value) {
  auto* entry = proto.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

}  // namespace

void write_onnx(const ExportedModel& model, const std::string& path) {
  check_structure(model);
  AtomicFile file(path);  // an unwritable path fails before any work
  onnx::ModelProto proto;
  proto.set_ir_version(kOnnxIrVersion);
  proto.set_producer_name("jpqd");
  proto.set_domain("ai.jpqd");
  proto.set_model_version(1);
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpsetVersion);
  // Consumers (our benchmark, users) can recover the architecture without parsing the graph.
  add_metadata(proto, "architecture", model::task_head_architecture(model.head, model.config));
  add_metadata(proto, "config", model.config.to_json().dump());
  add_metadata(proto, "quantized", model.quantized() ? "true" : "false");
  if (!model.pruning.empty()) add_metadata(proto, "pruning", model.pruning.dump());
  build_graph(model, proto.mutable_graph());

  const size_t size = proto.ByteSizeLong();
  JPQD_CHECK(size <= static_cast<size_t>(INT_MAX), InvalidArgument, "ONNX export: the model is ", size,
             " bytes, above protobuf's 2 GiB limit for a single file");
  AtomicFileStream stream(file);
  google::protobuf::io::CopyingOutputStreamAdaptor adaptor(&stream);
  const bool serialized = proto.SerializeToZeroCopyStream(&adaptor);
  const bool flushed = serialized && adaptor.Flush();
  stream.rethrow_if_failed();
  JPQD_CHECK(serialized && flushed, IoError, "ONNX export: cannot write the model to ", path);
  file.commit();
}

}  // namespace jpqd::exporter
