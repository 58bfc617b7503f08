// run_glue's --train_file / --validation_file (csv, tsv, json, jsonl) through load_custom_files, and the
// RFC 4180 splitter in memory. Byte 0: bits 0-1 the extension, bit 2 also pass the same bytes as the
// validation file (so labels are checked across files); the rest is the file.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "data/csv.h"
#include "data/custom_files.h"
#include "fuzz_support.h"

namespace {
const char* const kExtensions[] = {".csv", ".tsv", ".json", ".jsonl"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jpqd::fuzz::ByteReader in(data, size);
  const uint8_t selector = in.byte();
  const std::string ext = kExtensions[selector & 3];
  const bool with_validation = selector & 4;
  const std::string text = in.rest();

  if (ext == ".csv") {
    try {
      const auto rows = jpqd::data::parse_csv(text, "input.csv");
      for (size_t i = 1; i < rows.size(); ++i) JPQD_FUZZ_ASSERT(rows[i].line > rows[i - 1].line);
    } catch (const jpqd::Error&) {
    }
  }
  jpqd::data::CustomDataFiles files;
  files.train_file = jpqd::fuzz::write_scratch("train" + ext, text);
  if (with_validation) files.validation_file = jpqd::fuzz::write_scratch("validation" + ext, text);
  try {
    const auto dataset = jpqd::data::load_custom_files(files);
    JPQD_FUZZ_ASSERT(!dataset.train.empty());
    for (const auto& ex : dataset.train) {
      JPQD_FUZZ_ASSERT(ex.text_b.has_value() == dataset.sentence2_key.has_value());
      JPQD_FUZZ_ASSERT(ex.has_target());
      if (ex.label) JPQD_FUZZ_ASSERT(dataset.label_space.find(*ex.label).has_value());
    }
  } catch (const jpqd::Error&) {
  }
  return 0;
}
