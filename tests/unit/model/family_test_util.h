// The independent reference of the other families (tests/parity/family_reference.py), generated once per
// version of the script, as model_test_util.h does for BERT's.
#pragma once

#include "model_test_util.h"

namespace jpqd::model::testing {

inline const std::string& family_reference_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const std::string script = std::string(JPQD_SOURCE_DIR) + "/tests/parity/family_reference.py";
    const fs::path final_dir = fs::temp_directory_path() / ("jpqd_family_reference_" + to_hex(fnv1a64_file(script)));
    if (fs::exists(final_dir / "done")) return final_dir.string();
    const std::string tmp = scratch_dir("family_reference");
    const std::string cmd = python() + " " + script + " " + tmp;
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("reference generator failed (needs Debian's python3-torch): " + cmd);
    write_file_atomically(tmp + "/done", "");
    std::error_code ec;
    fs::rename(tmp, final_dir, ec);  // another process may have won the race: its copy is identical
    return fs::exists(final_dir / "done") ? final_dir.string() : tmp;
  }();
  return dir;
}

inline std::string family_case(const std::string& name) { return family_reference_dir() + "/" + name; }
inline Json family_expected(const std::string& name) { return read_json_file(family_case(name) + "/expected.json"); }

}  // namespace jpqd::model::testing
