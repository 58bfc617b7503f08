"""Predictions of jpqd.Model equal `jpqd eval`'s on the shipped SST-2 dev set, for the shipped SST-2 model
(models/bert-mini8-imdb-sst2, exported to model.jpqd by the runner in a full build)."""
import csv
import json
import os

import numpy as np
import pytest

import jpqd


def test_predictions_equal_jpqd_eval(source_dir):
    model_path, eval_path = os.environ.get("JPQD_SST2_MODEL"), os.environ.get("JPQD_SST2_EVAL")
    if not model_path or not eval_path:
        pytest.skip("no exported SST-2 model (needs the training build to export the shipped one)")
    with open(source_dir / "data" / "glue" / "SST-2" / "dev.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    expected = [json.loads(l) for l in open(eval_path)]
    assert len(rows) == len(expected) == 872
    model = jpqd.Model(model_path, threads=1)  # as the runner's `jpqd eval --threads 1`
    # jpqd eval's defaults: sequences of at most 128 tokens, batches of 32 padded to their longest.
    p = model.predict([r["sentence"] for r in rows], batch_size=32, max_length=128)
    assert p.label_names == [e["prediction"] for e in expected]
    # Same tokenization, same batches, same kernels: the same float32 logits, bit for bit.
    np.testing.assert_array_equal(p.logits, np.array([e["logits"] for e in expected], dtype=np.float32))
    accuracy = np.mean(p.labels == np.array([int(r["label"]) for r in rows]))
    assert accuracy > 0.75, f"the shipped SST-2 model scores {accuracy:.4f}"
