// GLUE TSV files (the layout of GLUE's download script) through read_glue_file, for every task, labeled
// (train/dev) and unlabeled (test). Byte 0 picks the task and the layout; the rest is the file.
#include <cmath>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "data/glue_reader.h"
#include "data/glue_tasks.h"
#include "data/label_space.h"
#include "data/tsv.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jpqd::fuzz::ByteReader in(data, size);
  const uint8_t selector = in.byte();
  const auto& tasks = jpqd::data::glue_tasks();
  const jpqd::data::GlueTask& task = tasks[(selector >> 1) % tasks.size()];
  const bool labeled = !(selector & 1);
  const std::string text = in.rest();

  // The in-memory splitter must agree with itself on line numbering whatever the bytes.
  const auto rows = jpqd::data::parse_tsv(text);
  for (size_t i = 1; i < rows.size(); ++i) JPQD_FUZZ_ASSERT(rows[i].line > rows[i - 1].line);

  const std::string path = jpqd::fuzz::write_scratch("input.tsv", text);
  try {
    const auto examples = jpqd::data::read_glue_file(task, path, labeled);
    const auto labels = jpqd::data::LabelSpace::of(task);
    for (const auto& ex : examples) {
      JPQD_FUZZ_ASSERT(ex.line >= 1);
      JPQD_FUZZ_ASSERT(ex.text_b.has_value() == task.sentence2_key.has_value());
      if (!labeled) continue;
      if (task.is_regression) {
        JPQD_FUZZ_ASSERT(ex.score.has_value() && std::isfinite(*ex.score));
      } else {
        JPQD_FUZZ_ASSERT(ex.label.has_value() && labels.find(*ex.label).has_value());
      }
    }
  } catch (const jpqd::Error&) {
  }
  return 0;
}
