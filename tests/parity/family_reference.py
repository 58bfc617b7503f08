#!/usr/bin/python3
"""Independent reference for jpqd's DistilBERT, RoBERTa and XLM-RoBERTa, and BERT checkpoints saved without a
pooler or as a bare BertModel: Hugging Face semantics (modeling_distilbert.py, modeling_roberta.py,
modeling_xlm_roberta.py) written out in plain torch.

Like bert_reference.py it writes tiny random checkpoint directories in each family's own key names and config
keys, with padded inputs and the expected outputs and losses; it imports nothing of jpqd.

Run with Debian's python3-torch:  /usr/bin/python3 tests/parity/family_reference.py OUT_DIR
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
F = torch.nn.functional

BERT_LIKE = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                 hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                 max_position_embeddings=40, initializer_range=0.02, position_embedding_type="absolute")
ROBERTA = dict(BERT_LIKE, type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
               model_type="roberta")
BERT = dict(BERT_LIKE, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, model_type="bert")
DISTILBERT = dict(vocab_size=100, dim=32, n_layers=2, n_heads=4, hidden_dim=64, activation="gelu", dropout=0.1,
                  attention_dropout=0.1, max_position_embeddings=40, initializer_range=0.02, qa_dropout=0.1,
                  seq_classif_dropout=0.2, sinusoidal_pos_embds=False, pad_token_id=0, tie_weights_=True,
                  model_type="distilbert")


# ---------------------------------------------------------------- HF semantics, written out
def act(name, x):
    if name in ("gelu", "gelu_python"):
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "relu":
        return torch.clamp(x, min=0.0)
    raise ValueError(name)


def layer_norm(x, W, name, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * W[name + ".weight"] + W[name + ".bias"]


def dense(x, W, name):
    return x @ W[name + ".weight"].t() + W[name + ".bias"]


def bert_like_encoder(W, cfg, base, ids, mask, types):
    """BertModel / RobertaModel: post-LN layers; RoBERTa's positions count non-pad tokens from padding_idx."""
    eps, h, n = cfg["layer_norm_eps"], cfg["hidden_size"], cfg["num_attention_heads"]
    d = h // n
    b, s = ids.shape
    if cfg["model_type"] in ("roberta", "xlm-roberta"):
        pad = cfg["pad_token_id"]
        not_pad = ids.ne(pad).int()
        positions = (torch.cumsum(not_pad, dim=1).type_as(not_pad) * not_pad).long() + pad
    else:
        positions = torch.arange(s).expand(b, s)
    e = base + ".embeddings."
    x = W[e + "word_embeddings.weight"][ids] + W[e + "token_type_embeddings.weight"][types]
    x = x + W[e + "position_embeddings.weight"][positions]
    x = layer_norm(x, W, e + "LayerNorm", eps)
    add_mask = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    for l in range(cfg["num_hidden_layers"]):
        p = "%s.encoder.layer.%d." % (base, l)
        split = lambda t: t.reshape(b, s, n, d).permute(0, 2, 1, 3)
        q = split(dense(x, W, p + "attention.self.query"))
        k = split(dense(x, W, p + "attention.self.key"))
        v = split(dense(x, W, p + "attention.self.value"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + add_mask, dim=-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(b, s, h)
        a = layer_norm(dense(ctx, W, p + "attention.output.dense") + x, W, p + "attention.output.LayerNorm", eps)
        i = act(cfg["hidden_act"], dense(a, W, p + "intermediate.dense"))
        x = layer_norm(dense(i, W, p + "output.dense") + a, W, p + "output.LayerNorm", eps)
    return x


def distilbert_encoder(W, cfg, ids, mask):
    """DistilBertModel: no token types, Q scaled before Q·Kᵀ, masked_fill with finfo.min, eps 1e-12."""
    eps, h, n = 1e-12, cfg["dim"], cfg["n_heads"]
    d = h // n
    b, s = ids.shape
    e = "distilbert.embeddings."
    x = W[e + "word_embeddings.weight"][ids] + W[e + "position_embeddings.weight"][torch.arange(s)]
    x = layer_norm(x, W, e + "LayerNorm", eps)
    masked = (mask == 0).view(b, 1, 1, s)
    for l in range(cfg["n_layers"]):
        p = "distilbert.transformer.layer.%d." % l
        split = lambda t: t.view(b, -1, n, d).transpose(1, 2)
        q = split(dense(x, W, p + "attention.q_lin")) / math.sqrt(d)
        k = split(dense(x, W, p + "attention.k_lin"))
        v = split(dense(x, W, p + "attention.v_lin"))
        scores = (q @ k.transpose(2, 3)).masked_fill(masked.expand(b, n, s, s), torch.finfo(torch.float32).min)
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, s, h)
        a = layer_norm(dense(ctx, W, p + "attention.out_lin") + x, W, p + "sa_layer_norm", eps)
        f = dense(act(cfg["activation"], dense(a, W, p + "ffn.lin1")), W, p + "ffn.lin2")
        x = layer_norm(f + a, W, p + "output_layer_norm", eps)
    return x


def forward(W, cfg, head, ids, mask, types):
    family = cfg["model_type"]
    if family == "distilbert":
        x = distilbert_encoder(W, cfg, ids, mask)
        if head == "cls":
            return {"logits": dense(torch.relu(dense(x[:, 0], W, "pre_classifier")), W, "classifier")}
        if head == "qa":
            both = dense(x, W, "qa_outputs")
            return {"start_logits": both[..., 0], "end_logits": both[..., 1]}
        t = layer_norm(act(cfg["activation"], dense(x, W, "vocab_transform")), W, "vocab_layer_norm", 1e-12)
        return {"logits": t @ W["distilbert.embeddings.word_embeddings.weight"].t() + W["vocab_projector.bias"]}
    base = "bert" if family == "bert" else "roberta"
    x = bert_like_encoder(W, cfg, base, ids, mask, types)
    if head == "cls":
        if family == "bert":
            return {"logits": dense(torch.tanh(dense(x[:, 0], W, "bert.pooler.dense")), W, "classifier")}
        return {"logits": dense(torch.tanh(dense(x[:, 0], W, "classifier.dense")), W, "classifier.out_proj")}
    if head == "qa":
        both = dense(x, W, "qa_outputs")
        return {"start_logits": both[..., 0], "end_logits": both[..., 1]}
    # RobertaLMHead: gelu (exact) whatever hidden_act says.
    t = layer_norm(act("gelu", dense(x, W, "lm_head.dense")), W, "lm_head.layer_norm", cfg["layer_norm_eps"])
    return {"logits": t @ W["roberta.embeddings.word_embeddings.weight"].t() + W["lm_head.bias"]}


def loss(cfg, head, out, labels):
    if head == "cls":
        n = len(cfg["id2label"])
        return F.cross_entropy(out["logits"].view(-1, n), labels["labels"].view(-1))
    if head == "qa":
        ignored = out["start_logits"].shape[1]
        st = labels["start_positions"].clamp(0, ignored)
        en = labels["end_positions"].clamp(0, ignored)
        return (F.cross_entropy(out["start_logits"], st, ignore_index=ignored) +
                F.cross_entropy(out["end_logits"], en, ignore_index=ignored)) / 2
    return F.cross_entropy(out["logits"].view(-1, cfg["vocab_size"]), labels["labels"].view(-1), ignore_index=-100)


# ---------------------------------------------------------------- weights, in each family's state-dict order
def weights(cfg, head, gen, pooler=True):
    family = cfg["model_type"]
    W = OrderedDict()
    rnd = lambda *shape, scale=0.2: torch.randn(*shape, generator=gen) * scale

    def lin(name, i, o):
        W[name + ".weight"] = rnd(o, i)
        W[name + ".bias"] = rnd(o, scale=0.1)

    def ln(name, h):
        W[name + ".weight"] = 1.0 + rnd(h, scale=0.1)
        W[name + ".bias"] = rnd(h, scale=0.1)

    if family == "distilbert":
        h, ffn = cfg["dim"], cfg["hidden_dim"]
        W["distilbert.embeddings.word_embeddings.weight"] = rnd(cfg["vocab_size"], h, scale=0.5)
        W["distilbert.embeddings.position_embeddings.weight"] = rnd(cfg["max_position_embeddings"], h, scale=0.5)
        ln("distilbert.embeddings.LayerNorm", h)
        for l in range(cfg["n_layers"]):
            p = "distilbert.transformer.layer.%d." % l
            for m in ("q_lin", "k_lin", "v_lin", "out_lin"):
                lin(p + "attention." + m, h, h)
            ln(p + "sa_layer_norm", h)
            lin(p + "ffn.lin1", h, ffn)
            lin(p + "ffn.lin2", ffn, h)
            ln(p + "output_layer_norm", h)
        if head == "cls":
            lin("pre_classifier", h, h)
            lin("classifier", h, len(cfg["id2label"]))
        elif head == "qa":
            lin("qa_outputs", h, 2)
        else:
            lin("vocab_transform", h, h)
            ln("vocab_layer_norm", h)
            W["vocab_projector.bias"] = rnd(cfg["vocab_size"], scale=0.1)
        return W
    base = "bert" if family == "bert" else "roberta"
    h, ffn = cfg["hidden_size"], cfg["intermediate_size"]
    W[base + ".embeddings.word_embeddings.weight"] = rnd(cfg["vocab_size"], h, scale=0.5)
    W[base + ".embeddings.position_embeddings.weight"] = rnd(cfg["max_position_embeddings"], h, scale=0.5)
    W[base + ".embeddings.token_type_embeddings.weight"] = rnd(cfg["type_vocab_size"], h, scale=0.5)
    ln(base + ".embeddings.LayerNorm", h)
    for l in range(cfg["num_hidden_layers"]):
        p = "%s.encoder.layer.%d." % (base, l)
        for m in ("query", "key", "value"):
            lin(p + "attention.self." + m, h, h)
        lin(p + "attention.output.dense", h, h)
        ln(p + "attention.output.LayerNorm", h)
        lin(p + "intermediate.dense", h, ffn)
        lin(p + "output.dense", ffn, h)
        ln(p + "output.LayerNorm", h)
    if pooler:
        lin(base + ".pooler.dense", h, h)
    if head == "cls" and family == "bert":
        lin("classifier", h, len(cfg["id2label"]))
    elif head == "cls":
        lin("classifier.dense", h, h)
        lin("classifier.out_proj", h, len(cfg["id2label"]))
    elif head == "qa":
        lin("qa_outputs", h, 2)
    elif head == "mlm":
        W["lm_head.bias"] = rnd(cfg["vocab_size"], scale=0.1)
        lin("lm_head.dense", h, h)
        ln("lm_head.layer_norm", h)
    return W


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    dtypes = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def write_sharded(d, W):
    names = list(W.keys())
    half = len(names) // 2
    weight_map = {}
    for shard, keys in (("model-00001-of-00002.safetensors", names[:half]),
                        ("model-00002-of-00002.safetensors", names[half:])):
        write_safetensors(os.path.join(d, shard), OrderedDict((k, W[k]) for k in keys))
        weight_map.update({k: shard for k in keys})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)


