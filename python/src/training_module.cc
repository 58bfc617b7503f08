// jpqd._jpqd_training: the training commands of the jpqd CLI (jpqd/training.h), for jpqd.glue(...),
// jpqd.export(...) and the like. Built only with JPQD_PYTHON_TRAINING=1 (pip) or in a full CMake build, as it
// links libjpqd_training.so and so LibTorch; the runtime module never needs it. Errors travel as jpqd::Error
// and become jpqd.Error subclasses through the translator that jpqd._jpqd registered (pybind11 shares
// exception translators between modules built with the same version).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <jpqd/training.h>

namespace py = pybind11;

PYBIND11_MODULE(_jpqd_training, m) {
  m.doc() = "jpqd's training commands (LibTorch); use the jpqd package rather than this module";
  m.def(
      "run_command",
      [](const std::vector<std::string>& args) {
        py::gil_scoped_release release;
        jpqd::run_command(args);
      },
      "Runs any command of the jpqd CLI (glue, qa, pretrain, export, quantize, ..., eval, benchmark)");
}
