#!/usr/bin/env python3
"""Training-step throughput of a BERT classifier in PyTorch eager, for side-by-side comparison with jpqd.

The model is written here from Hugging Face's BERT semantics (post-LayerNorm encoder, exact GELU, tanh
pooler, cross-entropy head) so that the comparison needs no `transformers`; the step is what HF Trainer
does: forward, loss, backward, clip_grad_norm_(1.0), AdamW step, zero_grad. Prints one JSON line.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

SHAPES = {  # layers, hidden, heads, intermediate
    "bert-tiny": (2, 128, 2, 512),
    "bert-mini": (4, 256, 4, 1024),
    "bert-small": (4, 512, 8, 2048),
    "bert-medium": (8, 512, 8, 2048),
    "bert-base": (12, 768, 12, 3072),
    "bert-large": (24, 1024, 16, 4096),
}
VOCAB, MAX_POS, TYPES = 30522, 512, 2


class Layer(nn.Module):
    def __init__(self, hidden, heads, inter):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.o, self.ln1 = nn.Linear(hidden, hidden), nn.LayerNorm(hidden, eps=1e-12)
        self.i, self.out, self.ln2 = nn.Linear(hidden, inter), nn.Linear(inter, hidden), nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, mask_add):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask_add
        ctx = (self.drop(F.softmax(scores, -1)) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.out(F.gelu(self.i(x)))))


class Bert(nn.Module):
    def __init__(self, layers, hidden, heads, inter, labels=2):
        super().__init__()
        self.word, self.pos, self.tok_type = nn.Embedding(VOCAB, hidden), nn.Embedding(MAX_POS, hidden), nn.Embedding(TYPES, hidden)
        self.ln, self.drop = nn.LayerNorm(hidden, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(hidden, heads, inter) for _ in range(layers)])
        self.pool, self.cls = nn.Linear(hidden, hidden), nn.Linear(hidden, labels)

    def forward(self, ids, types, mask):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.tok_type(types)))
        mask_add = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask_add)
        return self.cls(self.drop(torch.tanh(self.pool(x[:, 0]))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="bert-mini", choices=sorted(SHAPES))
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Bert(*SHAPES[a.model])
    model.train()
    no_decay = lambda n: "bias" in n or "ln" in n
    groups = [{"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.0},
              {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=2e-5)
    ids = torch.randint(1000, VOCAB, (a.batch, a.seq))
    types = torch.zeros_like(ids)
    mask = torch.ones_like(ids)
    labels = torch.randint(0, 2, (a.batch,))

    def step():
        loss = F.cross_entropy(model(ids, types, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"engine": "pytorch-eager", "torch": torch.__version__, "model": a.model, "batch": a.batch,
                      "seq": a.seq, "threads": a.threads, "steps": a.steps, "median_step_s": median,
                      "tokens_per_s": a.batch * a.seq / median}))


if __name__ == "__main__":
    main()
