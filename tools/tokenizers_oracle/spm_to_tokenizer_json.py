"""Writes the tokenizer.json transformers' XLMRobertaConverter makes from a SentencePiece model.

The model is read with sentencepiece's own protobuf bindings (sentencepiece_model_pb2), the
structure written is what convert_slow_tokenizer.py's SpmConverter/XLMRobertaConverter build:
fairseq's ids (<s> <pad> </s> <unk> first, SentencePiece's pieces from its fourth on, <mask> last),
Unigram with unk_id 3, normalizer Precompiled(charsmap) + Strip(right) + Replace(" {2,}" -> "▁"),
Metaspace(prepend_scheme "always"), TemplateProcessing "<s> $A </s>" / "<s> $A </s> </s> $B </s>".
The oracle (Hugging Face tokenizers) then loads it; jpqd reads the .model itself.

    python3 spm_to_tokenizer_json.py sentencepiece.bpe.model tokenizer.json
"""
import base64
import json
import sys

from sentencepiece import sentencepiece_model_pb2


def main(model_path, out_path):
    proto = sentencepiece_model_pb2.ModelProto()
    with open(model_path, "rb") as f:
        proto.ParseFromString(f.read())
    assert proto.trainer_spec.model_type == 1, "XLM-R models are Unigram"
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    vocab += [[p.piece, p.score] for p in proto.pieces[3:]]
    vocab += [["<mask>", 0.0]]
    mask_id = len(vocab) - 1

    def added(id_, content, lstrip=False):
        return {"id": id_, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
                "normalized": False, "special": True}

    normalizers = []
    if proto.normalizer_spec.precompiled_charsmap:
        normalizers.append({"type": "Precompiled", "precompiled_charsmap":
                            base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")})
    normalizers += [{"type": "Strip", "strip_left": False, "strip_right": True},
                    {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "\u2581"}]

    def special(token):
        return {"SpecialToken": {"id": token, "type_id": 0}}

    def sequence(name):
        return {"Sequence": {"id": name, "type_id": 0}}

    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
                         added(mask_id, "<mask>", lstrip=True)],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("<s>"), sequence("A"), special("</s>")],
            "pair": [special("<s>"), sequence("A"), special("</s>"), special("</s>"), sequence("B"), special("</s>")],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                               "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}},
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab,
                  "byte_fallback": proto.trainer_spec.byte_fallback},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
