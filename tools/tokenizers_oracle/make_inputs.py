"""Writes the texts the oracle comparison encodes, as JSON lines {"text": ..., "text_pair": ...}:
single sentences from SST-2 and CoLA, pairs from MRPC and STS-B (data/glue), and edge cases (accents,
emoji, CJK, control characters, runs of whitespace, empty text, text far over any length limit,
added tokens in odd places) alone, paired with each other and paired with corpus sentences.

    python3 make_inputs.py <source dir> <out dir> <singles> <pairs>
writes <out dir>/all.jsonl, <out dir>/pairs.jsonl (the pairs only, for the only_* strategies) and
<out dir>/some.jsonl (the edge cases and a share of the rest, for encoding without truncation).
"""
import json
import os
import sys

EDGE_CASES = [
    "", " ", "   ", "\t\n", "\n", "a", ".",
    "Café résumé naïve façade jalapeño",
    "ÀÉÎÕÜ ñ ß ΣΑΣ ΌΣΟΣ İstanbul ǅungla",
    "😀😃 emoji 👍🏽 👨‍👩‍👧 🏳️‍🌈 flags 🇫🇷",
    "日本語のテキスト、中文句子。한국어 텍스트",
    "control\x00chars\x01\x1f\x7f\x85 zero\u200bwidth \ufeffbom",
    "runs     of\t\t\twhitespace\n\n\n  end  ",
    "  leading and trailing  ",
    "\u00a0nbsp\u00a0\u2003em space\u3000ideographic\u2028line",
    "ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ ①②③ ﬁ ligature ㍿ ½",
    "e\u0301 combining, \u1100\u1161\u11a8 jamo, a\u0308\u0301\u0323 stacked",
    "ℌ𝔢𝔩𝔩𝔬 𝓦𝓸𝓻𝓵𝓭 math letters",
    "right-to-left עברית العربية ١٢٣",
    "don't can't I'm we'll they've she'd DON'T 'tis",
    "numbers 12345 3.14159 1,000,000 ²³ Ⅻ",
    "’curly quotes’ “double” — dash … ellipsis ``quoted'' text",
    "♪♫ symbols ©®™ €$¥ ±×÷ ∑∫",
    "\r\nwindows\r\nlines\r\n",
    "x" + "\u0301" * 40,
    "<mask> at start and end <mask>",
    "text with <s> special </s> inside<pad>x<unk>",
    "[CLS] [SEP] [MASK]x[MASK] y  [MASK]  z [PAD]",
    "New York is big; new york too; NewYork; New Yorker; in New York.",
    "ice cream, Ice Cream, icecream, ice  cream",
    "<ent>  <ent>x y<ent>",
    "<|endoftext|> gpt2 <|endoftext|>end",
    "supercalifragilisticexpialidocious" * 5,
    "Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
    "a" * 2000,
    "The quick brown fox jumps over the lazy dog. " * 150,
    "word " * 700,
    "ünïcödé " * 300,
    "日本" * 400,
    "tab\tseparated\tvalues\t",
    "http://example.com/path?query=1&x=y#frag user@example.com",
    "C++ c# f(x)=x^2; a_b__c; ~!@#$%^&*()_+{}|:\"<>?",
]


def read_tsv(path, columns, skip_header=True):
    rows = []
    with open(path, encoding="utf-8-sig") as f:
        lines = f.read().split("\n")
    for line in lines[1 if skip_header else 0:]:
        if not line:
            continue
        fields = line.split("\t")
        rows.append([fields[c] for c in columns])
    return rows


def main(src, out, n_singles, n_pairs):
    glue = os.path.join(src, "data", "glue")
    sst2 = [r[0] for r in read_tsv(os.path.join(glue, "SST-2", "train.tsv"), [0])]
    cola = [r[0] for r in read_tsv(os.path.join(glue, "CoLA", "train.tsv"), [3], skip_header=False)]
    mrpc = read_tsv(os.path.join(glue, "MRPC", "train.tsv"), [3, 4])
    stsb = read_tsv(os.path.join(glue, "STS-B", "train.tsv"), [7, 8])
    singles = sst2[: n_singles * 2 // 3] + cola[: n_singles - n_singles * 2 // 3]
    pairs = mrpc[: n_pairs // 2] + stsb[: n_pairs - n_pairs // 2]
    edge_pairs = [[a, b] for a in EDGE_CASES[::3] for b in EDGE_CASES[1::5]]
    edge_pairs += [[EDGE_CASES[i % len(EDGE_CASES)], s] for i, s in enumerate(sst2[-len(EDGE_CASES):])]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "all.jsonl"), "w", encoding="utf-8") as f:
        for t in EDGE_CASES + singles:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        for a, b in pairs + edge_pairs:
            f.write(json.dumps({"text": a, "text_pair": b}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "some.jsonl"), "w", encoding="utf-8") as f:
        for t in EDGE_CASES + singles[: len(singles) // 3]:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        for a, b in pairs[: len(pairs) // 4] + edge_pairs:
            f.write(json.dumps({"text": a, "text_pair": b}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for a, b in pairs[: len(pairs) // 2] + edge_pairs:
            f.write(json.dumps({"text": a, "text_pair": b}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
