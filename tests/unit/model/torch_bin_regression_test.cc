// pytorch_model.bin inputs found by fuzzing (fuzz/torch_bin_fuzzer.cc).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "common/error.h"
#include "model/torch_bin.h"

namespace jpqd::model {
namespace {

// tests/fixtures/torch_bin/strided_views.bin, written by Debian's python3 torch.save of
//   t      = arange(24).view(4, 6).t()                 shape [6, 4], strides (1, 6)
//   expand = arange(3).view(1, 3).expand(2, 3)         shape [2, 3], strides (0, 1)
//   view   = arange(24)[4:10]                          shape [6], storage offset 4
// The reader promises contiguous tensors; a plain clone() kept the transposed strides of `t`.
TEST(TorchBinRegression, StridedViewsComeBackContiguousWithTheirValues) {
  const auto tensors = read_torch_state_dict(std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/torch_bin/strided_views.bin");
  ASSERT_EQ(tensors.size(), 3u);
  for (const auto& [name, tensor] : tensors) EXPECT_TRUE(tensor.is_contiguous()) << name;

  const auto by_name = [&](const std::string& name) {
    for (const auto& [n, tensor] : tensors)
      if (n == name) return tensor;
    ADD_FAILURE() << "no tensor " << name;
    return torch::zeros({0});
  };
  const torch::Tensor t = by_name("t");
  ASSERT_EQ(t.sizes(), torch::IntArrayRef({6, 4}));
  const float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 4; ++j) EXPECT_EQ(p[i * 4 + j], static_cast<float>(j * 6 + i)) << i << "," << j;

  const torch::Tensor expand = by_name("expand");
  ASSERT_EQ(expand.sizes(), torch::IntArrayRef({2, 3}));
  const float* e = expand.data_ptr<float>();
  for (int64_t k = 0; k < 6; ++k) EXPECT_EQ(e[k], static_cast<float>(k % 3));

  const torch::Tensor view = by_name("view");
  ASSERT_EQ(view.numel(), 6);
  for (int64_t k = 0; k < 6; ++k) EXPECT_EQ(view.data_ptr<float>()[k], static_cast<float>(k + 4));
}

// tests/fixtures/torch_bin/broadcast_huge.bin: torch.save({"w": torch.zeros(1).expand(2**40)}), a few hundred
// bytes whose copy would need 4 TiB (fuzz/regressions/open/torch_bin, found by the torch_bin fuzzer).
TEST(TorchBinRegression, HugeBroadcastViewIsRejectedNotAllocated) {
  try {
    read_torch_state_dict(std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/torch_bin/broadcast_huge.bin");
    FAIL() << "a 2^40-element view of one element was accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("repeats its storage of 1 elements"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jpqd::model
