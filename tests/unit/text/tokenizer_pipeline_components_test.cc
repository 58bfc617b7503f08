// Components of the tokenizer.json pipeline, each on a case whose answer comes from outside jpqd:
// the examples in Hugging Face tokenizers' own documentation and tests (split behaviours on
// "The-final--countdown", BertPreTokenizer on "Hey friend!     How are you?!?", Metaspace on
// "Hey friend"), GPT-2's regex as its authors' encoder splits, the BERT paper's "unaffable", and
// small models whose answer is worked out by hand in the comments. The whole pipeline is compared
// with the real library on 10,000+ texts per kind by tests/integration/runtime/tokenizers_oracle.sh.
#include <gtest/gtest.h>

#include "common/error.h"
#include "text/pipeline/encoded_text.h"
#include "text/pipeline/models.h"
#include "text/pipeline/normalizers.h"
#include "text/pipeline/pre_tokenizers.h"
#include "text/pipeline/tokenizer_json.h"

namespace jpqd::text::pipeline {
namespace {

std::string normalized(const Json& spec, const std::string& text) {
  const NormalizerPtr n = normalizer_from_json(spec, "test.json");
  TrackedText t = decode_utf8(text);
  n->normalize(t);
  return to_utf8(t);
}

std::vector<std::string> pieces(const Json& spec, const std::string& text) {
  const PreTokenizerPtr p = pre_tokenizer_from_json(spec, "test.json");
  std::vector<Split> splits{{decode_utf8(text), std::nullopt}};
  p->pre_tokenize(splits);
  std::vector<std::string> out;
  for (const Split& s : splits) out.push_back(to_utf8(s.text));
  return out;
}

std::vector<std::string> tokens_of(const ModelPtr& model, const std::string& piece) {
  std::vector<ModelToken> out;
  model->tokenize(piece, out);
  std::vector<std::string> values;
  for (const ModelToken& t : out) values.push_back(t.value);
  return values;
}

using Strings = std::vector<std::string>;

TEST(PipelineNormalizers, BertNormalizerLowercasesCharByCharStripsAccentsAndCleans) {
  const Json bert = {{"type", "BertNormalizer"}, {"lowercase", true}};
  // Per character: capital sigma is always σ, never the final ς (FAMILIES of HF's fast tokenizer).
  EXPECT_EQ(normalized(bert, "ΣΑΣ"), "σασ");
  EXPECT_EQ(normalized(bert, "Héllo\tWörld\x01"), "hello world");
  EXPECT_EQ(normalized(bert, "ab中文"), "ab 中  文 ");
  const Json cased = {{"type", "BertNormalizer"}, {"lowercase", false}};
  EXPECT_EQ(normalized(cased, "Héllo"), "Héllo");
}

TEST(PipelineNormalizers, UnicodeFormsStripReplacePrependAndSequence) {
  EXPECT_EQ(normalized({{"type", "NFKC"}}, "ﬁ①"), "fi1");
  EXPECT_EQ(normalized({{"type", "NFD"}}, "é"), "e\xCC\x81");
  EXPECT_EQ(normalized({{"type", "NFC"}}, "e\xCC\x81"), "é");
  EXPECT_EQ(normalized({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}}, "  a  "), "  a");
  EXPECT_EQ(normalized({{"type", "Replace"}, {"pattern", {{"String", "``"}}}, {"content", "\""}}, "``a``"), "\"a\"");
  EXPECT_EQ(normalized({{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", "_"}}, "a b  c   d"),
            "a b_c_d");
  EXPECT_EQ(normalized({{"type", "Prepend"}, {"prepend", "▁"}}, "a"), "▁a");
  EXPECT_EQ(normalized({{"type", "Prepend"}, {"prepend", "▁"}}, ""), "");
  const Json seq = {{"type", "Sequence"},
                    {"normalizers", Json::array({Json{{"type", "NFD"}}, Json{{"type", "StripAccents"}},
                                                 Json{{"type", "Lowercase"}}})}};
  EXPECT_EQ(normalized(seq, "ÀÉÎ"), "aei");
}

TEST(PipelinePreTokenizers, SplitBehavioursAsTokenizersDocumentsThem) {
  const auto split = [](const char* behavior) {
    return pieces({{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}}, "The-final--countdown");
  };
  EXPECT_EQ(split("Removed"), (Strings{"The", "final", "countdown"}));
  EXPECT_EQ(split("Isolated"), (Strings{"The", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(split("MergedWithPrevious"), (Strings{"The-", "final-", "-", "countdown"}));
  EXPECT_EQ(split("MergedWithNext"), (Strings{"The", "-final", "-", "-countdown"}));
  EXPECT_EQ(split("Contiguous"), (Strings{"The", "-", "final", "--", "countdown"}));
}

TEST(PipelinePreTokenizers, BertWhitespaceMetaspaceDigitsPunctuation) {
  EXPECT_EQ(pieces({{"type", "BertPreTokenizer"}}, "Hey friend!     How are you?!?"),
            (Strings{"Hey", "friend", "!", "How", "are", "you", "?", "!", "?"}));
  EXPECT_EQ(pieces({{"type", "Whitespace"}}, "Hey man!! it's 3.5"),
            (Strings{"Hey", "man", "!!", "it", "'", "s", "3", ".", "5"}));
  EXPECT_EQ(pieces({{"type", "WhitespaceSplit"}}, "Hey man!!  ok"), (Strings{"Hey", "man!!", "ok"}));
  EXPECT_EQ(pieces({{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "always"}}, "Hey friend"),
            (Strings{"▁Hey", "▁friend"}));
  EXPECT_EQ(pieces({{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "never"}}, "Hey friend"),
            (Strings{"Hey", "▁friend"}));
  EXPECT_EQ(pieces({{"type", "Digits"}, {"individual_digits", true}}, "a123b"), (Strings{"a", "1", "2", "3", "b"}));
  EXPECT_EQ(pieces({{"type", "Digits"}, {"individual_digits", false}}, "a123b"), (Strings{"a", "123", "b"}));
  EXPECT_EQ(pieces({{"type", "Punctuation"}}, "Hi!?"), (Strings{"Hi", "!", "?"}));
}

TEST(PipelinePreTokenizers, ByteLevelSplitsAsGpt2sRegex) {
  const Json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  // A space joins the word after it; of a run of spaces, all but the last stand alone; contractions
  // split off; bytes map to GPT-2's printable alphabet (space is Ġ, U+0120).
  EXPECT_EQ(pieces(byte_level, "Hello  world's 42!"), (Strings{"Hello", "Ġ", "Ġworld", "'s", "Ġ42", "!"}));
  EXPECT_EQ(pieces(byte_level, "end "), (Strings{"end", "Ġ"}));
  EXPECT_EQ(pieces(byte_level, "é"), (Strings{"Ã©"}));
  const Json prefixed = {{"type", "ByteLevel"}, {"add_prefix_space", true}};
  EXPECT_EQ(pieces(prefixed, "Hi"), (Strings{"ĠHi"}));
}

TEST(PipelineModels, WordPieceGreedyLongestMatch) {
  Vocabulary vocab({{"[UNK]", 0}, {"un", 1}, {"##aff", 2}, {"##able", 3}, {"##a", 4}}, "test");
  const ModelPtr wp = make_wordpiece_model(vocab, WordPieceOptions{}, "test");
  EXPECT_EQ(tokens_of(wp, "unaffable"), (Strings{"un", "##aff", "##able"}));
  EXPECT_EQ(tokens_of(wp, "unx"), (Strings{"[UNK]"}));  // one part matching nothing makes the word [UNK]
}

TEST(PipelineModels, BpeMergesByRankWithUnknownsAndByteFallback) {
  // Merges: (a b) rank 0 -> ab, (ab c) rank 1 -> abc, (b c) rank 2 -> bc. "abc": a b c -> ab c -> abc.
  // "bca": b c a -> bc a. "xab" with unk: x is unknown -> <unk>, then ab.
  Vocabulary vocab({{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}, {"bc", 5}, {"<unk>", 6}}, "test");
  BpeOptions options;
  options.unk_token = "<unk>";
  options.fuse_unk = true;
  const ModelPtr bpe = make_bpe_model(vocab, {{"a", "b"}, {"ab", "c"}, {"b", "c"}}, options, "test");
  EXPECT_EQ(tokens_of(bpe, "abc"), (Strings{"abc"}));
  EXPECT_EQ(tokens_of(bpe, "bca"), (Strings{"bc", "a"}));
  EXPECT_EQ(tokens_of(bpe, "xyab"), (Strings{"<unk>", "ab"}));  // fused: one <unk> for "xy"
  // byte_fallback: "é" (C3 A9) is not in the vocabulary but its bytes are.
  Vocabulary bytes({{"a", 0}, {"<0xC3>", 1}, {"<0xA9>", 2}}, "test");
  BpeOptions fallback;
  fallback.byte_fallback = true;
  EXPECT_EQ(tokens_of(make_bpe_model(bytes, {}, fallback, "test"), "aé"), (Strings{"a", "<0xC3>", "<0xA9>"}));
}

TEST(PipelineModels, UnigramViterbiAndFusedUnknowns) {
  // "ab": "ab" alone scores -1.0; "a" + "b" scores -0.6 + -0.6 = -1.2, so "ab" wins. "abab" -> ab ab.
  // "xxab": x has no piece: unknown scores min_score - 10 each, the two fuse into one <unk>.
  const ModelPtr uni = make_unigram_model({{"<unk>", 0.0}, {"a", -0.6}, {"b", -0.6}, {"ab", -1.0}}, 0, false, "test");
  EXPECT_EQ(tokens_of(uni, "abab"), (Strings{"ab", "ab"}));
  std::vector<ModelToken> out;
  uni->tokenize("xxab", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, 0);
  EXPECT_EQ(out[0].value, "xx");
  EXPECT_EQ(out[1].value, "ab");
}

TEST(PipelineTruncation, LongestFirstSplitsTheBudgetAsTheFastTokenizer) {
  // A BERT pair of 100 + 100 tokens at max_length 128: budget 125, the first keeps 62, the second 63.
  EncodedText a, b;
  for (int i = 0; i < 100; ++i) {
    a.add_special(i, "a", 0);
    b.add_special(i, "b", 1);
  }
  TruncationParams params;
  params.max_length = 125;
  truncate_encodings(a, &b, params);
  EXPECT_EQ(a.size(), 62u);
  EXPECT_EQ(b.size(), 63u);
  // Only one side too long: it absorbs the whole cut.
  EncodedText c, d;
  for (int i = 0; i < 10; ++i) c.add_special(i, "c", 0);
  for (int i = 0; i < 200; ++i) d.add_special(i, "d", 1);
  truncate_encodings(c, &d, params);
  EXPECT_EQ(c.size(), 10u);
  EXPECT_EQ(d.size(), 115u);
  // only_second with no pair fails once something must be cut, as tokenizers' SecondSequenceNotProvided.
  params.strategy = TruncationStrategy::kOnlySecond;
  EXPECT_NO_THROW(truncate_encodings(c, nullptr, params));
  EncodedText long_text;
  for (int i = 0; i < 200; ++i) long_text.add_special(i, "e", 0);
  EXPECT_THROW(truncate_encodings(long_text, nullptr, params), InvalidArgument);
}

TEST(PipelineErrors, UnknownComponentsAndUnsupportedPatternsNameTheFileAndType) {
  const auto message = [](const auto& build) {
    try {
      build();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string n = message([] { normalizer_from_json({{"type", "Nmt"}}, "dir/tokenizer.json"); });
  EXPECT_NE(n.find("dir/tokenizer.json"), std::string::npos) << n;
  EXPECT_NE(n.find("unsupported normalizer type \"Nmt\""), std::string::npos) << n;
  const std::string p = message([] { pre_tokenizer_from_json({{"type", "UnicodeScripts"}}, "f.json"); });
  EXPECT_NE(p.find("unsupported pre_tokenizer type \"UnicodeScripts\""), std::string::npos) << p;
  const std::string r = message([] {
    pre_tokenizer_from_json({{"type", "Split"}, {"pattern", {{"Regex", "\\d+"}}}, {"behavior", "Isolated"}}, "f.json");
  });
  EXPECT_NE(r.find("unsupported Regex pattern \"\\d+\""), std::string::npos) << r;
  const std::string m = message([] {
    tokenizer_from_json({{"model", {{"type", "BPE"}, {"vocab", {{"a", 0}}}, {"merges", Json::array({"a b"})}}}}, "t.json");
  });
  EXPECT_NE(m.find("t.json"), std::string::npos) << m;
  EXPECT_NE(m.find("\"b\", which is not in the vocabulary"), std::string::npos) << m;
  const std::string k = message([] { tokenizer_from_json({{"model", {{"type", "Fancy"}}}}, "t.json"); });
  EXPECT_NE(k.find("unsupported model type \"Fancy\""), std::string::npos) << k;
  const std::string w = message([] {
    tokenizer_from_json({{"model", {{"type", "WordPiece"}, {"vocab", {{"a", 0}}}, {"unk_token", "[UNK]"}}}}, "t.json");
  });
  EXPECT_NE(w.find("unk_token \"[UNK]\" is not in the vocabulary"), std::string::npos) << w;
}

}  // namespace
}  // namespace jpqd::text::pipeline
