#include "training/mlm_masking.h"

#include <algorithm>
#include <random>
#include <unordered_set>

namespace jpqd::training {

void mask_tokens(Batch& batch, const MaskingOptions& options, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::uniform_int_distribution<int64_t> random_token(0, options.vocab_size - 1);
  const std::unordered_set<int64_t> special(options.special_ids.begin(), options.special_ids.end());

  auto ids = batch.inputs.input_ids.contiguous();
  auto mask = batch.inputs.attention_mask;
  auto labels = torch::full_like(ids, -100);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<int64_t, 2>();
  auto labels_a = labels.accessor<int64_t, 2>();
  const int64_t rows = ids.size(0), cols = ids.size(1);

  for (int64_t r = 0; r < rows; ++r) {
    std::vector<bool> chosen(static_cast<size_t>(cols), false);
    auto maskable = [&](int64_t t) { return mask_a[r][t] != 0 && !special.count(ids_a[r][t]); };
    if (options.whole_word_mask) {
      // Words = a piece plus its "##" continuations; pick words in random order until 15% of the
      // maskable tokens are covered, as DataCollatorForWholeWordMask does.
      std::vector<std::vector<int64_t>> words;
      int64_t maskable_count = 0;
      for (int64_t t = 0; t < cols; ++t) {
        if (!maskable(t)) continue;
        ++maskable_count;
        const auto id = ids_a[r][t];
        const bool continuation = id >= 0 && id < static_cast<int64_t>(options.is_continuation.size()) &&
                                  options.is_continuation[static_cast<size_t>(id)];
        if (continuation && !words.empty() && words.back().back() == t - 1)
          words.back().push_back(t);
        else
          words.push_back({t});
      }
      std::shuffle(words.begin(), words.end(), rng);
      const auto budget = std::max<int64_t>(
          1, static_cast<int64_t>(std::round(static_cast<double>(maskable_count) * options.mlm_probability)));
      int64_t covered = 0;
      for (const auto& word : words) {
        if (covered >= budget) break;
        if (covered + static_cast<int64_t>(word.size()) > budget) continue;
        for (auto t : word) chosen[static_cast<size_t>(t)] = true;
        covered += static_cast<int64_t>(word.size());
      }
    } else {
      for (int64_t t = 0; t < cols; ++t) chosen[static_cast<size_t>(t)] = maskable(t) && uniform(rng) < options.mlm_probability;
    }
    for (int64_t t = 0; t < cols; ++t) {
      if (!chosen[static_cast<size_t>(t)]) continue;
      labels_a[r][t] = ids_a[r][t];
      const double u = uniform(rng);
      if (u < 0.8)
        ids_a[r][t] = options.mask_id;
      else if (u < 0.9)
        ids_a[r][t] = random_token(rng);
    }
  }
  batch.inputs.input_ids = ids;
  batch.labels.labels = labels;
  batch.inputs.lm_positions = labels != -100;
}

}  // namespace jpqd::training
