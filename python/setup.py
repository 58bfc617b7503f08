"""pip install ./python: jpqd's Python package, built by CMake from this source tree. Nothing is downloaded:
setuptools, wheel, numpy and pybind11 come from Debian (python3-setuptools, python3-wheel, python3-numpy,
pybind11-dev), as do the C++ dependencies (scripts/setup.sh installs them all).

By default the package holds the runtime only, and needs no LibTorch to build, import or run. With
JPQD_PYTHON_TRAINING=1 it also holds the training commands (jpqd.glue, jpqd.export, ...), built against
LibTorch (libtorch-dev).

Environment: JPQD_PYTHON_TRAINING (0/1), JPQD_PYTHON_BUILD_DIR (the CMake build directory; default: one under
the system's temporary directory, kept for the next install), JPQD_JOBS (parallel compiles, default 2),
CCACHE_DIR (ccache is used when installed; default: the checkout's .ccache, as scripts/setup.sh uses).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TRAINING = os.environ.get("JPQD_PYTHON_TRAINING", "0") not in ("", "0", "false", "no")


def version():
    match = re.search(r"project\(jpqd VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text())
    if not match:
        sys.exit(f"setup.py: no project version in {ROOT / 'CMakeLists.txt'}: run pip from a jpqd source tree")
    return match.group(1)


def build_dir():
    configured = os.environ.get("JPQD_PYTHON_BUILD_DIR")
    if configured:
        return Path(configured).resolve()
    flavour = "training" if TRAINING else "runtime"
    return Path(tempfile.gettempdir()) / f"jpqd-python-build-{os.getuid()}-{flavour}"


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures the whole source tree once, builds the extension modules and the shared libraries they
    link, and places them in the package with an $ORIGIN rpath."""

    def run(self):
        build = build_dir() / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                     f"-DJPQD_BUILD_TRAINING={'ON' if TRAINING else 'OFF'}", "-DJPQD_BUILD_TESTS=OFF",
                     "-DJPQD_BUILD_BENCH=OFF", "-DJPQD_BUILD_PYTHON=ON", "-DJPQD_PYTHON_PACKAGE=ON",
                     f"-DPython_EXECUTABLE={sys.executable}"]
        if shutil.which("ninja") and not (build / "CMakeCache.txt").exists():
            configure += ["-G", "Ninja"]
        env = dict(os.environ)
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
            if "CCACHE_DIR" not in env and (ROOT / ".ccache").is_dir():
                env["CCACHE_DIR"] = str(ROOT / ".ccache")
        targets = ["_jpqd"] + (["_jpqd_training"] if TRAINING else [])
        subprocess.run(configure, check=True, env=env)
        subprocess.run(["cmake", "--build", str(build), "-j", os.environ.get("JPQD_JOBS", "2"), "--target", *targets],
                       check=True, env=env)

        package = Path(self.build_lib) / "jpqd"
        package.mkdir(parents=True, exist_ok=True)
        built = build / "python" / "jpqd"
        modules = [p for t in targets for p in built.glob(f"{t}.*.so")]
        if len(modules) != len(targets):
            sys.exit(f"setup.py: expected {', '.join(targets)} in {built}, found {[m.name for m in modules]}")
        # The shared libraries under their sonames, the names the modules ask the loader for.
        libraries = ["runtime"] + (["training"] if TRAINING else [])
        for name in libraries:
            found = sorted((build / "src" / "api").glob(f"libjpqd_{name}.so.*.*"), key=lambda p: len(p.name))
            if not found:
                sys.exit(f"setup.py: libjpqd_{name}.so was not built in {build / 'src' / 'api'}")
            shutil.copyfile(found[0].resolve(), package / found[0].name)
        for module in modules:
            shutil.copyfile(module, package / module.name)


build_dir().mkdir(parents=True, exist_ok=True)
setup(
    name="jpqd",
    version=version(),
    description="BERT compressed by joint pruning, quantization and distillation, on jpqd's INT8 CPU runtime",
    long_description=__doc__,
    python_requires=">=3.9",
    packages=["jpqd"],
    package_dir={"jpqd": "jpqd"},
    install_requires=["numpy"],
    ext_modules=[CMakeExtension("jpqd._jpqd")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
    # setuptools' own build files go beside CMake's, not into the source tree.
    options={"build": {"build_base": str(build_dir() / "setuptools")},
             "egg_info": {"egg_base": str(build_dir())}},
)
