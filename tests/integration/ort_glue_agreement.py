#!/usr/bin/env python3
"""ONNX Runtime vs jpqd's runtime on a GLUE single-sentence dev set.

Tokenizes the dev sentences with the independent reference tokenizer (tests/fixtures/tokenizer/make_golden.py,
plain Python), runs model.onnx through ONNX Runtime (tools/onnxruntime/run_model.js, one batch per sentence, so
no padding is involved), and compares the predictions with a `jpqd eval --predictions_file` JSON-lines file.

usage: ort_glue_agreement.py <source dir> <model.onnx> <dev.tsv> <jpqd predictions.jsonl> <work dir> <min agreement>
                             [<tokenized.jsonl>]
With <tokenized.jsonl> (`jpqd tokenize` output, one line per dev sentence, for tokenizers other than BERT's, which
tests/integration/runtime/tokenizers_oracle.sh checks against the tokenizers library) the ids come from there.
"""
import json
import os
import subprocess
import sys

src, onnx, dev, jpqd_predictions, work, min_agreement = sys.argv[1:7]
tokenized = [json.loads(line) for line in open(sys.argv[7])] if len(sys.argv) > 7 else None
sys.path.insert(0, os.path.join(src, "tests", "fixtures", "tokenizer"))
import make_golden as reference  # noqa: E402

vocab = reference.VOCABS["uncased"]
options = {"do_lower_case": True, "strip_accents": None, "tokenize_chinese_chars": True}
max_length = 64

rows = [line.rstrip("\n").split("\t") for line in open(dev, encoding="utf-8")][1:]
batches, labels = [], []
for k, (sentence, label) in enumerate(rows):
    if tokenized:
        ids = tokenized[k]["input_ids"]
    else:
        tokens = ["[CLS]"] + reference.tokenize(sentence, options, vocab)[: max_length - 2] + ["[SEP]"]
        ids = [vocab.get(t, vocab["[UNK]"]) for t in tokens]
    batches.append({"input_ids": [ids], "attention_mask": [[1] * len(ids)], "token_type_ids": [[0] * len(ids)]})
    labels.append(int(label))

inputs, outputs = os.path.join(work, "ort_inputs.json"), os.path.join(work, "ort_outputs.json")
json.dump({"batches": batches}, open(inputs, "w"))
subprocess.run(["node", os.path.join(src, "tools", "onnxruntime", "run_model.js"), "--model", onnx, "--input", inputs,
                "--output", outputs, "--threads", "2"], check=True)
ort = [max(range(2), key=lambda c: b["outputs"]["logits"]["data"][c]) for b in json.load(open(outputs))["batches"]]

jpqd = [json.loads(line)["logits"] for line in open(jpqd_predictions)]
jpqd_ids = [max(range(2), key=lambda c: logits[c]) for logits in jpqd]
assert len(ort) == len(jpqd_ids) == len(labels), (len(ort), len(jpqd_ids), len(labels))
agreement = sum(a == b for a, b in zip(ort, jpqd_ids)) / len(ort)
acc_ort = sum(a == y for a, y in zip(ort, labels)) / len(labels)
acc_jpqd = sum(a == y for a, y in zip(jpqd_ids, labels)) / len(labels)
print(f"ONNX Runtime and jpqd agree on {agreement:.4f} of {len(ort)} dev sentences; "
      f"accuracy ONNX Runtime {acc_ort:.4f}, jpqd {acc_jpqd:.4f}")
sys.exit(0 if agreement >= float(min_agreement) else 1)
