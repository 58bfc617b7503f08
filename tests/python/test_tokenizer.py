"""jpqd.Tokenizer against `jpqd tokenize` (itself checked against Hugging Face tokenizers by
tests/integration/runtime/tokenizers_oracle.sh) on the shipped bert-base-uncased vocabulary."""
import json
import subprocess

import pytest

import jpqd

TEXTS = ["Hello, World!", "Héllo wörld — naïve café", "unbelievably runnings", "", "a " * 40, "日本語 text"]
PAIRS = [("Is it good?", "It is, très good."), ("short", "a rather longer second text that goes on and on")]


@pytest.fixture(scope="module")
def vocab_dir(source_dir):
    return str(source_dir / "data" / "vocab" / "bert-base-uncased")


@pytest.fixture(scope="module")
def tokenizer(vocab_dir):
    return jpqd.Tokenizer.from_directory(vocab_dir)


def cli_encodings(binary, vocab_dir, tmp_path, inputs, *flags):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t} if isinstance(t, str) else {"text": t[0], "text_pair": t[1]}) + "\n"
                            for t in inputs))
    out = subprocess.run([binary, "tokenize", "--tokenizer_name_or_path", vocab_dir, "--input", str(path), *flags],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def char_offsets(text, byte_offsets):
    """Byte offsets into text's UTF-8 as str indices."""
    data = text.encode()
    return [(len(data[:b].decode()), len(data[:e].decode())) for b, e in byte_offsets]


def assert_same(encoding, expected, text, pair=None):
    assert encoding.ids == expected["input_ids"]
    assert encoding.type_ids == expected["token_type_ids"]
    assert encoding.attention_mask == expected["attention_mask"]
    assert encoding.tokens == expected["tokens"]
    for i, (got, (b, e)) in enumerate(zip(encoding.offsets, expected["offsets"])):
        source = pair if encoding.sequence_ids[i] == 1 else text
        assert got == char_offsets(source, [(b, e)])[0], (i, encoding.tokens[i])


def test_encode_matches_the_cli(tokenizer, jpqd_binary, vocab_dir, tmp_path):
    expected = cli_encodings(jpqd_binary, vocab_dir, tmp_path, TEXTS + PAIRS)
    for item, want in zip(TEXTS + PAIRS, expected):
        text, pair = (item, None) if isinstance(item, str) else item
        assert_same(tokenizer.encode(text, pair), want, text, pair)


def test_truncation_and_padding_match_the_cli(tokenizer, jpqd_binary, vocab_dir, tmp_path):
    tokenizer.enable_truncation(12, strategy="longest_first")
    tokenizer.enable_padding()
    try:
        got = tokenizer.encode_batch(PAIRS)
    finally:
        tokenizer.no_truncation()
        tokenizer.no_padding()
    expected = cli_encodings(jpqd_binary, vocab_dir, tmp_path, PAIRS, "--max_length", "12", "--truncation",
                             "longest_first", "--padding", "longest")
    for (text, pair), encoding, want in zip(PAIRS, got, expected):
        assert_same(encoding, want, text, pair)
    assert len({len(e) for e in got}) == 1


def test_encoding_fields(tokenizer):
    e = tokenizer.encode("Héllo", "wörld")
    assert e.tokens == ["[CLS]", "hello", "[SEP]", "world", "[SEP]"]
    assert e.sequence_ids == [None, 0, None, 1, None]
    assert e.special_tokens_mask == [1, 0, 1, 0, 1]
    assert e.offsets[1] == (0, 5) and e.offsets[3] == (0, 5)
    assert len(e) == 5
    plain = tokenizer.encode("Héllo wörld", add_special_tokens=False)
    assert plain.tokens == ["hello", "world"]
    assert tokenizer.token_to_id("hello") == e.ids[1] and tokenizer.id_to_token(e.ids[1]) == "hello"
    assert tokenizer.get_vocab_size() == 30522


def test_padding_to_a_length(tokenizer):
    tokenizer.enable_padding(length=8)
    try:
        e = tokenizer.encode("hello")
    finally:
        tokenizer.no_padding()
    assert len(e) == 8 and e.attention_mask == [1, 1, 1, 0, 0, 0, 0, 0] and e.tokens[-1] == "[PAD]"


def test_model_tokenizer_is_the_model_files(cls_model, cls_model_path):
    a = cls_model.tokenizer.encode("hello the end")
    b = jpqd.Tokenizer.from_model(cls_model_path).encode("hello the end")
    assert a.ids == b.ids and a.tokens == b.tokens


def test_tokenizer_errors(tokenizer, tmp_path):
    with pytest.raises(jpqd.IoError) as excinfo:
        jpqd.Tokenizer.from_directory(str(tmp_path))
    assert "\n" not in str(excinfo.value)
    with pytest.raises(TypeError, match="encode: sequence must be str"):
        tokenizer.encode(3)
    with pytest.raises(TypeError, match=r"encode_batch: input\[1\] is int"):
        tokenizer.encode_batch(["a", 1])
    with pytest.raises(jpqd.InvalidArgument, match="strategy must be one of"):
        tokenizer.enable_truncation(8, strategy="sideways")
    with pytest.raises(jpqd.InvalidArgument, match="single texts only"):
        tokenizer.encode("a", "b", add_special_tokens=False)
    assert tokenizer.encode("hello").tokens == ["[CLS]", "hello", "[SEP]"]
