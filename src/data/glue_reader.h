// Reader of the original GLUE TSV layout (what GLUE's download_glue_data.py writes), one task
// folder at a time, as the legacy --data_dir of transformers' GLUE processors.
#pragma once

#include <string>
#include <vector>

#include "data/example.h"
#include "data/glue_tasks.h"

namespace jpqd::data {

// Reads split `split` ("train", a name of task.eval_splits such as "validation" or
// "validation_matched", or of task.test_splits) from `task_dir`/<file> (e.g. data/glue/SST-2/dev.tsv).
// Labeled splits check every label against the task (stsb: a finite float); test splits are
// unlabeled. Errors (IoError / FormatError / InvalidArgument) name the file, line and value.
std::vector<Example> read_glue_split(const GlueTask& task, const std::string& task_dir, const std::string& split);

// Same for an explicit file; `labeled` = false for the GLUE test layout (no label column).
std::vector<Example> read_glue_file(const GlueTask& task, const std::string& path, bool labeled);

}  // namespace jpqd::data
