"""jpqd.Tokenizer: a model's Hugging Face fast tokenizer, named as the tokenizers library names it."""
from . import _jpqd

Encoding = _jpqd.Encoding
_STRATEGIES = ("longest_first", "only_first", "only_second")


class Tokenizer:
    """encode(sequence, pair=None) and encode_batch(input) give Encodings with ids, type_ids, tokens, offsets
    (str indices), attention_mask, special_tokens_mask and sequence_ids, as tokenizers.Tokenizer does.
    Truncation and padding are off until enable_truncation / enable_padding turn them on."""

    def __init__(self, native):
        self._native = native
        self._max_length = 0
        self._strategy = "longest_first"
        self._padding = None  # None, or the length to pad to (0: the longest of a batch)

    @classmethod
    def from_model(cls, path):
        """The tokenizer a model.jpqd carries."""
        return cls(_jpqd.Tokenizer.from_model(_str(path, "from_model: path")))

    @classmethod
    def from_directory(cls, path):
        """A checkpoint directory's tokenizer (tokenizer.json, vocab.txt, vocab.json + merges.txt, ...)."""
        return cls(_jpqd.Tokenizer.from_directory(_str(path, "from_directory: path")))

    def enable_truncation(self, max_length, strategy="longest_first"):
        if strategy not in _STRATEGIES:
            raise _jpqd.InvalidArgument(f"enable_truncation: strategy must be one of {', '.join(_STRATEGIES)}, "
                                        f"got {strategy!r}")
        if not isinstance(max_length, int) or max_length < 1:
            raise _jpqd.InvalidArgument(f"enable_truncation: max_length must be a positive int, got {max_length!r}")
        self._max_length, self._strategy = max_length, strategy

    def no_truncation(self):
        self._max_length = 0

    def enable_padding(self, length=None):
        """Pads to length, or (None) every encode_batch to its longest encoding."""
        if length is not None and (not isinstance(length, int) or length < 1):
            raise _jpqd.InvalidArgument(f"enable_padding: length must be a positive int or None, got {length!r}")
        self._padding = length or 0

    def no_padding(self):
        self._padding = None

    @property
    def truncation(self):
        return {"max_length": self._max_length, "strategy": self._strategy} if self._max_length else None

    @property
    def padding(self):
        return None if self._padding is None else {"length": self._padding or None}

    def _options(self):
        truncation = self._strategy if self._max_length else "do_not_truncate"
        if self._padding is None:
            return self._max_length, truncation, "do_not_pad"
        if self._padding == 0:
            return self._max_length, truncation, "longest"
        # jpqd pads to the length it truncates to: one number for both.
        if self._max_length and self._max_length != self._padding:
            raise _jpqd.InvalidArgument(f"padding length {self._padding} differs from truncation max_length "
                                        f"{self._max_length}: jpqd pads to the length it truncates to")
        return self._padding, truncation, "max_length"

    def encode(self, sequence, pair=None, add_special_tokens=True):
        _str(sequence, "encode: sequence")
        if pair is not None:
            _str(pair, "encode: pair")
        max_length, truncation, padding = self._options()
        if padding == "longest":
            padding = "do_not_pad"  # one encoding is its own longest
        return self._native.encode(sequence, pair, max_length, truncation, padding, bool(add_special_tokens))

    def encode_batch(self, input, add_special_tokens=True):
        """input: a list of str, or of (str, str) pairs."""
        max_length, truncation, padding = self._options()
        return self._native.encode_batch(input, max_length, truncation, padding, bool(add_special_tokens))

    def token_to_id(self, token):
        return self._native.token_to_id(_str(token, "token_to_id: token"))

    def id_to_token(self, id):
        return self._native.id_to_token(int(id))

    def get_vocab_size(self):
        return self._native.get_vocab_size()

    @property
    def model_max_length(self):
        return self._native.model_max_length


def _str(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    return value
