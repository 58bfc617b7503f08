"""Bad input raises a Python exception with a one-line message, and the model stays usable."""
import shutil

import numpy as np
import pytest

import jpqd

REFERENCE = ["hello world", "the end"]


def one_line(excinfo):
    message = str(excinfo.value)
    assert message and "\n" not in message, f"not one line: {message!r}"
    return message


@pytest.mark.parametrize("call, error, text", [
    (lambda m: m.predict([]), jpqd.InvalidArgument, "predict: no texts"),
    (lambda m: m.predict(["a", 3]), TypeError, "predict: texts[1] is int, not str"),
    (lambda m: m.predict(None), TypeError, "predict: texts must be a list of str, not NoneType"),
    (lambda m: m.predict(["a", "b"], ["c"]), jpqd.InvalidArgument, "predict: 1 text pairs for 2 texts"),
    (lambda m: m.predict(["a"], [b"c"]), TypeError, "predict: pairs[0] is bytes, not str"),
    (lambda m: m.predict(["a"], batch_size=jpqd.MAX_BATCH_SIZE + 1), jpqd.InvalidArgument,
     f"predict: batch_size {jpqd.MAX_BATCH_SIZE + 1} outside 1..{jpqd.MAX_BATCH_SIZE}"),
    (lambda m: m.predict(["a"], batch_size=0), jpqd.InvalidArgument, "predict: batch_size 0 outside"),
    (lambda m: m.predict(["a"], max_length=10_000), jpqd.InvalidArgument, "predict: max_length 10000 outside"),
    (lambda m: m.run(np.array([[1, 2, 99]])), jpqd.InvalidArgument, "run: token id 99 at [0, 2] outside the vocabulary"),
    (lambda m: m.run(np.array([[1, 2]]), np.array([[1, 1, 1]])), jpqd.InvalidArgument, "attention_mask must have"),
    (lambda m: m.run(np.array([1, 2])), jpqd.InvalidArgument, "run: input_ids must be 2-D"),
    (lambda m: m.run(np.zeros((jpqd.MAX_BATCH_SIZE + 1, 1), dtype=np.int64)), jpqd.InvalidArgument, "above the limit"),
])
def test_bad_request_then_model_still_works(cls_model, call, error, text):
    before = cls_model.predict(REFERENCE)
    with pytest.raises(error) as excinfo:
        call(cls_model)
    assert text in one_line(excinfo)
    after = cls_model.predict(REFERENCE)
    np.testing.assert_array_equal(before.logits, after.logits)


def test_missing_model_file(tmp_path):
    with pytest.raises(jpqd.IoError) as excinfo:
        jpqd.Model(str(tmp_path / "missing.jpqd"))
    assert "missing.jpqd" in one_line(excinfo)
    assert isinstance(excinfo.value, OSError) and isinstance(excinfo.value, jpqd.Error)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_model_file(tmp_path, cls_model_path, damage):
    path = tmp_path / "model.jpqd"
    shutil.copyfile(cls_model_path, path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) - 100] ^= 0xFF  # inside the weights: the checksum must catch it
    else:
        data = bytearray(b"not a model file at all" * 10)
    path.write_bytes(bytes(data))
    with pytest.raises(jpqd.Error) as excinfo:
        jpqd.Model(str(path))
    assert str(path) in one_line(excinfo)
    assert isinstance(excinfo.value, (jpqd.FormatError, jpqd.IoError))


def test_errors_carry_the_cli_message(cli_error, tmp_path):
    missing = str(tmp_path / "missing.jpqd")
    cli_message, code = cli_error(["inspect", missing])
    assert code == 3
    with pytest.raises(jpqd.IoError) as excinfo:
        jpqd.Model(missing)
    assert str(excinfo.value) == cli_message
    with pytest.raises(jpqd.IoError) as excinfo:
        jpqd.inspect([missing])
    assert str(excinfo.value) == cli_message


def test_bad_model_arguments(cls_model_path):
    with pytest.raises(jpqd.InvalidArgument, match="hint must be"):
        jpqd.Model(cls_model_path, hint="fast")
    with pytest.raises(jpqd.InvalidArgument, match="must not be negative"):
        jpqd.Model(cls_model_path, threads=-1)
    with pytest.raises(TypeError, match="path must be str"):
        jpqd.Model(3)
