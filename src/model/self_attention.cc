#include "model/self_attention.h"

#include <cmath>

namespace jpqd::model {

torch::Tensor AttentionParts::forward(const BertConfig& c, const torch::Tensor& hidden,
                                      const torch::Tensor& additive_mask, bool training) {
  const architecture::Architecture& arch = c.architecture();
  const int64_t batch = hidden.size(0), seq = hidden.size(1);
  auto split_heads = [&](const torch::Tensor& x) {  // [B, S, h*d] -> [B, h, S, d]
    return x.view({batch, seq, num_heads, head_dim}).permute({0, 2, 1, 3});
  };
  const double scale = std::sqrt(static_cast<double>(head_dim));
  torch::Tensor x = qkv_input->forward(hidden);
  torch::Tensor q = split_heads(query->forward(x));
  // DistilBERT scales Q before the product, so its matmul_0 input quantizer sees the scaled query.
  if (arch.scale_query_before_scores) q = q / scale;
  q = matmul_0_input_0->forward(q);
  torch::Tensor k = matmul_0_input_1->forward(split_heads(key->forward(x)));
  torch::Tensor v = split_heads(value->forward(x));
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2));
  if (!arch.scale_query_before_scores) scores = scores / scale;
  scores = scores + additive_mask;
  torch::Tensor probs = torch::dropout(torch::softmax(scores, -1), c.attention_probs_dropout_prob, training);
  torch::Tensor context = torch::matmul(probs, v).permute({0, 2, 1, 3}).contiguous();
  // With no heads left the context is empty and the output Linear reduces to its bias.
  torch::Tensor out = output->forward(context.view({batch, seq, num_heads * head_dim}));
  if (arch.dropout_after_attention_output) out = torch::dropout(out, c.hidden_dropout_prob, training);
  return layer_norm->forward(out + hidden);
}

}  // namespace jpqd::model