def make_inputs(cfg, gen):
    pad = cfg["pad_token_id"]
    ids = torch.randint(3, cfg["vocab_size"], (BATCH, SEQ), generator=gen)
    mask = torch.zeros(BATCH, SEQ, dtype=torch.long)
    types = torch.zeros(BATCH, SEQ, dtype=torch.long)
    for i, n in enumerate(LENGTHS):
        mask[i, :n] = 1
        ids[i, n:] = pad
        if cfg.get("type_vocab_size", 0) > 1:
            types[i, n // 2:n] = 1
    return ids, mask, types


def make_labels(cfg, head, gen):
    if head == "cls":
        return {"labels": torch.randint(0, len(cfg["id2label"]), (BATCH,), generator=gen)}
    if head == "qa":
        return {"start_positions": torch.tensor([3, 0, 2]), "end_positions": torch.tensor([5, 1, SEQ + 7])}
    labels = torch.full((BATCH, SEQ), -100, dtype=torch.long)
    labels[0, 2], labels[1, 4], labels[2, 1], labels[0, 9] = 7, 42, 99, 3
    return {"labels": labels}


def write_case(out, name, cfg, head, W, gen, files):
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
                "loss": lo.item(), "keys": list(W.keys())}
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f)


def write_bare(d, W, prefix):
    """The base model's tensors without their prefix as the checkpoint; the head's in head.safetensors, which
    the test loads afterwards to compare outputs."""
    write_safetensors(os.path.join(d, "model.safetensors"), OrderedDict(
        (k[len(prefix):], v) for k, v in W.items() if k.startswith(prefix)))
    write_safetensors(os.path.join(d, "head.safetensors"), OrderedDict(
        (k, v) for k, v in W.items() if not k.startswith(prefix)))


