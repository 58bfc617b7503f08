// BERT's special tokens, spelled as in HF's BertTokenizer defaults.
#pragma once

namespace jpqd::text {

inline constexpr const char* kPadToken = "[PAD]";
inline constexpr const char* kUnkToken = "[UNK]";
inline constexpr const char* kClsToken = "[CLS]";
inline constexpr const char* kSepToken = "[SEP]";
inline constexpr const char* kMaskToken = "[MASK]";
// The order HF's all_special_tokens lists them in.
inline constexpr const char* kSpecialTokens[] = {kUnkToken, kSepToken, kPadToken, kClsToken, kMaskToken};

}  // namespace jpqd::text
