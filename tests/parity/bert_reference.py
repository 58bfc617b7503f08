#!/usr/bin/python3
"""Independent reference for jpqd's BERT: Hugging Face BertModel semantics in plain torch.

Writes tiny random checkpoints (config.json + weights) and, for each, inputs and the expected outputs and
losses, so the C++ tests can load them through jpqd::model::load_pretrained and compare. Nothing here
imports jpqd; the safetensors files are written by hand from the format's definition (8-byte
little-endian header length, JSON header, raw little-endian data), the .bin files by torch.save.

Run with Debian's python3-torch:  /usr/bin/python3 tests/parity/bert_reference.py OUT_DIR
"""
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import torch

BATCH, SEQ = 3, 12
LENGTHS = [12, 9, 5]
BASE = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
            max_position_embeddings=64, type_vocab_size=2, initializer_range=0.02, layer_norm_eps=1e-12,
            pad_token_id=0, position_embedding_type="absolute", model_type="bert")


# ---------------------------------------------------------------- HF semantics, written out
def act(name, x):
    if name in ("gelu", "gelu_python"):
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "relu":
        return torch.clamp(x, min=0.0)
    raise ValueError(name)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def dense(x, W, name):
    return x @ W[name + ".weight"].t() + W[name + ".bias"]


def heads_of(cfg, layer):
    return cfg.get("heads_per_layer", [cfg["num_attention_heads"]] * cfg["num_hidden_layers"])[layer]


