"""jpqd.Model: a model.jpqd on jpqd's runtime, with its own threads."""
from . import _jpqd

_HINTS = ("latency", "throughput")


class Prediction:
    """What Model.predict returns for n texts, in their order (numpy arrays).

    Classification: logits [n, num_labels] float32, labels [n] int64 (argmax; None for regression) and
    label_names (the model's id2label of each label).
    Question answering: start_logits and end_logits [n, seq_len] float32 (-inf past each example's tokens), and
    the best span of each pair: answers (its text), starts and ends (str indices into the context), start_tokens
    and end_tokens (token indices, inclusive), scores (start + end logit).
    """

    __slots__ = ("logits", "labels", "label_names", "start_logits", "end_logits", "answers", "starts", "ends",
                 "start_tokens", "end_tokens", "scores")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __len__(self):
        return len(self.logits if self.logits is not None else self.start_logits)

    def __repr__(self):
        if self.logits is not None:
            return f"Prediction(labels={self.label_names!r})"
        return f"Prediction(answers={self.answers!r})"


class Model:
    """A model.jpqd loaded on jpqd's runtime.

    threads: cores to use (0: all available). streams: requests run side by side, each with threads/streams
    cores (0: 1 for hint="latency", one per core for hint="throughput"). The model is loaded on one of its
    streams, which then run every call; predict releases the GIL, and calls from several Python threads queue
    for the streams.
    """

    def __init__(self, path, threads=0, streams=0, hint="latency"):
        if not isinstance(path, str):
            raise TypeError(f"Model: path must be str, not {type(path).__name__}")
        if hint not in _HINTS:
            raise _jpqd.InvalidArgument(f'Model: hint must be "latency" or "throughput", got {hint!r}')
        self._session = _jpqd.Session(path, int(threads), int(streams), hint)
        self.path = path

    def predict(self, texts, pairs=None, batch_size=32, max_length=None, max_answer_length=30):
        """Tokenizes texts (and pairs: the second texts, or a question answering model's contexts) as training
        did, runs them in batches of batch_size (1..MAX_BATCH_SIZE) and returns a Prediction. max_length cuts
        each example to that many tokens (default: the model's maximum)."""
        return Prediction(self._session.predict(texts, pairs, batch_size, max_length or 0, max_answer_length))

    def run(self, input_ids, attention_mask=None, token_type_ids=None):
        """Raw token ids [batch, seq_len] in; logits [batch, num_labels] out (question answering: a
        (start_logits, end_logits) tuple, each [batch, seq_len])."""
        return self._session.run(input_ids, attention_mask, token_type_ids)

    @property
    def info(self):
        """The model's task, labels and shape (a dict)."""
        return self._session.info

    @property
    def labels(self):
        return self._session.info["labels"]

    @property
    def threads(self):
        """(streams, threads per stream) this model runs with."""
        return self._session.plan

    @property
    def tokenizer(self):
        """The tokenizer the model file carries (a jpqd.Tokenizer)."""
        from ._tokenizer import Tokenizer
        return Tokenizer(self._session.tokenizer())

    def __repr__(self):
        info = self._session.info
        return (f"jpqd.Model({self.path!r}: {info['model_type']}, {info['num_layers']} layers, "
                f"{'INT8' if info['int8'] else 'FP32'}, {info['task']})")
