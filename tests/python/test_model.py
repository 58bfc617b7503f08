"""jpqd.Model: predictions on the checked-in tiny models, checked against the raw-id path and each other."""
import numpy as np
import pytest

import jpqd

TEXTS = ["the end of days", "hello world", "a", "the the the end", "world of the end", "days"]


def test_classification_prediction_matches_raw_ids(cls_model):
    p = cls_model.predict(TEXTS, batch_size=4)
    info = cls_model.info
    assert p.logits.shape == (len(TEXTS), info["num_labels"]) and p.logits.dtype == np.float32
    assert list(p.labels) == list(p.logits.argmax(axis=1))
    assert p.label_names == [info["labels"][l] for l in p.labels]
    # Each text alone through run() on the tokenizer's ids gives its row of logits.
    tokenizer = cls_model.tokenizer
    for i, text in enumerate(TEXTS):
        e = tokenizer.encode(text)
        logits = cls_model.run(np.array([e.ids]), np.array([e.attention_mask]), np.array([e.type_ids]))
        np.testing.assert_allclose(logits[0], p.logits[i], rtol=1e-5, atol=1e-6)


def test_batch_size_does_not_change_predictions(cls_model):
    one = cls_model.predict(TEXTS, batch_size=1)
    all_at_once = cls_model.predict(TEXTS, batch_size=len(TEXTS))
    np.testing.assert_allclose(one.logits, all_at_once.logits, rtol=1e-5, atol=1e-6)
    assert list(one.labels) == list(all_at_once.labels)


def test_streams_give_the_single_stream_results(cls_model_path, cls_model):
    model = jpqd.Model(cls_model_path, threads=2, streams=2, hint="throughput")
    assert model.threads == (2, 1)  # (streams, threads per stream)
    np.testing.assert_array_equal(model.predict(TEXTS, batch_size=2).logits, cls_model.predict(TEXTS, batch_size=2).logits)


def test_question_answering_spans(qa_model_path):
    model = jpqd.Model(qa_model_path, threads=1)
    questions = ["what", "who is the end"]
    contexts = ["hello wörld of the days", "the end"]
    p = model.predict(questions, contexts)
    assert p.logits is None and len(p) == 2
    tokenizer = model.tokenizer
    for i, (q, c) in enumerate(zip(questions, contexts)):
        e = tokenizer.encode(q, c)
        n = len(e)
        assert np.all(np.isneginf(p.start_logits[i, n:])), "positions past the example must be -inf"
        start, end = p.start_tokens[i], p.end_tokens[i]
        assert e.sequence_ids[start] == 1 and e.sequence_ids[end] == 1 and start <= end
        # The answer is the context's text from the first token's start to the last token's end (str indices).
        assert (p.starts[i], p.ends[i]) == (e.offsets[start][0], e.offsets[end][1])
        assert p.answers[i] == c[p.starts[i]:p.ends[i]]
        # And it is the best-scoring span of context tokens, as the brute force over all of them finds.
        context = [t for t in range(n) if e.sequence_ids[t] == 1]
        best = max((p.start_logits[i, s] + p.end_logits[i, t], s, t) for s in context for t in context
                   if s <= t < s + 30)
        assert (best[1], best[2]) == (start, end)
        assert p.scores[i] == pytest.approx(best[0])
        start_logits, _ = model.run(np.array([e.ids]), None, np.array([e.type_ids]))
        np.testing.assert_allclose(start_logits[0], p.start_logits[i, :n], rtol=1e-5, atol=1e-6)


def test_info_and_isa(cls_model):
    info = cls_model.info
    assert info["task"] == "sequence_classification" and info["int8"] is True
    assert info["labels"] == ["neg", "neutral", "pos"]
    assert isinstance(jpqd.effective_isa(), str) and jpqd.effective_isa()
