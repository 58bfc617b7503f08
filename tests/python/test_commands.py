"""The CLI's commands from Python: same flags, same one-line errors as exceptions."""
import json

import pytest

import jpqd


def test_inspect_and_bad_flag(cls_model_path, capfd):
    jpqd.inspect([cls_model_path])
    assert "quantization    int8" in capfd.readouterr().out
    with pytest.raises(jpqd.InvalidArgument) as excinfo:
        jpqd.inspect([cls_model_path, "--no_such_flag"])
    assert "--no_such_flag" in str(excinfo.value) and "\n" not in str(excinfo.value)


def test_keyword_flags(cls_model_path, tmp_path, capfd):
    out = tmp_path / "bench.json"
    jpqd.benchmark(model=cls_model_path, seq_len=8, niter=3, warmup=1, threads=1, json_stats=str(out))
    stats = json.loads(out.read_text())
    assert stats["count"] == 3


def test_same_error_as_the_cli(cli_error, tmp_path):
    args = ["eval", "-m", str(tmp_path / "nope.jpqd"), "--task_name", "sst2"]
    message, code = cli_error(args)
    with pytest.raises(jpqd.IoError) as excinfo:
        jpqd.run(args)
    assert str(excinfo.value) == message and code == 3


def test_training_commands(cli_error, source_dir, tmp_path):
    if not jpqd.has_training:
        with pytest.raises(jpqd.Error, match="needs the training build"):
            jpqd.glue(["--help"])
        return
    args = ["--model_name_or_path", "bert-tiny", "--task_name", "sst2", "--output_dir", str(tmp_path / "none")]
    message, code = cli_error(["glue", *args])
    with pytest.raises(jpqd.InvalidArgument) as excinfo:
        jpqd.glue(args)
    assert str(excinfo.value) == message and code == 2
    # A few steps of JPQD on a random bert-tiny, exported and served from Python.
    run = tmp_path / "run"
    jpqd.glue(model_name_or_path="bert-tiny", task_name="sst2", max_seq_length=32, max_train_samples=32,
              max_eval_samples=32, per_device_train_batch_size=8, max_steps=2, do_train=True,
              nncf_compression_config=str(source_dir / "configs" / "tiny-smoke-jpqd.json"),
              save_strategy="no", disable_tqdm=True, output_dir=str(run))
    jpqd.export(str(run), output_dir=str(tmp_path / "exported"), no_onnx=True)
    model = jpqd.Model(str(tmp_path / "exported" / "model.jpqd"), threads=1)
    assert model.info["int8"] and len(model.predict(["a fine film"]).labels) == 1
    # Post-training quantization of a float32 run, from Python.
    fp32 = tmp_path / "fp32"
    jpqd.glue(model_name_or_path="bert-tiny", task_name="sst2", max_seq_length=32, max_train_samples=32,
              per_device_train_batch_size=8, max_steps=2, do_train=True, save_strategy="no", disable_tqdm=True,
              output_dir=str(fp32))
    with pytest.raises(jpqd.InvalidArgument, match="smooth_quant_alpha"):
        jpqd.quantize(model_name_or_path=str(fp32), task_name="sst2", smooth_quant_alpha=1.5,
                      output_dir=str(tmp_path / "bad"))
    assert not (tmp_path / "bad").exists()
    jpqd.quantize(model_name_or_path=str(fp32), task_name="sst2", max_seq_length=32, calibration_samples=16,
                  per_device_eval_batch_size=8, disable_tqdm=True, output_dir=str(tmp_path / "ptq"))
    model = jpqd.Model(str(tmp_path / "ptq" / "model.jpqd"), threads=1)
    assert model.info["int8"] and len(model.predict(["a fine film", "dull"]).labels) == 2
