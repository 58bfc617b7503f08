"""jpqd.Model.predict throughput on the SST-2 dev sentences (text in, labels out, tokenization included), and
Model.run on the same sentences tokenized beforehand (ids in), for bench/python/run.sh. Also writes those token
ids, batch by batch, for ort_throughput.js, so that ONNX Runtime runs exactly the batches jpqd.Model.run runs.

    throughput.py MODEL.jpqd SST2_DEV_TSV BATCH THREADS STREAMS SECONDS [IDS_JSON]   -> one JSON line
"""
import csv
import json
import sys
import time

import numpy as np

import jpqd


def timed(call, seconds, sequences):
    """Sequences per second over whole passes, repeated until `seconds` have passed (at least one pass)."""
    call()  # warm-up pass: primitive creation, first-touch memory
    passes, start = 0, time.perf_counter()
    while True:
        call()
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return passes * sequences / elapsed


def main():
    path, tsv, batch, threads, streams, seconds = sys.argv[1:7]
    batch, threads, streams, seconds = int(batch), int(threads), int(streams), float(seconds)
    with open(tsv, newline="") as f:
        texts = [r["sentence"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    hint = "throughput" if streams > 1 else "latency"
    model = jpqd.Model(path, threads=threads, streams=streams, hint=hint)

    # The batches predict() makes: consecutive texts, each batch padded to its longest (max 128 tokens).
    tokenizer = model.tokenizer
    tokenizer.enable_truncation(128)
    tokenizer.enable_padding()
    batches = []
    for i in range(0, len(texts), batch):
        encodings = tokenizer.encode_batch(texts[i:i + batch])
        batches.append({k: np.array([getattr(e, a) for e in encodings], dtype=np.int64)
                        for k, a in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                                     ("token_type_ids", "type_ids"))})
    if len(sys.argv) > 7:
        with open(sys.argv[7], "w") as out:
            json.dump({"batches": [{k: v.tolist() for k, v in b.items()} for b in batches]}, out)

    def run_all():
        for b in batches:
            model.run(b["input_ids"], b["attention_mask"], b["token_type_ids"])

    result = {"batch": batch, "threads": threads, "streams": streams, "sequences": len(texts),
              "predict_sequences_per_s": timed(lambda: model.predict(texts, batch_size=batch, max_length=128),
                                               seconds, len(texts)),
              "run_sequences_per_s": timed(run_all, seconds, len(texts))}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
