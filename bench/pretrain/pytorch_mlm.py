#!/usr/bin/env python3
"""An independent masked-LM pretraining loop in plain PyTorch, written from the BERT paper and HF's
defaults rather than from jpqd's code, so that `jpqd pretrain` can be compared with it on the same text.

Model: post-LayerNorm BERT with learned positions, GELU, dropout 0.1, N(0, 0.02) initialisation, the
prediction head (dense, GELU, LayerNorm) tied to the word embeddings. Data: run_mlm's grouped blocks or
--line_by_line sequences padded to --seq. Masking: 15% of non-special tokens, 80% [MASK], 10% random,
10% unchanged. Optimiser: AdamW (weight decay 0.01 except biases and LayerNorm), gradient clipping 1.0,
linear warm-up then linear decay to 0. Prints the mean training loss every --log steps.

The tokenizer is a plain BERT uncased tokenizer (lower case, accents stripped, split on whitespace and
punctuation, greedy longest-match WordPiece); it matches HF's on ordinary English text.
"""
import argparse
import os
import sys
import time
import unicodedata

import torch
import torch.nn as nn
import torch.nn.functional as F

# The encoder layer and the named shapes are those of the training-step benchmark's PyTorch BERT.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train_step"))
from pytorch_bert_train_step import SHAPES, Layer  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--vocab", required=True, help="vocab.txt of an uncased BERT")
parser.add_argument("--train_file", nargs="+", required=True)
parser.add_argument("--max_docs", type=int, default=None)
parser.add_argument("--line_by_line", action="store_true")
parser.add_argument("--seq", type=int, default=128, help="block length (max_seq_length)")
parser.add_argument("--model", default="bert-mini", choices=sorted(SHAPES))
parser.add_argument("--steps", type=int, default=1000)
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--beta2", type=float, default=0.999)
parser.add_argument("--warmup", type=int, default=0)
parser.add_argument("--log", type=int, default=25)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
torch.manual_seed(args.seed)
torch.set_num_threads(args.threads)

vocab = {token.rstrip("\n"): i for i, token in enumerate(open(args.vocab, encoding="utf-8"))}
V = len(vocab)
CLS, SEP, MASK, PAD, UNK = (vocab[t] for t in ("[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"))


def is_punctuation(ch):
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or \
        unicodedata.category(ch).startswith("P")


def words(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    out = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if is_punctuation(ch):
                if current:
                    out.append(current)
                    current = ""
                out.append(ch)
            else:
                current += ch
        if current:
            out.append(current)
    return out


def wordpiece(word):
    if len(word) > 100:
        return [UNK]
    ids, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [UNK]
        ids.append(found)
        start = end
    return ids


def read_sequences():
    stream, lines, docs = [], [], 0
    for path in args.train_file:
        for line in open(path, encoding="utf-8"):
            if not line.strip():
                continue
            ids = [CLS] + [i for w in words(line) for i in wordpiece(w)] + [SEP]
            if args.line_by_line:
                ids = ids[: args.seq - 1] + [SEP] if len(ids) > args.seq else ids
                lines.append(ids + [PAD] * (args.seq - len(ids)))
            else:
                stream.extend(ids)
            docs += 1
            if args.max_docs and docs >= args.max_docs:
                break
        if args.max_docs and docs >= args.max_docs:
            break
    if args.line_by_line:
        return torch.tensor(lines)
    return torch.tensor(stream[: len(stream) // args.seq * args.seq]).view(-1, args.seq)


L, H, NH, INTER = SHAPES[args.model]


class MaskedLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.word, self.position, self.token_type = nn.Embedding(V, H), nn.Embedding(512, H), nn.Embedding(2, H)
        self.ln = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList(Layer(H, NH, INTER) for _ in range(L))
        self.head_dense, self.head_ln = nn.Linear(H, H), nn.LayerNorm(H, eps=1e-12)
        self.head_bias = nn.Parameter(torch.zeros(V))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0, 0.02)
            if isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, ids, masked):
        T = ids.size(1)
        x = self.word(ids) + self.position.weight[:T] + self.token_type.weight[0]
        x = F.dropout(self.ln(x), 0.1, self.training)
        mask_bias = ((ids == PAD).float() * -1e9)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask_bias)
        # Logits at the masked positions only: the same loss as over all positions with -100 labels.
        h = self.head_ln(F.gelu(self.head_dense(x[masked])))
        return h @ self.word.weight.t() + self.head_bias


def mask_tokens(ids):
    ids = ids.clone()
    chosen = (torch.rand(ids.shape) < 0.15) & (ids != CLS) & (ids != SEP) & (ids != PAD)
    labels = ids[chosen]
    u = torch.rand(ids.shape)
    ids[chosen & (u < 0.8)] = MASK
    random_tokens = chosen & (u >= 0.8) & (u < 0.9)
    ids[random_tokens] = torch.randint(0, V, (int(random_tokens.sum()),))
    return ids, chosen, labels


def main():
    sequences = read_sequences()
    print(f"pytorch_mlm: {sequences.size(0)} sequences of {args.seq} tokens", file=sys.stderr)
    model = MaskedLm()
    no_decay = lambda n: n.endswith("bias") or "ln" in n
    groups = [{"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.01},
              {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, args.beta2), eps=1e-8)
    warmup, total = args.warmup, args.steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    model.train()
    order, cursor = torch.randperm(sequences.size(0)), 0
    start, running = time.time(), 0.0
    for step in range(1, total + 1):
        if cursor + args.batch > sequences.size(0):  # a new epoch in a new order; the last partial batch is dropped
            order, cursor = torch.randperm(sequences.size(0)), 0
        ids, masked, labels = mask_tokens(sequences[order[cursor:cursor + args.batch]])
        cursor += args.batch
        loss = F.cross_entropy(model(ids, masked), labels)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        running += loss.item()
        if step % args.log == 0:
            print(f"step {step} loss {running / args.log:.4f} ({time.time() - start:.0f} s)", flush=True)
            running = 0.0


main()
