// Expected code points from the Unicode Character Database (UnicodeData.txt decompositions,
// CompositionExclusions.txt, combining classes), not from our output.
#include "text/normalization.h"

#include <gtest/gtest.h>

#include "text/unicode_classes.h"

namespace jpqd::text {
namespace {

std::u32string code_points(const TrackedText& text) {
  std::u32string out;
  for (const TrackedChar& c : text) out += c.cp;
  return out;
}

TEST(Utf8, InvalidBytesBecomeOneReplacementEach) {
  // lead byte without continuation, lone continuation, surrogate, overlong, truncated 3-byte form
  const TrackedText t = decode_utf8("a\xC3" "b\x80\xED\xA0\x80\xC0\xAF\xE2\x82");
  EXPECT_EQ(code_points(t), (std::u32string{U'a', 0xFFFD, U'b', 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD,
                                            0xFFFD, 0xFFFD}));
  const TrackedText ok = decode_utf8("\xC3\xA9\xF0\x9F\x98\x80");
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[0].cp, 0xE9u);
  EXPECT_EQ(ok[1].cp, 0x1F600u);
  EXPECT_EQ(ok[1].begin, 2);
  EXPECT_EQ(ok[1].end, 6);
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));
}

TEST(Normalization, DecompositionAndReordering) {
  // U+1EAD (ậ) = a + U+0323 (class 220) + U+0302 (class 230); the marks typed the other way round
  // are reordered by class.
  EXPECT_EQ(code_points(nfd(decode_utf8("\xE1\xBA\xAD"))), (std::u32string{U'a', 0x323, 0x302}));
  EXPECT_EQ(code_points(nfd(decode_utf8("a\xCC\x82\xCC\xA3"))), (std::u32string{U'a', 0x323, 0x302}));
  // Hangul syllable 각 = U+1100 U+1161 U+11A8.
  EXPECT_EQ(code_points(nfd(decode_utf8("\xEA\xB0\x81"))), (std::u32string{0x1100, 0x1161, 0x11A8}));
}

TEST(Normalization, Composition) {
  EXPECT_EQ(code_points(nfc(decode_utf8("A\xCC\x8A"))), std::u32string{0xC5});          // A + ring = Å
  EXPECT_EQ(code_points(nfc(decode_utf8("\xE2\x84\xAB"))), std::u32string{0xC5});      // Å sign, singleton
  EXPECT_EQ(code_points(nfc(decode_utf8("a\xCC\x82\xCC\xA3"))), std::u32string{0x1EAD});
  EXPECT_EQ(code_points(nfc(decode_utf8("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"))), std::u32string{0xAC01});
  // U+0958 is a composition exclusion: NFC keeps KA + NUKTA decomposed.
  EXPECT_EQ(code_points(nfc(decode_utf8("\xE0\xA5\x98"))), (std::u32string{0x915, 0x93C}));
  // A blocked mark: the second acute (same class) cannot reach the starter.
  EXPECT_EQ(code_points(nfc(decode_utf8("e\xCC\x81\xCC\x81"))), (std::u32string{0xE9, 0x301}));
}

TEST(Normalization, ComposedCharacterCoversItsSourceBytes) {
  const TrackedText t = nfc(decode_utf8("xe\xCC\x81y"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].cp, 0xE9u);
  EXPECT_EQ(t[1].begin, 1);
  EXPECT_EQ(t[1].end, 4);
}

TEST(Normalization, LowerCasePerCharacter) {
  TrackedText t = decode_utf8("A\xC4\xB0\xCE\xA3\xC3\x85");  // A İ Σ Å
  lower_case_per_char(t);
  EXPECT_EQ(code_points(t), (std::u32string{U'a', U'i', 0x307, 0x3C3, 0xE5}));
  EXPECT_EQ(t[2].begin, 1);  // both halves of İ's expansion keep its bytes
  EXPECT_EQ(t[2].end, 3);
}

TEST(UnicodeClasses, AsBertDefinesThem) {
  EXPECT_TRUE(is_bert_punctuation(U'$'));     // ASCII symbol, counted as punctuation by BERT
  EXPECT_TRUE(is_bert_punctuation(U'`'));
  EXPECT_TRUE(is_bert_punctuation(0x2014));   // em dash, Pd
  EXPECT_FALSE(is_bert_punctuation(0x20AC));  // euro sign, Sc
  EXPECT_TRUE(is_bert_control(0x200B));       // zero width space, Cf
  EXPECT_TRUE(is_bert_control(0xE000));       // private use, Co
  EXPECT_FALSE(is_bert_control(U'\n'));
  EXPECT_TRUE(is_bert_whitespace(0x3000));    // ideographic space, Zs
  EXPECT_FALSE(is_bert_whitespace(0x2028));   // line separator is Zl ...
  EXPECT_TRUE(is_python_space(0x2028));       // ... but str.split() splits on it
  EXPECT_TRUE(is_cjk_ideograph(0x4E2D));
  EXPECT_FALSE(is_cjk_ideograph(0x3042));     // hiragana
  EXPECT_FALSE(is_cjk_ideograph(0xAC00));     // hangul
}

}  // namespace
}  // namespace jpqd::text
