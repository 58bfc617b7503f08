// SQuAD v1.1 JSON through read_squad_file, then, for a file that loads, run_qa's windowing with the real
// uncased tokenizer: answer offsets come from the file, so a wrong one must be rejected by the reader,
// not read out of bounds by the features.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "data/squad.h"
#include "data/squad_features.h"
#include "fuzz_support.h"
#include "text/bert_tokenizer.h"

namespace {

const jpqd::text::BertTokenizer& tokenizer() {
  static const auto tok =
      jpqd::text::BertTokenizer::from_directory(jpqd::fuzz::source_dir() + "/data/vocab/bert-base-uncased");
  return tok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = jpqd::fuzz::write_scratch("input.json", data, size);
  try {
    const auto dataset = jpqd::data::read_squad_file(path);
    for (const auto& ex : dataset.examples) {
      JPQD_FUZZ_ASSERT(!ex.answers.empty());
      for (const auto& a : ex.answers) {
        JPQD_FUZZ_ASSERT(a.byte_start >= 0 && static_cast<size_t>(a.byte_start) <= ex.context.size());
        JPQD_FUZZ_ASSERT(ex.context.compare(a.byte_start, a.text.size(), a.text) == 0);
      }
    }
    jpqd::data::SquadFeatureOptions options;
    options.max_seq_length = 48;
    options.doc_stride = 16;
    options.max_query_length = 12;
    options.threads = 1;  // the fuzzer runs millions of small inputs: no thread start-up per input
    const auto features = jpqd::data::prepare_squad_features(dataset.examples, tokenizer(), options);
    for (const auto& f : features) {
      JPQD_FUZZ_ASSERT(f.example_index >= 0 && static_cast<size_t>(f.example_index) < dataset.examples.size());
      const auto n = static_cast<int64_t>(f.feature.input_ids.size());
      JPQD_FUZZ_ASSERT(n <= options.max_seq_length && f.offsets.size() == static_cast<size_t>(n));
      JPQD_FUZZ_ASSERT(0 <= f.feature.start_position && f.feature.start_position <= f.feature.end_position &&
                       f.feature.end_position < n);
      const auto& context = dataset.examples[f.example_index].context;
      for (const auto& [b, e] : f.offsets) {
        JPQD_FUZZ_ASSERT((b == -1 && e == -1) || (0 <= b && b <= e && e <= static_cast<int64_t>(context.size())));
      }
    }
    if (dataset.num_articles >= 2) {
      const auto split = jpqd::data::split_squad_by_article(dataset, 1);
      JPQD_FUZZ_ASSERT(split.first.examples.size() + split.rest.examples.size() == dataset.examples.size());
    }
  } catch (const jpqd::Error&) {
  }
  return 0;
}