def encoder(W, cfg, ids, mask, types):
    eps, h = cfg["layer_norm_eps"], cfg["hidden_size"]
    d = h // cfg["num_attention_heads"]
    s = ids.shape[1]
    x = W["bert.embeddings.word_embeddings.weight"][ids] + W["bert.embeddings.token_type_embeddings.weight"][types]
    x = x + W["bert.embeddings.position_embeddings.weight"][torch.arange(s)]
    x = layer_norm(x, W["bert.embeddings.LayerNorm.weight"], W["bert.embeddings.LayerNorm.bias"], eps)
    add_mask = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    b = ids.shape[0]
    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        n = heads_of(cfg, l)
        split = lambda t: t.reshape(b, s, n, d).permute(0, 2, 1, 3)
        q = split(dense(x, W, p + "attention.self.query"))
        k = split(dense(x, W, p + "attention.self.key"))
        v = split(dense(x, W, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + add_mask
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(b, s, n * d)
        a = layer_norm(dense(ctx, W, p + "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"], eps)
        i = act(cfg["hidden_act"], dense(a, W, p + "intermediate.dense"))
        x = layer_norm(dense(i, W, p + "output.dense") + a, W[p + "output.LayerNorm.weight"],
                       W[p + "output.LayerNorm.bias"], eps)
    return x


def forward(W, cfg, head, ids, mask, types):
    x = encoder(W, cfg, ids, mask, types)
    if head == "cls":
        pooled = torch.tanh(dense(x[:, 0], W, "bert.pooler.dense"))
        return {"logits": dense(pooled, W, "classifier")}
    if head == "qa":
        both = dense(x, W, "qa_outputs")
        return {"start_logits": both[..., 0], "end_logits": both[..., 1]}
    t = act(cfg["hidden_act"], dense(x, W, "cls.predictions.transform.dense"))
    t = layer_norm(t, W["cls.predictions.transform.LayerNorm.weight"], W["cls.predictions.transform.LayerNorm.bias"],
                   cfg["layer_norm_eps"])
    return {"logits": t @ W["bert.embeddings.word_embeddings.weight"].t() + W["cls.predictions.bias"]}


def loss(cfg, head, out, labels):
    F = torch.nn.functional
    if head == "cls":
        n = len(cfg["id2label"])
        problem = cfg.get("problem_type")
        if problem is None:
            problem = "regression" if n == 1 else (
                "single_label_classification" if labels["labels"].dtype == torch.long else "multi_label_classification")
        if problem == "regression":
            return F.mse_loss(out["logits"].squeeze(), labels["labels"].squeeze())
        if problem == "single_label_classification":
            return F.cross_entropy(out["logits"].view(-1, n), labels["labels"].view(-1))
        return F.binary_cross_entropy_with_logits(out["logits"], labels["labels"])
    if head == "qa":
        ignored = out["start_logits"].shape[1]
        st = labels["start_positions"].clamp(0, ignored)
        en = labels["end_positions"].clamp(0, ignored)
        return (F.cross_entropy(out["start_logits"], st, ignore_index=ignored) +
                F.cross_entropy(out["end_logits"], en, ignore_index=ignored)) / 2
    return F.cross_entropy(out["logits"].view(-1, cfg["vocab_size"]), labels["labels"].view(-1), ignore_index=-100)


# ---------------------------------------------------------------- weights and files
def make_weights(cfg, head, gen):
    h, W = cfg["hidden_size"], OrderedDict()
    d = h // cfg["num_attention_heads"]
    rnd = lambda *shape, scale=0.2: torch.randn(*shape, generator=gen) * scale

    def lin(name, i, o):
        W[name + ".weight"] = rnd(o, i)
        W[name + ".bias"] = rnd(o, scale=0.1)

    def ln(name):
        W[name + ".weight"] = 1.0 + rnd(h, scale=0.1)
        W[name + ".bias"] = rnd(h, scale=0.1)

    W["bert.embeddings.word_embeddings.weight"] = rnd(cfg["vocab_size"], h, scale=0.5)
    W["bert.embeddings.position_embeddings.weight"] = rnd(cfg["max_position_embeddings"], h, scale=0.5)
    W["bert.embeddings.token_type_embeddings.weight"] = rnd(cfg["type_vocab_size"], h, scale=0.5)
    ln("bert.embeddings.LayerNorm")
    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        inner = heads_of(cfg, l) * d
        ffn = cfg.get("intermediate_per_layer", [cfg["intermediate_size"]] * cfg["num_hidden_layers"])[l]
        for m in ("query", "key", "value"):
            lin(p + "attention.self." + m, h, inner)
        lin(p + "attention.output.dense", inner, h)
        ln(p + "attention.output.LayerNorm")
        lin(p + "intermediate.dense", h, ffn)
        lin(p + "output.dense", ffn, h)
        ln(p + "output.LayerNorm")
    if head == "cls":
        lin("bert.pooler.dense", h, h)
        lin("classifier", h, len(cfg["id2label"]))
    elif head == "qa":
        lin("qa_outputs", h, 2)
    else:
        W["cls.predictions.bias"] = rnd(cfg["vocab_size"], scale=0.1)
        lin("cls.predictions.transform.dense", h, h)
        ln("cls.predictions.transform.LayerNorm")
    return W


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def make_inputs(cfg, gen):
    ids = torch.randint(1, cfg["vocab_size"], (BATCH, SEQ), generator=gen)
    mask = torch.zeros(BATCH, SEQ, dtype=torch.long)
    types = torch.zeros(BATCH, SEQ, dtype=torch.long)
    for i, n in enumerate(LENGTHS):
        mask[i, :n] = 1
        ids[i, n:] = cfg["pad_token_id"]
        types[i, n // 2:n] = 1
    return ids, mask, types


def make_labels(cfg, head, gen):
    if head == "cls":
        n = len(cfg["id2label"])
        if n == 1:
            return {"labels": torch.randn(BATCH, generator=gen)}
        if cfg.get("problem_type") == "multi_label_classification":
            return {"labels": (torch.rand(BATCH, n, generator=gen) > 0.5).to(torch.float32)}
        return {"labels": torch.randint(0, n, (BATCH,), generator=gen)}
    if head == "qa":
        # The last end position lies beyond the sequence: clamped to SEQ and ignored.
        return {"start_positions": torch.tensor([3, 0, 2]), "end_positions": torch.tensor([5, 1, SEQ + 7])}
    labels = torch.full((BATCH, SEQ), -100, dtype=torch.long)
    labels[0, 2] = 7
    labels[1, 4] = 42
    labels[2, 1] = 99
    labels[0, 9] = 3
    return {"labels": labels}


def write_case(out, name, cfg, head, W, gen, files, extra_expected=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    files(d)
    ids, mask, types = make_inputs(cfg, gen)
    labels = make_labels(cfg, head, gen)
    with torch.no_grad():
        o = forward(W, cfg, head, ids, mask, types)
        lo = loss(cfg, head, o, labels)
    expected = {"head": head, "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                "token_type_ids": types.tolist(), "labels": {k: v.tolist() for k, v in labels.items()},
                "label_dtype": str(next(iter(labels.values())).dtype), "outputs": {k: v.tolist() for k, v in o.items()},
                "loss": lo.item()}
    expected.update(extra_expected or {})
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f)


def rounded(W, dtype):
    return OrderedDict((k, v.to(dtype)) for k, v in W.items()), OrderedDict((k, v.to(dtype).float()) for k, v in W.items())


def main(out):
    gen = torch.Generator().manual_seed(1234)
    cfg = dict(BASE, id2label={"0": "neg", "1": "neu", "2": "pos"}, label2id={"neg": 0, "neu": 1, "pos": 2},
               architectures=["BertForSequenceClassification"], custom_key={"kept": [1, 2]},
               transformers_version="4.40.0")
    W = make_weights(cfg, "cls", gen)
    write_case(out, "cls_gelu", cfg, "cls", W, gen, lambda d: write_safetensors(os.path.join(d, "model.safetensors"), W))

    for dtype, name in ((torch.float16, "cls_f16"), (torch.bfloat16, "cls_bf16")):
        stored, effective = rounded(W, dtype)
        write_case(out, name, cfg, "cls", effective, gen,
                   lambda d, s=stored: write_safetensors(os.path.join(d, "model.safetensors"), s))

    def sharded(d):
        names = list(W.keys())
        half = len(names) // 2
        shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
        weight_map = {}
        for shard, keys in shards.items():
            write_safetensors(os.path.join(d, shard), OrderedDict((k, W[k]) for k in keys))
            weight_map.update({k: shard for k in keys})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    write_case(out, "cls_sharded", cfg, "cls", W, gen, sharded)

    def hf_bin(d):  # as BertForSequenceClassification.state_dict() in transformers < 4.31 saves it
        sd = OrderedDict(W)
        sd["bert.embeddings.position_ids"] = torch.arange(cfg["max_position_embeddings"]).unsqueeze(0)
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_case(out, "cls_bin", cfg, "cls", W, gen, hf_bin)

    def legacy_base_bin(d):  # a base BertModel without "bert.", LayerNorm.gamma/beta, plus pretraining heads
        sd = OrderedDict()
        for k, v in W.items():
            if not k.startswith("bert."):
                continue
            k = k[len("bert."):].replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
            sd[k] = v
        sd["cls.seq_relationship.weight"] = torch.randn(2, cfg["hidden_size"], generator=gen)
        sd["cls.seq_relationship.bias"] = torch.zeros(2)
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_case(out, "base_bin_legacy", cfg, "cls", W, gen, legacy_base_bin)

    for name, act_name, extra in (("cls_regression", "relu", {"layer_norm_eps": 1e-5}),
                                  ("cls_multilabel", "gelu_new", {"problem_type": "multi_label_classification"}),
                                  ("cls_pruned", "gelu", {"heads_per_layer": [2, 0], "intermediate_per_layer": [48, 16]})):
        labels = 1 if name == "cls_regression" else 4 if name == "cls_multilabel" else 2
        c = dict(BASE, hidden_act=act_name, id2label={str(i): "LABEL_%d" % i for i in range(labels)}, **extra)
        Wc = make_weights(c, "cls", gen)
        write_case(out, name, c, "cls", Wc, gen,
                   lambda d, Wc=Wc: write_safetensors(os.path.join(d, "model.safetensors"), Wc))

    c = dict(BASE, hidden_act="gelu_python", architectures=["BertForQuestionAnswering"])
    Wq = make_weights(c, "qa", gen)
    write_case(out, "qa", c, "qa", Wq, gen, lambda d: write_safetensors(os.path.join(d, "model.safetensors"), Wq))

    c = dict(BASE, hidden_act="gelu_new", architectures=["BertForMaskedLM"])
    Wm = make_weights(c, "mlm", gen)
    write_case(out, "mlm", c, "mlm", Wm, gen, lambda d: write_safetensors(os.path.join(d, "model.safetensors"), Wm))

    def mlm_bin(d):  # BertForMaskedLM.state_dict() holds the tied copies too
        sd = OrderedDict(Wm)
        sd["cls.predictions.decoder.weight"] = Wm["bert.embeddings.word_embeddings.weight"]
        sd["cls.predictions.decoder.bias"] = Wm["cls.predictions.bias"]
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_case(out, "mlm_bin", c, "mlm", Wm, gen, mlm_bin)

    # A pickle that would run a shell command if a reader executed its globals.
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo jpqd-pwned > " + os.path.join(out, "hostile", "pwned"),))
    os.makedirs(os.path.join(out, "hostile"), exist_ok=True)
    torch.save(OrderedDict([("bert.embeddings.word_embeddings.weight", Evil())]),
               os.path.join(out, "hostile", "evil.bin"))


if __name__ == "__main__":
    main(sys.argv[1])
