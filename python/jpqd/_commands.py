"""The jpqd CLI's commands as functions taking the same flags: jpqd.glue(["--model_name_or_path", ...]).

Arguments are the flags as a list of str, or keyword arguments: glue(model_name_or_path="m", do_train=True)
is ["--model_name_or_path", "m", "--do_train"] (True: the bare flag; False or None: left out), positional
str arguments come first (export("runs/x", output_dir="out")). They run in this process with the GIL
released; what the command prints goes to stdout.
"""
from . import _jpqd

try:
    from . import _jpqd_training
except ImportError:  # a runtime-only package: the default of `pip install`
    _jpqd_training = None

has_training = _jpqd_training is not None
_DEPLOYMENT = {"eval", "benchmark", "inspect", "tokenize"}


def run(args):
    """Runs `jpqd <args>`: any command of this package's build (see has_training)."""
    if isinstance(args, str) or not isinstance(args, (list, tuple)):
        raise TypeError(f"run: args must be a list of str, not {type(args).__name__}")
    for i, a in enumerate(args):
        if not isinstance(a, str):
            raise TypeError(f"run: args[{i}] is {type(a).__name__}, not str")
    args = list(args)
    if args and args[0] not in _DEPLOYMENT and not args[0].startswith("-") and _jpqd_training is None:
        raise _jpqd.Error(f"jpqd {args[0]} needs the training build of this package: reinstall it with "
                          "JPQD_PYTHON_TRAINING=1 pip install ./python")
    (_jpqd_training or _jpqd).run_command(args)


def _flags(positional, keywords):
    if len(positional) == 1 and isinstance(positional[0], (list, tuple)):
        flags = list(positional[0])
    else:
        flags = list(positional)
    for name, value in keywords.items():
        if value is None or value is False:
            continue
        flags.append("--" + name)
        if value is not True:
            flags.append(str(value))
    return flags


def _command(name, doc):
    def command(*args, **kwargs):
        run([name] + _flags(args, kwargs))
    command.__name__ = command.__qualname__ = name
    command.__doc__ = doc
    return command


eval = _command("eval", "jpqd eval: a model.jpqd on a GLUE dev set or SQuAD, with the task metric.")
benchmark = _command("benchmark", "jpqd benchmark: throughput and latency of a model.jpqd.")
inspect = _command("inspect", "jpqd inspect: what a model.jpqd holds.")
tokenize = _command("tokenize", "jpqd tokenize: JSON lines encoded with a Hugging Face tokenizer directory.")
glue = _command("glue", "jpqd glue: GLUE fine-tuning with JPQD (run_glue.py's and OVTrainer's flags).")
qa = _command("qa", "jpqd qa: SQuAD fine-tuning with JPQD (run_qa.py's flags).")
pretrain = _command("pretrain", "jpqd pretrain: masked-LM pretraining.")
predict_command = _command("predict", "jpqd predict: one JSON line of logits per example (glue --do_predict).")
export = _command("export", "jpqd export: a training run as model.jpqd and model.onnx.")
report = _command("report", "jpqd report: the compression report of a training run.")
quantize = _command("quantize", "jpqd quantize: post-training quantization of a checkpoint (where it exists).")
quantizers = _command("quantizers", "jpqd quantizers: the quantizers a compression config places.")
convert = _command("convert", "jpqd convert: re-save a checkpoint in float16, bfloat16 or float32.")
launch = _command("launch", "jpqd launch: data-parallel training over several processes.")
