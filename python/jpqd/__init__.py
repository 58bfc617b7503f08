"""jpqd: BERT models compressed by joint pruning, quantization and distillation, served by jpqd's INT8 runtime.

    import jpqd
    model = jpqd.Model("model.jpqd")
    print(model.predict(["a gripping, funny film"]).label_names)

The runtime (jpqd.Model, jpqd.Tokenizer, jpqd.eval/benchmark/inspect/tokenize) needs no LibTorch. The
training commands (jpqd.glue, jpqd.qa, jpqd.export, ...) take the jpqd CLI's flags and need a package built
with JPQD_PYTHON_TRAINING=1. Every error jpqd raises for bad input is a jpqd.Error whose message is the one
line the CLI prints; after one, the object that raised it stays usable.
"""
from . import _jpqd
from ._commands import (benchmark, convert, eval, export, glue, has_training, inspect, launch, pretrain,
                        predict_command, qa, quantize, quantizers, report, run, tokenize)
from ._jpqd import Error, FormatError, InvalidArgument, IoError, NumericalError, MAX_BATCH_SIZE
from ._model import Model, Prediction
from ._tokenizer import Encoding, Tokenizer

__version__ = "0.1.0"
__all__ = ["Model", "Prediction", "Tokenizer", "Encoding", "Error", "InvalidArgument", "IoError", "FormatError",
           "NumericalError", "MAX_BATCH_SIZE", "run", "has_training", "eval", "benchmark", "inspect", "tokenize",
           "glue", "qa", "pretrain", "predict_command", "export", "report", "quantize", "quantizers", "convert",
           "launch", "effective_isa"]


def effective_isa():
    """The instruction set oneDNN runs on (after JPQD_MAX_ISA), e.g. "avx512_core_vnni"."""
    return _jpqd.effective_isa()
