#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (run with Debian's python3, which has torch).

Seeds are small valid files (so the fuzzer starts deep inside each parser) plus the hostile cases every
reader must reject cleanly: huge dimensions, offsets past the end, overlapping tensors, negative or
overflowing sizes, deep JSON nesting, invalid UTF-8, empty files, byte order marks. Everything here is
written from the format descriptions (format/model_file_spec.h, safetensors docs, NNCF docs), not by
our own writers, so the seeds do not inherit our bugs. Rerunning rewrites the same files.
"""
import io
import json
import os
import struct
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
BOM = b"\xef\xbb\xbf"
DEEP = b"[" * 5000 + b"]" * 5000
DEEP_OBJ = b'{"a":' * 2000 + b"1" + b"}" * 2000
BAD_UTF8 = [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x80"]


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def put_open(target, name, data):
    """An input that still fails (an open finding, see docs/fuzzing.md): kept out of the seed corpus,
    where it would stop every run at once, under fuzz/regressions/open/<target>/."""
    d = os.path.join(ROOT, "fuzz", "regressions", "open", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def jdump(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- text
def vocab_seeds():
    real = open(os.path.join(ROOT, "data/vocab/bert-base-uncased/vocab.txt"), "rb").read().split(b"\n")
    small = b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nun\n##aff\n##able\n,\n!\nhello\nworld\ncafe\n"
    put("vocab", "small", small)
    put("vocab", "real_head", b"\n".join(real[:120] + real[1990:2100]) + b"\n")
    put("vocab", "bom", BOM + small)
    put("vocab", "crlf", small.replace(b"\n", b"\r\n"))
    put("vocab", "no_final_newline", small.rstrip(b"\n"))
    put("vocab", "duplicate", small + b"the\n")
    put("vocab", "no_unk", small.replace(b"[UNK]\n", b""))
    put("vocab", "only_unk", b"[UNK]")
    put("vocab", "empty", b"")
    put("vocab", "blank_lines", b"\n\n[UNK]\n\n")
    put("vocab", "invalid_utf8", small + b"\xff\xfe\n")
    put("vocab", "unicode", "[UNK]\n[CLS]\n[SEP]\n你\n好\n##é\ncafé\nİ\nß\n\u0301\n".encode())


def tokenizer_seeds():
    texts = {
        "ascii": b"Hello, World! This is BERT's tokenizer: un-affable, 3.14 and [MASK].",
        "accents": "Café déjà vu — naïve résumé, Ångström, ﬁnancial".encode(),
        "cjk": "中文字符和日本語のテキスト 한국어".encode(),
        "case_mapping": "İstanbul ΣΟΦΟΣ straße ǅ ﬃ ẞ".encode(),
        "combining": "e\u0301 a\u0308\u0323 \u200b\u200d zero\u00a0width".encode(),
        "emoji": "👍🏽 family 👨‍👩‍👧 flags 🇩🇪".encode(),
        "specials": b"[CLS][SEP][PAD][UNK][MASK] [cls] [ SEP ] [MASK][MASK]",
        "controls": b"a\x00b\x01c\x7f\td\re\nf\x0b\x0c",
        "invalid": b"ok " + b" ".join(BAD_UTF8) + b" end",
        "bom": BOM + b"text after a BOM",
        "long_word": b"x" * 300 + b" " + b"y" * 99,
        "punct": b"!!!...???,,,;;;'''\"\"\"((()))",
        "empty": b"",
    }
    for i, (name, text) in enumerate(texts.items()):
        # flags: bit0 cased, bit1 pair, bits2-3 truncation, bit4 padding; then max_length, split.
        put("tokenizer", name, bytes([i % 32, [0, 8, 16, 3, 64][i % 5], 128]) + text)
    put("tokenizer", "pair_longest_first", bytes([0b00110, 12, 100]) + texts["ascii"])
    put("tokenizer", "pair_only_second", bytes([0b01110, 10, 30]) + texts["accents"])
    put("tokenizer", "max_length_too_small", bytes([0b00010, 2, 128]) + texts["ascii"])


def tokenizer_config_seeds():
    configs = {
        "valid": {"do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer"},
        "very_large_max": {"model_max_length": 1000000000000000019884624838656},
        "legacy_max_len": {"max_len": 128, "do_lower_case": False, "strip_accents": None},
        "negative_max": {"model_max_length": -5},
        "huge_negative_max": {"model_max_length": -1e300},
        "float_max": {"model_max_length": 512.5},
        "wrong_type": {"do_lower_case": "yes"},
        "never_split": {"never_split": ["[FOO]"]},
        "custom_special": {"unk_token": {"content": "<unk>", "lstrip": False}},
        "added_decoder": {"added_tokens_decoder": {"0": {"content": "[PAD]"}, "100": {"content": "[UNK]"}}},
        "additional": {"additional_special_tokens": ["<x>"]},
        "basic_off": {"do_basic_tokenize": False},
    }
    for name, c in configs.items():
        put("tokenizer_config", name, b"\x00" + jdump(c))
    put("tokenizer_config", "special_map", b"\x01" + jdump({"unk_token": "[UNK]", "cls_token": {"content": "[CLS]"}}))
    put("tokenizer_config", "added_tokens", b"\x02" + jdump({"<new>": 10}))
    put("tokenizer_config", "deep", b"\x00" + DEEP)
    put("tokenizer_config", "not_object", b"\x00[1,2,3]")
    put("tokenizer_config", "empty", b"\x00")
    put("tokenizer_config", "bom", b"\x00" + BOM + b"{}")


# ---------------------------------------------------------------- data
GLUE = ["cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "qnli", "rte", "wnli"]


def glue_seeds():
    def head(path, n):
        return b"".join(open(os.path.join(ROOT, path), "rb").readlines()[:n])

    def sel(task, labeled=True):
        return bytes([(GLUE.index(task) << 1) | (0 if labeled else 1)])

    put("glue", "cola", sel("cola") + head("data/glue/CoLA/dev.tsv", 6))
    put("glue", "sst2", sel("sst2") + head("data/glue/SST-2/dev.tsv", 6))
    put("glue", "mrpc_bom", sel("mrpc") + head("data/glue/MRPC/dev.tsv", 4))
    put("glue", "stsb", sel("stsb") + head("data/glue/STS-B/dev.tsv", 4))
    put("glue", "qqp", sel("qqp") + b"id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\tWhy?\tHow?\t0\n")
    put("glue", "mnli", sel("mnli") + b"index\tsentence1\tsentence2\tgold_label\n0\tA man.\tA person.\tentailment\n")
    put("glue", "qnli", sel("qnli") + b"index\tquestion\tsentence\tlabel\n0\tWho?\tHim.\tnot_entailment\n")
    put("glue", "rte", sel("rte") + b"index\tsentence1\tsentence2\tlabel\n0\tIt rains.\tIt is wet.\tentailment\n")
    put("glue", "wnli", sel("wnli") + b"index\tsentence1\tsentence2\tlabel\n0\tx\ty\t1\n")
    put("glue", "sst2_test", sel("sst2", False) + b"index\tsentence\n0\thello there\n1\tbye\n")
    put("glue", "crlf", sel("sst2") + b"sentence\tlabel\r\na\t1\r\nb\t0\r\n")
    put("glue", "stsb_nan", sel("stsb") + b"index\tsentence1\tsentence2\tscore\n0\ta\tb\tnan\n1\ta\tb\t1e400\n")
    put("glue", "wrong_columns", sel("mrpc") + b"Quality\t#1 ID\n1\t2\t3\t4\n")
    put("glue", "bad_label", sel("sst2") + b"sentence\tlabel\nx\t7\n")
    put("glue", "invalid_utf8", sel("sst2") + b"sentence\tlabel\n" + BAD_UTF8[0] + b"\t1\n")
    put("glue", "empty", sel("cola"))
    put("glue", "header_only", sel("qnli") + b"index\tquestion\tsentence\tlabel\n")


def custom_files_seeds():
    # selector: bits 0-1 extension (csv, tsv, json, jsonl), bit 2 also as validation file
    csv, tsv, js, jsonl = 0, 1, 2, 3
    put("custom_files", "csv_pair", bytes([csv]) + b'sentence1,sentence2,label\n"Hi, you",there,pos\nyes,"a ""quoted"" b",neg\n')
    put("custom_files", "csv_multiline", bytes([csv | 4]) + b'text,label\n"line one\nline two",1\nplain,0\n')
    put("custom_files", "csv_regression", bytes([csv]) + b"a,b,label\nx,y,0.5\nz,w,3.25\n")
    put("custom_files", "csv_unterminated", bytes([csv]) + b'text,label\n"never closed,1\n')
    put("custom_files", "csv_text_after_quote", bytes([csv]) + b'text,label\n"a"b,1\n')
    put("custom_files", "csv_bom_crlf", bytes([csv]) + BOM + b"sentence,label\r\nx,1\r\n\r\ny,0\r\n")
    put("custom_files", "tsv", bytes([tsv | 4]) + b"sentence1\tsentence2\tlabel\na\tb\t1\nc\td\t0\n")
    put("custom_files", "tsv_wrong_columns", bytes([tsv]) + b"sentence\tlabel\na\tb\tc\n")
    put("custom_files", "json_array", bytes([js]) + jdump([{"sentence": "a", "label": 1}, {"sentence": "b", "label": 0}]))
    put("custom_files", "jsonl", bytes([jsonl | 4]) + b'{"sentence1": "a", "sentence2": "b", "label": "x"}\n{"sentence1": "c", "sentence2": "d", "label": "y"}\n')
    put("custom_files", "jsonl_mixed_labels", bytes([jsonl]) + b'{"text": "a", "label": 1}\n{"text": "b", "label": 2.5}\n{"text": "c", "label": "s"}\n')
    put("custom_files", "jsonl_deep", bytes([jsonl]) + DEEP_OBJ + b"\n")
    put("custom_files", "json_deep", bytes([js]) + DEEP)
    put("custom_files", "jsonl_not_object", bytes([jsonl]) + b"[1]\n2\nnull\n")
    put("custom_files", "jsonl_big_numbers", bytes([jsonl]) + b'{"text": "a", "label": 1e400}\n{"text": "b", "label": 18446744073709551616}\n')
    put("custom_files", "invalid_utf8", bytes([csv]) + b"text,label\n" + BAD_UTF8[1] + b",1\n")
    put("custom_files", "empty_csv", bytes([csv]))
    put("custom_files", "empty_jsonl", bytes([jsonl]))


def squad_seeds():
    def squad(contexts_qas, version="1.1"):
        return jdump({"version": version, "data": [{"title": "T", "paragraphs": [
            {"context": c, "qas": qas} for c, qas in contexts_qas]}]})

    def qa(qid, q, answers):
        return {"id": qid, "question": q, "answers": [{"text": t, "answer_start": s} for t, s in answers]}

    dev = json.load(open(os.path.join(ROOT, "data/squad/dev-v1.1.json"), encoding="utf-8"))
    art = dev["data"][0]
    small = {"version": dev["version"], "data": [
        {"title": art["title"], "paragraphs": art["paragraphs"][:1]},
        {"title": dev["data"][1]["title"], "paragraphs": dev["data"][1]["paragraphs"][:1]}]}
    put("squad", "real_two_articles", jdump(small))
    ctx = "Zürich 👍 is in Switzerland. 中文 text."
    start = ctx.index("Switzerland")  # a code-point index, as SQuAD counts
    put("squad", "unicode", squad([(ctx, [qa("q1", "Where is Zürich?", [("Switzerland", start), ("Switzerland", start)])])]))
    put("squad", "answer_past_end", squad([("short", [qa("q1", "?", [("short", 3)])])]))
    put("squad", "negative_start", squad([("short", [qa("q1", "?", [("s", -1)])])]))
    put("squad", "huge_start", squad([("short", [qa("q1", "?", [("s", 2 ** 63)])])]))
    put("squad", "int64_max_start", squad([("short", [qa("q1", "?", [("short", 2 ** 63 - 1)])])]))
    put("squad", "wrong_text", squad([("the answer", [qa("q1", "?", [("answer", 0)])])]))
    put("squad", "no_answers", squad([("c", [qa("q1", "?", [])])]))
    put("squad", "duplicate_id", squad([("ab", [qa("q", "?", [("a", 0)]), qa("q", "?", [("b", 1)])])]))
    put("squad", "long_context", squad([("word " * 200 + "target", [qa("q1", "which?", [("target", 1000)])])]))
    put("squad", "float_start", squad([("ab", [qa("q1", "?", [("b", 1.0)])])]))
    put("squad", "deep", DEEP)
    put("squad", "deep_object", DEEP_OBJ)
    put("squad", "empty", b"")
    put("squad", "bom", BOM + squad([("ab", [qa("q1", "?", [("b", 1)])])]))
    put("squad", "not_squad", b'{"data": 5}')


# ---------------------------------------------------------------- model file (format/model_file_spec.h)
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3
DTYPES = {"f32": (0, 4), "f16": (1, 2), "s8": (2, 1), "u8": (3, 1), "s32": (4, 4), "i64": (5, 8)}


def fnv1a64(data):
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def model_file(metadata, tensors, blob_extra=0, fix=None):
    """tensors: (name, dtype, shape, offset or None, size or None). fix(header fields) can corrupt them."""
    meta = jdump(metadata) if not isinstance(metadata, bytes) else metadata
    table = b""
    placed, cursor = [], 0
    for name, dtype, shape, offset, size in tensors:
        code, item = DTYPES[dtype]
        n = item
        for d in shape:
            n *= d
        n &= 0xFFFFFFFFFFFFFFFF
        if offset is None:
            offset = cursor
            cursor = (cursor + n + 63) // 64 * 64
        if size is None:
            size = n
        nb = name.encode()
        table += struct.pack("<I", len(nb)) + nb + struct.pack("<II", code, len(shape))
        table += b"".join(struct.pack("<Q", d & 0xFFFFFFFFFFFFFFFF) for d in shape)
        table += struct.pack("<QQ", offset & 0xFFFFFFFFFFFFFFFF, size & 0xFFFFFFFFFFFFFFFF)
        placed.append((offset, size))
    blob_size = max([o + s for o, s in placed if o + s < 1 << 20] + [0]) + blob_extra
    blob_offset = (64 + len(meta) + len(table) + 63) // 64 * 64
    fields = {"metadata_size": len(meta), "tensor_count": len(tensors), "table_size": len(table),
              "blob_offset": blob_offset, "blob_size": blob_size, "version": 1, "flags": 0}
    if fix:
        fix(fields)
    header = b"JPQDMODL" + struct.pack("<II", fields["version"], fields["flags"])
    header += struct.pack("<QQQQQQ", *[fields[k] & 0xFFFFFFFFFFFFFFFF for k in
                                       ("metadata_size", "tensor_count", "table_size", "blob_offset", "blob_size")], 0)
    body = header + meta + table
    body += b"\0" * (blob_offset - len(body)) if blob_offset >= len(body) else b""
    blob = bytearray(blob_size)
    for i in range(len(blob)):
        blob[i] = (i * 7) & 0xFF
    body += bytes(blob)
    return body + struct.pack("<Q", fnv1a64(body))


def model_file_seeds():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]
    meta = {
        "architecture": {"hidden_size": 4, "num_layers": 1, "vocab_size": len(vocab), "max_position_embeddings": 8,
                         "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
                         "layers": [{"num_heads": 2, "head_dim": 2, "intermediate_size": 8}]},
        "task": {"type": "sequence_classification", "num_labels": 2, "id2label": ["neg", "pos"],
                 "problem_type": "single_label_classification"},
        "tokenizer": {"vocab": vocab, "do_lower_case": True, "strip_accents": None, "tokenize_chinese_chars": True,
                      "model_max_length": 8},
        "quantization": {"scheme": "int8",
                         "linears": {"encoder.layer.0.attention.self.query": {"input": {"scale": 0.05, "zero_point": 0, "signed": True}}},
                         "attention": [None]},
        "provenance": {"tool": "make_seeds.py"},
    }
    tensors = [("embeddings.word_embeddings.weight", "f32", [8, 4], None, None),
               ("encoder.layer.0.attention.self.query.weight", "s8", [4, 4], None, None),
               ("encoder.layer.0.attention.self.query.weight_scale", "f32", [4], None, None),
               ("classifier.bias", "f16", [2], None, None),
               ("pruned.empty", "f32", [0, 4], None, None)]
    put("model_file", "valid", model_file(meta, tensors))
    put("model_file", "valid_fp32_qa", model_file(dict(meta, task={"type": "question_answering"},
                                                       quantization={"scheme": "none"}), tensors[:1]))
    put("model_file", "huge_dims", model_file(meta, [("t", "f32", [1 << 40, 1 << 40], 0, 16)]))
    put("model_file", "overflowing_size", model_file(meta, [("t", "i64", [1 << 61, 4], 0, 0)]))
    put("model_file", "offset_past_end", model_file(meta, [("t", "f32", [4], 1 << 20, None)]))
    put("model_file", "offset_wraps", model_file(meta, [("t", "f32", [4], 2 ** 64 - 64, None)]))
    put("model_file", "overlap", model_file(meta, [("a", "f32", [32], 0, None), ("b", "f32", [4], 64, None)]))
    put("model_file", "duplicate_name", model_file(meta, [("a", "f32", [4], 0, None), ("a", "f32", [4], 64, None)]))
    put("model_file", "misaligned", model_file(meta, [("a", "f32", [4], 4, None)], blob_extra=64))
    put("model_file", "bad_dtype", model_file(meta, tensors[:1]).replace(struct.pack("<II", 0, 2), struct.pack("<II", 9, 2), 1))
    put("model_file", "huge_count", model_file(meta, tensors, fix=lambda f: f.update(tensor_count=2 ** 63)))
    put("model_file", "metadata_size_overflow", model_file(meta, tensors, fix=lambda f: f.update(metadata_size=2 ** 64 - 1)))
    put("model_file", "blob_size_overflow", model_file(meta, tensors, fix=lambda f: f.update(blob_size=2 ** 64 - 8)))
    put("model_file", "table_overlaps_blob", model_file(meta, tensors, fix=lambda f: f.update(blob_offset=64)))
    put("model_file", "version_2", model_file(meta, tensors, fix=lambda f: f.update(version=2)))
    put("model_file", "deep_metadata", model_file(DEEP_OBJ, []))
    put("model_file", "metadata_not_object", model_file(b"[1]", []))
    put("model_file", "metadata_invalid_utf8", model_file(b'{"x": "\xff"}', []))
    wrong = json.loads(json.dumps(meta))
    wrong["architecture"]["layers"] = []
    wrong["tokenizer"]["vocab"] = ["[UNK]"] * 8
    wrong["quantization"]["attention"] = [None, None, None]
    put("model_file", "metadata_inconsistent", model_file(wrong, tensors))
    neg = json.loads(json.dumps(meta))
    neg["architecture"]["hidden_size"] = -4
    neg["architecture"]["vocab_size"] = 2 ** 62
    put("model_file", "metadata_huge_sizes", model_file(neg, tensors))
    put("model_file", "truncated", model_file(meta, tensors)[:100])
    put("model_file", "empty", b"")


# ---------------------------------------------------------------- LibTorch-world parsers
def json_seeds(target, valid, hostile):
    for name, obj in valid.items():
        put(target, name, jdump(obj))
    for name, data in hostile.items():
        put(target, name, data if isinstance(data, bytes) else jdump(data))
    put(target, "deep", DEEP)
    put(target, "deep_object", DEEP_OBJ)
    put(target, "empty", b"")
    put(target, "bom", BOM + b"{}")
    put(target, "invalid_utf8", b'{"a": "\xff"}')


def compression_config_seeds():
    valid = {}
    for f in sorted(os.listdir(os.path.join(ROOT, "configs"))):
        if f.endswith(".json"):
            valid[f[:-5]] = json.load(open(os.path.join(ROOT, "configs", f)))
    valid["ov_wrapper"] = {"compression": valid["bert-base-qat"], "input_info": [{"sample_size": [1, 128]}],
                           "target_device": "CPU", "save_onnx_model": False}
    hostile = {
        "regex_deep": [{"algorithm": "quantization", "ignored_scopes": ["{re}" + "(" * 5000 + ")" * 5000]}],
        "regex_long": [{"algorithm": "quantization", "ignored_scopes": ["{re}" + "(a|b)*" * 1000]}],
        "regex_invalid": [{"algorithm": "quantization", "ignored_scopes": ["{re}(["]}],
        "regex_repeat": [{"algorithm": "quantization", "ignored_scopes": ["{re}a{999999999}"]}],
        "twice": [{"algorithm": "quantization"}, {"algorithm": "quantization"}],
        "unknown_algo": {"algorithm": "magnitude_sparsity"},
        "bad_epochs": {"algorithm": "movement_sparsity", "params": {"warmup_start_epoch": -1, "warmup_end_epoch": 1e308}},
        "huge_factors": {"algorithm": "movement_sparsity", "sparse_structure_by_scopes": [
            {"mode": "block", "sparse_factors": [2 ** 62, 2 ** 62], "target_scopes": "x"}]},
        "wrong_types": {"algorithm": "quantization", "preset": 5, "initializer": []},
    }
    json_seeds("compression_config", valid, hostile)


def bert_config_seeds():
    base = {"architectures": ["BertForSequenceClassification"], "attention_probs_dropout_prob": 0.1,
            "classifier_dropout": None, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 768,
            "id2label": {"0": "negative", "1": "positive"}, "label2id": {"negative": 0, "positive": 1},
            "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12,
            "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
            "num_hidden_layers": 12, "pad_token_id": 0, "position_embedding_type": "absolute",
            "problem_type": "single_label_classification", "torch_dtype": "float32",
            "transformers_version": "4.30.0", "type_vocab_size": 2, "use_cache": True, "vocab_size": 30522}
    tiny = dict(base, hidden_size=8, num_attention_heads=2, intermediate_size=16, num_hidden_layers=2,
                heads_per_layer=[2, 1], intermediate_per_layer=[16, 4], vocab_size=100)
    valid = {"bert_base": base, "tiny_pruned": tiny, "regression": dict(base, id2label={"0": "LABEL_0"}, problem_type="regression")}
    hostile = {
        "zero_heads": dict(base, num_attention_heads=0),
        "huge_hidden": dict(base, hidden_size=2 ** 62, num_attention_heads=1),
        "negative_layers": dict(base, num_hidden_layers=-3),
        "bad_id2label": dict(base, id2label={"x": "a", "-1": "b", "99999999999999999999": "c"}),
        "label2id_mismatch": dict(base, label2id={"positive": 7}),
        "float_sizes": dict(base, hidden_size=768.5, vocab_size=1e300),
        "per_layer_mismatch": dict(tiny, heads_per_layer=[2, 1, 0, 5]),
        "unknown_act": dict(base, hidden_act="swish"),
        "not_object": [1, 2],
    }
    json_seeds("bert_config", valid, hostile)


ST_DTYPES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def safetensors(entries, metadata=None, raw_header=None, length=None, data=None):
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    off = 0
    for name, dtype, shape, offsets in entries:
        n = ST_DTYPES.get(dtype, 1)
        for d in shape:
            n *= d
        if offsets is None:
            offsets = [off, off + n]
            off += n
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets}
    h = raw_header if raw_header is not None else json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    if data is None:
        data = bytes((i * 13) & 0xFF for i in range(off))
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def safetensors_seeds():
    put("safetensors", "valid", safetensors([("a.weight", "F32", [2, 3], None), ("a.bias", "F16", [3], None),
                                             ("b", "BF16", [2], None), ("ids", "I64", [2], None),
                                             ("mask", "BOOL", [4], None), ("e", "F32", [0, 5], None)],
                                            metadata={"format": "pt"}))
    put("safetensors", "all_dtypes", safetensors([(d.lower(), d, [1], None) for d in ST_DTYPES]))
    put("safetensors", "huge_dims", safetensors([("a", "F32", [2 ** 40, 2 ** 40], [0, 16])], data=b"\0" * 16))
    put("safetensors", "overflow_shape", safetensors([("a", "F64", [2 ** 62, 8], [0, 0])], data=b""))
    put("safetensors", "negative_shape", safetensors([("a", "F32", [-1, 4], [0, 16])], data=b"\0" * 16))
    put("safetensors", "offsets_past_end", safetensors([("a", "F32", [4], [0, 16])], data=b"\0" * 8))
    put("safetensors", "offsets_reversed", safetensors([("a", "F32", [0], [16, 0])], data=b"\0" * 16))
    put("safetensors", "offsets_huge", safetensors([("a", "F32", [4], [2 ** 64 - 8, 2 ** 64 + 8])], data=b"\0" * 16))
    put("safetensors", "overlap", safetensors([("a", "F32", [4], [0, 16]), ("b", "F32", [2], [8, 16])], data=b"\0" * 16))
    put("safetensors", "hole", safetensors([("a", "F32", [2], [8, 16])], data=b"\0" * 16))
    put("safetensors", "header_len_huge", safetensors([("a", "F32", [1], None)], length=2 ** 63))
    put("safetensors", "header_len_past_end", safetensors([("a", "F32", [1], None)], length=4096))
    put("safetensors", "header_deep", safetensors([], raw_header=DEEP))
    put("safetensors", "header_not_object", safetensors([], raw_header=b"[1,2]"))
    put("safetensors", "header_invalid_utf8", safetensors([], raw_header=b'{"\xff": 1}'))
    put("safetensors", "bad_dtype", safetensors([("a", "Q4", [4], [0, 4])], data=b"\0" * 4))
    put("safetensors", "metadata_not_strings", safetensors([("a", "U8", [1], None)], metadata={"k": [1]}))
    put("safetensors", "duplicate_key", safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                                                                   b'"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', data=b"\1"))
    put("safetensors", "short", b"\x08\0\0")
    put("safetensors", "empty", b"")


def safetensors_index_seeds():
    # The target provides shard-1.safetensors (tensors a, b) and shard-2.safetensors (tensor c).
    valid = {"weight_map": {"a": "shard-1.safetensors", "b": "shard-1.safetensors", "c": "shard-2.safetensors"},
             "metadata": {"total_size": 40}}
    put("safetensors_index", "valid", jdump(valid))
    put("safetensors_index", "missing_tensor", jdump({"weight_map": {"zzz": "shard-1.safetensors"}}))
    put("safetensors_index", "missing_shard", jdump({"weight_map": {"a": "shard-9.safetensors"}}))
    put("safetensors_index", "traversal", jdump({"weight_map": {"a": "../shard-1.safetensors", "b": "/etc/passwd"}}))
    put("safetensors_index", "dot", jdump({"weight_map": {"a": "..", "b": "."}}))
    put("safetensors_index", "not_string", jdump({"weight_map": {"a": 1}}))
    put("safetensors_index", "no_map", jdump({"metadata": {}}))
    put("safetensors_index", "index_as_shard", jdump({"weight_map": {"a": "model.safetensors.index.json"}}))
    put("safetensors_index", "deep", DEEP)
    put("safetensors_index", "empty", b"")


def torch_bin_seeds():
    try:
        import torch
    except ImportError:
        print("make_seeds: no torch in this python; torch_bin seeds skipped", file=sys.stderr)
        return
    from collections import OrderedDict

    def saved(obj):
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32)
    sd = OrderedDict([("w", torch.randn(3, 4)), ("b", torch.zeros(4, dtype=torch.float16)),
                      ("ids", torch.arange(5)), ("flag", torch.tensor([True, False])),
                      ("bf", torch.ones(2, dtype=torch.bfloat16)), ("e", torch.empty(0, 3))])
    # Mode byte 0: the input is the whole file.
    put("torch_bin", "state_dict", b"\x00" + saved(sd))
    views = OrderedDict([("view", base[4:10]), ("t", base.view(4, 6).t()), ("same", base),
                         ("expand", torch.ones(1, 3).expand(4, 3)),
                         ("param", torch.nn.Parameter(torch.ones(2)))])
    put("torch_bin", "shared_views", b"\x00" + saved(views))
    put("torch_bin", "linear_state_dict", b"\x00" + saved(torch.nn.Linear(3, 2).state_dict()))
    put("torch_bin", "not_a_dict", b"\x00" + saved([torch.ones(2)]))
    put("torch_bin", "nested_dict", b"\x00" + saved({"model": {"w": torch.ones(1)}}))
    put("torch_bin", "truncated", b"\x00" + saved(sd)[:300])
    put("torch_bin", "empty", b"\x00")
    put("torch_bin", "not_zip", b"\x00PK\x03\x04" + b"\xff" * 40)
    # Mode byte 1: the input is data.pkl, zipped by the target next to storages "0" (64 bytes) and "1"
    # (8 bytes), so mutations reach the pickle interpreter instead of the zip's CRC check.
    with zipfile.ZipFile(io.BytesIO(saved(sd))) as z:
        pkl = [n for n in z.namelist() if n.endswith("data.pkl")][0]
        put("torch_bin", "pickle_state_dict", b"\x01" + z.read(pkl))
    with zipfile.ZipFile(io.BytesIO(saved(views))) as z:
        pkl = [n for n in z.namelist() if n.endswith("data.pkl")][0]
        put("torch_bin", "pickle_views", b"\x01" + z.read(pkl))
    # Hand-made pickles: a view of (1 << 40) elements with stride 0 over a 1-element storage, a view past
    # its storage, negative sizes, a forbidden global.
    def pickle_view(size, stride, offset=0, key="0", storage="FloatStorage"):
        import pickle

        class Storage:
            pass

        def t(xs):
            return b"(" + b"".join(b"J" + struct.pack("<i", x) if -2 ** 31 <= x < 2 ** 31 else
                                   b"\x8a\x08" + struct.pack("<q", x) for x in xs) + b"t"
        p = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00wq\x02"
        p += b"ctorch._utils\n_rebuild_tensor_v2\nq\x03("
        p += b"(X\x07\x00\x00\x00storageq\x04ctorch\n" + storage.encode() + b"\nq\x05X" + struct.pack("<I", len(key)) + key.encode()
        p += b"X\x03\x00\x00\x00cpuq\x06K\x10tq\x07Q"
        p += (b"J" + struct.pack("<i", offset)) if -2 ** 31 <= offset < 2 ** 31 else b"\x8a\x08" + struct.pack("<q", offset)
        p += t(size) + t(stride) + b"\x89ccollections\nOrderedDict\n)Rtq\x08Rq\x09s."
        return p
    put("torch_bin", "pickle_ok", b"\x01" + pickle_view([4, 4], [4, 1]))
    put_open("torch_bin", "pickle_stride0_huge", b"\x01" + pickle_view([1 << 40], [0]))
    put_open("torch_bin", "pickle_stride0_dims", b"\x01" + pickle_view([1 << 20, 1 << 20, 1 << 20], [0, 0, 0]))
    put("torch_bin", "pickle_past_storage", b"\x01" + pickle_view([4, 5], [5, 1]))
    put("torch_bin", "pickle_negative", b"\x01" + pickle_view([-1, 4], [4, 1]))
    put("torch_bin", "pickle_offset_huge", b"\x01" + pickle_view([1], [1], offset=2 ** 62))
    put("torch_bin", "pickle_bad_storage", b"\x01" + pickle_view([1], [1], storage="os\nsystem"))
    put("torch_bin", "pickle_missing_record", b"\x01" + pickle_view([1], [1], key="7"))
    put("torch_bin", "pickle_global", b"\x01\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.")
    put("torch_bin", "pickle_deep", b"\x01\x80\x02" + b"(" * 20000 + b"l" * 20000 + b".")
    put("torch_bin", "pickle_empty", b"\x01")


SEEDERS = {"vocab": vocab_seeds, "tokenizer": tokenizer_seeds, "tokenizer_config": tokenizer_config_seeds,
           "glue": glue_seeds, "custom_files": custom_files_seeds, "squad": squad_seeds,
           "model_file": model_file_seeds, "compression_config": compression_config_seeds,
           "bert_config": bert_config_seeds, "safetensors": safetensors_seeds,
           "safetensors_index": safetensors_index_seeds, "torch_bin": torch_bin_seeds}

if __name__ == "__main__":
    for target in sys.argv[1:] or SEEDERS:
        SEEDERS[target]()