def safetensors_of(W):
    return lambda d: write_safetensors(os.path.join(d, "model.safetensors"), W)


def main(out):
    gen = torch.Generator().manual_seed(4321)
    labels3 = dict(id2label={"0": "neg", "1": "neu", "2": "pos"}, label2id={"neg": 0, "neu": 1, "pos": 2})

    # DistilBERT: every head, relu in one, the tied decoder copy in a .bin.
    c = dict(DISTILBERT, architectures=["DistilBertForSequenceClassification"], **labels3)
    W = weights(c, "cls", gen)
    write_case(out, "distilbert_cls", c, "cls", W, gen, safetensors_of(W))
    c = dict(DISTILBERT, activation="relu", architectures=["DistilBertForQuestionAnswering"])
    Wq = weights(c, "qa", gen)
    write_case(out, "distilbert_qa", c, "qa", Wq, gen, lambda d: torch.save(
        OrderedDict(list(Wq.items()) + [("distilbert.embeddings.position_ids", torch.arange(40).unsqueeze(0))]),
        os.path.join(d, "pytorch_model.bin")))
    c = dict(DISTILBERT, architectures=["DistilBertForMaskedLM"])
    Wm = weights(c, "mlm", gen)

    def distilbert_mlm_bin(d):  # DistilBertForMaskedLM.state_dict() holds the tied projector weight
        sd = OrderedDict(Wm)
        sd["vocab_projector.weight"] = Wm["distilbert.embeddings.word_embeddings.weight"]
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_case(out, "distilbert_mlm", c, "mlm", Wm, gen, distilbert_mlm_bin)

    def distilbert_bare(d):  # a DistilBertModel saved on its own: no "distilbert." prefix, no head
        write_bare(d, W, "distilbert.")
    c = dict(DISTILBERT, architectures=["DistilBertModel"], **labels3)
    write_case(out, "distilbert_bare", c, "cls", W, gen, distilbert_bare)

    # RoBERTa: classification from shards (with a pooler HF ignores), QA, MLM with gelu_new in the config.
    c = dict(ROBERTA, architectures=["RobertaForSequenceClassification"], **labels3)
    W = weights(c, "cls", gen)
    write_case(out, "roberta_cls", c, "cls", W, gen, lambda d: write_sharded(d, W))
    c = dict(ROBERTA, architectures=["RobertaForQuestionAnswering"])
    Wq = weights(c, "qa", gen, pooler=False)
    write_case(out, "roberta_qa", c, "qa", Wq, gen, safetensors_of(Wq))
    c = dict(ROBERTA, hidden_act="gelu_new", architectures=["RobertaForMaskedLM"])
    Wm = weights(c, "mlm", gen, pooler=False)

    def roberta_mlm_bin(d):  # RobertaForMaskedLM.state_dict(): tied decoder weight and bias copies
        sd = OrderedDict(Wm)
        sd["lm_head.decoder.weight"] = Wm["roberta.embeddings.word_embeddings.weight"]
        sd["lm_head.decoder.bias"] = Wm["lm_head.bias"]
        sd["roberta.embeddings.position_ids"] = torch.arange(40).unsqueeze(0)
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_case(out, "roberta_mlm", c, "mlm", Wm, gen, roberta_mlm_bin)

    # XLM-R: the same architecture under its own model_type, LayerNorm eps from the config.
    c = dict(ROBERTA, model_type="xlm-roberta", layer_norm_eps=1e-6, architectures=["XLMRobertaForSequenceClassification"],
             **labels3)
    Wx = weights(c, "cls", gen, pooler=False)
    write_case(out, "xlm_roberta_cls", c, "cls", Wx, gen, safetensors_of(Wx))

    # BERT saved without a pooler (BertModel(add_pooling_layer=False) + a QA head) and as a bare BertModel.
    c = dict(BERT, architectures=["BertForQuestionAnswering"])
    Wn = weights(c, "qa", gen, pooler=False)
    write_case(out, "bert_qa_no_pooler", c, "qa", Wn, gen, safetensors_of(Wn))
    c = dict(BERT, architectures=["BertModel"], **labels3)
    Wb = weights(c, "cls", gen)

    def bert_bare(d):
        write_bare(d, Wb, "bert.")
    write_case(out, "bert_bare", c, "cls", Wb, gen, bert_bare)


if __name__ == "__main__":
    main(sys.argv[1])
