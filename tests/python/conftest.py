"""Shared fixtures of the Python package's tests (run by tests/integration/runtime/python_bindings.sh).

The runner puts the package under test on sys.path and says where things are:
  JPQD_SOURCE_DIR   the source tree (default: two levels up)
  JPQD_BINARY       the jpqd CLI of the same build, whose output the package must reproduce
  JPQD_SST2_MODEL   a model.jpqd exported from the shipped SST-2 model, and
  JPQD_SST2_EVAL    `jpqd eval --predictions_file` of it on the shipped SST-2 dev set (full build only)
"""
import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("JPQD_SOURCE_DIR", Path(__file__).resolve().parents[2]))
FIXTURES = SOURCE / "tests" / "fixtures" / "runtime"


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE


@pytest.fixture(scope="session")
def cls_model_path():
    return str(FIXTURES / "tiny_int8_cls.jpqd")


@pytest.fixture(scope="session")
def qa_model_path():
    return str(FIXTURES / "tiny_fp32_qa_relu.jpqd")


# One OpenMP thread per stream throughout: tests run beside others (ctest -j), and OpenMP teams of several
# threads that spin at their barriers slow to a crawl on an oversubscribed machine.
@pytest.fixture(scope="session")
def cls_model(cls_model_path):
    import jpqd
    return jpqd.Model(cls_model_path, threads=1)


@pytest.fixture(scope="session")
def jpqd_binary():
    path = os.environ.get("JPQD_BINARY")
    if not path:
        pytest.skip("JPQD_BINARY is not set: no CLI to compare with")
    return path


@pytest.fixture(scope="session")
def cli_error(jpqd_binary):
    """cli_error(args): the one line `jpqd <args>` prints after "jpqd: error: ", and its exit code."""
    def run(args):
        done = subprocess.run([jpqd_binary, *args], capture_output=True, text=True)
        lines = [l for l in done.stderr.splitlines() if l.startswith("jpqd: error: ")]
        assert len(lines) == 1, f"jpqd {' '.join(args)}: expected one error line, got: {done.stderr}"
        return lines[0][len("jpqd: error: "):], done.returncode
    return run
