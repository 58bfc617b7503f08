"""Concurrency: two Python threads predicting at once get what one thread gets, and predict releases the GIL."""
import threading
import time

import numpy as np

import jpqd

TEXTS = [f"the end of {'days ' * (i % 7)}world" for i in range(64)]


def test_two_threads_predicting_at_once(cls_model_path):
    for streams in (1, 2):
        model = jpqd.Model(cls_model_path, threads=streams, streams=streams, hint="throughput")
        expected = model.predict(TEXTS, batch_size=8).logits
        results, failures = {}, []
        start = threading.Barrier(2)

        def worker(name):
            try:
                start.wait()
                for round in range(20):
                    results[(name, round)] = model.predict(TEXTS, batch_size=8).logits
            except Exception as e:  # reported below: an assert here would only end the thread
                failures.append(e)

        threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        assert len(results) == 40
        for key, logits in results.items():
            np.testing.assert_array_equal(logits, expected, err_msg=f"streams {streams}, {key}")


def test_predict_releases_the_gil(cls_model_path):
    model = jpqd.Model(cls_model_path, threads=1)
    texts = TEXTS * 40
    model.predict(texts)  # warm-up
    span = {}

    def predict():
        span["start"] = time.perf_counter()
        model.predict(texts, batch_size=16)
        span["end"] = time.perf_counter()

    t = threading.Thread(target=predict)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
    t.join()
    lo = span["start"] + 0.25 * (span["end"] - span["start"])
    hi = span["end"] - 0.25 * (span["end"] - span["start"])
    # Had predict held the GIL, this thread could not have run at all in the middle of the call.
    assert any(lo < x < hi for x in ticks), f"no tick inside the middle half of a {span['end'] - span['start']:.3f} s call"
