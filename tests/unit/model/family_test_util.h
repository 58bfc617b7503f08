// The independent reference of the other families (tests/parity/family_reference.py), generated once per
// version of the script, as model_test_util.h does for BERT's.
#pragma once

#include "model_test_util.h"

namespace jpqd::model::testing {

inline const std::string& family_reference_dir() {
  static const std::string dir = generated_reference_dir("family_reference.py", "family_reference");
  return dir;
}

inline std::string family_case(const std::string& name) { return family_reference_dir() + "/" + name; }
inline Json family_expected(const std::string& name) { return read_json_file(family_case(name) + "/expected.json"); }

}  // namespace jpqd::model::testing
