// Model::run_text: tokenization with the tokenizer the model file carries (format/model_tokenizer.h).
// Kept in its own file so binaries that never call it do not need the tokenizer linked.
#include "common/error.h"
#include "jpqd/runtime.h"
#include "runtime/model_impl.h"
#include "format/model_tokenizer.h"

namespace jpqd::runtime {

Logits Model::run_text(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs,
                       int64_t max_length) const {
  JPQD_CHECK(!texts.empty(), InvalidArgument, "run_text: empty batch");
  JPQD_CHECK(text_pairs.empty() || text_pairs.size() == texts.size(), InvalidArgument, "run_text: ",
             text_pairs.size(), " second texts for ", texts.size(), " first texts");
  const ModelInfo& info = impl_->info;
  const bool token_types = impl_->engine->metadata().architecture.token_type_embeddings;
  const int64_t limit = max_length > 0 ? max_length : info.max_sequence_length;
  JPQD_CHECK(limit <= info.max_sequence_length, InvalidArgument, "run_text: max_length ", max_length,
             " above the model's maximum ", info.max_sequence_length);
  std::call_once(impl_->tokenizer_once, [&] {
    impl_->tokenizer = std::make_shared<const text::Tokenizer>(
        format::model_tokenizer(impl_->engine->file(), impl_->engine->metadata()));
  });
  std::vector<text::Encoding> encodings;
  int64_t seq_len = 1;
  for (size_t i = 0; i < texts.size(); ++i) {
    encodings.push_back(impl_->tokenizer->encode(
        texts[i], text_pairs.empty() ? std::nullopt : std::optional<std::string>(text_pairs[i]), limit));
    seq_len = std::max<int64_t>(seq_len, static_cast<int64_t>(encodings.back().input_ids.size()));
  }
  const int64_t batch = static_cast<int64_t>(texts.size());
  const int64_t pad = impl_->tokenizer->pad_id();
  std::vector<int64_t> ids(batch * seq_len, pad), mask(batch * seq_len, 0), types(batch * seq_len, 0);
  for (int64_t b = 0; b < batch; ++b) {
    const auto& e = encodings[b];
    for (size_t j = 0; j < e.input_ids.size(); ++j) {
      ids[b * seq_len + j] = e.input_ids[j];
      mask[b * seq_len + j] = 1;
      types[b * seq_len + j] = token_types ? e.token_type_ids[j] : 0;  // DistilBERT has no segments
    }
  }
  return run(ids, mask, types, batch, seq_len);
}

}  // namespace jpqd::runtime
