// jpqd::runtime::Model: input validation around BertEngine.
#include "jpqd/runtime.h"

#include <limits>

#include "common/error.h"
#include "runtime/bert_engine.h"
#include "runtime/cpu_isa.h"
#include "runtime/model_impl.h"

namespace jpqd::runtime {

Model Model::load(const std::string& path) {
  ensure_cpu_isa_initialized();
  auto impl = std::make_shared<Impl>();
  try {
    impl->engine = std::make_unique<BertEngine>(format::ModelFile::open(path));
  } catch (const dnnl::error& e) {
    // Our errors stay typed; oneDNN's are internal failures (e.g. out of memory while packing).
    throw Error(str_cat(path, ": oneDNN failed while preparing the model: ", e.what()));
  }
  const auto& m = impl->engine->metadata();
  ModelInfo& info = impl->info;
  info.task = m.task.type == format::TaskType::kQuestionAnswering ? Task::kQuestionAnswering
                                                                  : Task::kSequenceClassification;
  info.num_labels = m.task.num_labels;
  info.labels = m.task.id2label;
  info.problem_type = m.task.problem_type;
  info.hidden_size = m.architecture.hidden_size;
  info.num_layers = m.architecture.num_layers();
  info.vocab_size = m.architecture.vocab_size;
  info.max_sequence_length = m.architecture.max_sequence_length();
  // Families without token-type embeddings accept only type 0 (what a tokenizer without pairs gives).
  info.type_vocab_size = m.architecture.token_type_embeddings ? m.architecture.type_vocab_size : 1;
  info.model_type = m.architecture.model_type;
  for (const auto& l : m.architecture.layers) {
    info.heads_per_layer.push_back(l.num_heads);
    info.ffn_per_layer.push_back(l.intermediate_size);
  }
  info.int8 = m.quantization.int8;
  info.file_bytes = impl->engine->file().file_size();
  return Model(std::move(impl));
}

const ModelInfo& Model::info() const { return impl_->info; }

Logits Model::run(const int64_t* ids, const int64_t* mask, const int64_t* types, int64_t batch,
                  int64_t seq_len) const {
  const ModelInfo& info = impl_->info;
  JPQD_CHECK(batch >= 1, InvalidArgument, "run: empty batch (batch = ", batch, ")");
  JPQD_CHECK(seq_len >= 1 && seq_len <= info.max_sequence_length, InvalidArgument, "run: sequence length ", seq_len,
             " outside 1..", info.max_sequence_length, " (the model's positions)");
  JPQD_CHECK(ids != nullptr, InvalidArgument, "run: input_ids is null");
  JPQD_CHECK(batch <= (int64_t{1} << 40) / seq_len, InvalidArgument, "run: batch ", batch, " too large");
  const int64_t n = batch * seq_len;
  // DistilBERT has no token-type table: like its Hugging Face forward, it ignores whatever types a pair
  // tokenizer produced.
  if (!impl_->engine->metadata().architecture.token_type_embeddings) types = nullptr;
  for (int64_t i = 0; i < n; ++i) {
    JPQD_CHECK(ids[i] >= 0 && ids[i] < info.vocab_size, InvalidArgument, "run: token id ", ids[i], " at [",
               i / seq_len, ", ", i % seq_len, "] outside the vocabulary (0..", info.vocab_size - 1, ")");
    JPQD_CHECK(mask == nullptr || mask[i] == 0 || mask[i] == 1, InvalidArgument, "run: attention mask value ",
               mask[i], " at [", i / seq_len, ", ", i % seq_len, "] is not 0 or 1");
    JPQD_CHECK(types == nullptr || (types[i] >= 0 && types[i] < info.type_vocab_size), InvalidArgument,
               "run: token type ", types[i], " at [", i / seq_len, ", ", i % seq_len, "] outside 0..",
               info.type_vocab_size - 1);
  }
  std::vector<int64_t> ones, zeros;
  if (mask == nullptr) {
    ones.assign(n, 1);
    mask = ones.data();
  }
  if (types == nullptr) {
    zeros.assign(n, 0);
    types = zeros.data();
  }
  EngineOutput e;
  try {
    e = impl_->engine->forward(ids, mask, types, batch, seq_len);
  } catch (const dnnl::error& err) {
    throw Error(str_cat("run: oneDNN failed for batch ", batch, " x seq_len ", seq_len, ": ", err.what()));
  }
  Logits out;
  out.task = info.task;
  out.batch = batch;
  out.seq_len = seq_len;
  out.num_labels = info.task == Task::kQuestionAnswering ? 0 : info.num_labels;
  out.logits = std::move(e.logits);
  out.start_logits = std::move(e.start_logits);
  out.end_logits = std::move(e.end_logits);
  return out;
}

Logits Model::run(const std::vector<int64_t>& ids, const std::vector<int64_t>& mask,
                  const std::vector<int64_t>& types, int64_t batch, int64_t seq_len) const {
  JPQD_CHECK(batch >= 1 && seq_len >= 1, InvalidArgument, "run: empty batch (batch = ", batch, ", seq_len = ",
             seq_len, ")");
  // Checked before multiplying: a hostile batch must not overflow int64 (undefined behaviour).
  JPQD_CHECK(batch <= std::numeric_limits<int64_t>::max() / seq_len, InvalidArgument, "run: batch ", batch,
             " x seq_len ", seq_len, " overflows");
  const auto n = static_cast<size_t>(batch * seq_len);
  JPQD_CHECK(ids.size() == n, InvalidArgument, "run: input_ids has ", ids.size(), " values for batch ", batch,
             " x seq_len ", seq_len);
  JPQD_CHECK(mask.empty() || mask.size() == n, InvalidArgument, "run: attention_mask has ", mask.size(),
             " values, expected ", n);
  JPQD_CHECK(types.empty() || types.size() == n, InvalidArgument, "run: token_type_ids has ", types.size(),
             " values, expected ", n);
  return run(ids.data(), mask.empty() ? nullptr : mask.data(), types.empty() ? nullptr : types.data(), batch,
             seq_len);
}

std::string effective_isa() { return ensure_cpu_isa_initialized(); }

}  // namespace jpqd::runtime
