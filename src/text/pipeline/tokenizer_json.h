// Loading a Hugging Face tokenizer.json into a TokenizerPipeline. Components jpqd does not implement
// are refused with InvalidArgument naming the file and the component type; the decoder is ignored
// (jpqd never decodes).
#pragma once

#include <string>

#include "common/json_util.h"
#include "text/pipeline/tokenizer_pipeline.h"

namespace jpqd::text::pipeline {

// `where` names the file in errors.
TokenizerPipeline tokenizer_from_json(const Json& json, const std::string& where);
// Throws IoError when the file is missing, FormatError when it is not JSON.
TokenizerPipeline tokenizer_from_json_file(const std::string& path);

}  // namespace jpqd::text::pipeline
