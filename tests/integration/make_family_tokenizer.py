"""Writes a small tokenizer directory of one family's classic kind, trained on the shipped SST-2 text, for
the per-family JPQD tests (no tokenizer can be downloaded here):
  roberta      vocab.json + merges.txt: byte-level BPE learned here from GPT-2's published byte alphabet
               and merge rule (the most frequent adjacent pair, ties to the earliest seen), with RoBERTa's
               special tokens <s> <pad> </s> <unk> first and <mask> last;
  xlm-roberta  sentencepiece.bpe.model: a SentencePiece Unigram model trained by spm_train.

  make_family_tokenizer.py roberta|xlm-roberta SRC_DIR OUT_DIR
"""
import collections
import json
import os
import subprocess
import sys


def sentences(src, limit=20000):
    with open(os.path.join(src, "data/glue/SST-2/train.tsv"), encoding="utf-8") as f:
        next(f)
        return [line.split("\t")[0] for _, line in zip(range(limit), f)]


def byte_alphabet():
    # GPT-2's map of the 256 bytes to printable characters.
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def roberta(src, out, merges_wanted=600):
    alphabet = byte_alphabet()
    words = collections.Counter()
    for text in sentences(src, 8000):
        for k, word in enumerate(text.split(" ")):
            if word:
                words[tuple(alphabet[b] for b in (("" if k == 0 else " ") + word).encode("utf-8"))] += 1
    vocab = ["<s>", "<pad>", "</s>", "<unk>"] + [alphabet[b] for b in range(256)]
    merges = []
    for _ in range(merges_wanted):
        pairs = collections.Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: item[1])[0]
        merges.append(best)
        vocab.append(best[0] + best[1])
        merged = collections.Counter()
        for word, count in words.items():
            parts, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    parts.append(word[i] + word[i + 1])
                    i += 2
                else:
                    parts.append(word[i])
                    i += 1
            merged[tuple(parts)] += count
        words = merged
    vocab.append("<mask>")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({token: i for i, token in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 512, "tokenizer_class": "RobertaTokenizer"}, f)


def xlm_roberta(src, out):
    os.makedirs(out, exist_ok=True)
    corpus = os.path.join(out, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(sentences(src)) + "\n")
    prefix = os.path.join(out, "spm")
    subprocess.run(["spm_train", f"--input={corpus}", f"--model_prefix={prefix}", "--vocab_size=2000",
                    "--model_type=unigram", "--minloglevel=2"], check=True, capture_output=True)
    os.replace(prefix + ".model", os.path.join(out, "sentencepiece.bpe.model"))
    for leftover in (prefix + ".vocab", corpus):
        os.remove(leftover)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer"}, f)


if __name__ == "__main__":
    kind, src, out = sys.argv[1:]
    {"roberta": roberta, "xlm-roberta": xlm_roberta}[kind](src, out)
