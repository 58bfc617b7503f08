// The public Model API: per-call input errors, inconsistent files at load, concurrency, streams,
// and the ISA fallback (in a child process, since oneDNN's ISA cap must precede its first use).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include "common/error.h"
#include "common/json_util.h"
#include "format/model_file.h"
#include "format/model_writer.h"
#include "jpqd/runtime.h"
#include "scratch_dir.h"

namespace jpqd::runtime {
namespace {

// Same computation on the same inputs: results must agree bit for bit, except that padding changes
// M (the GEMM row count) and oneDNN may block a different M differently: f32 reassociation only.
constexpr double kMaxPaddingInvarianceAbsError = 1e-5;

std::string fixture(const std::string& name) {
  return std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/runtime/" + name;
}

struct Batch {
  std::vector<int64_t> ids, mask, types;
  int64_t batch, seq_len;
};

Batch fixture_batch() {
  Json j = read_json_file(fixture("expected.json"));
  return {j["input_ids"].get<std::vector<int64_t>>(), j["attention_mask"].get<std::vector<int64_t>>(),
          j["token_type_ids"].get<std::vector<int64_t>>(), j["batch"], j["seq_len"]};
}

template <typename F>
std::string invalid_argument_of(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Session, BadCallsAreRejectedAndTheNextCallWorks) {
  Model model = Model::load(fixture("tiny_int8_cls.jpqd"));
  const Batch in = fixture_batch();
  const Logits good = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);

  std::vector<int64_t> bad_ids = in.ids;
  bad_ids[4] = 40;  // vocabulary has 40 tokens
  EXPECT_NE(invalid_argument_of([&] { model.run(bad_ids, in.mask, in.types, in.batch, in.seq_len); })
                .find("token id 40 at [0, 4] outside the vocabulary"),
            std::string::npos);
  bad_ids[4] = -1;
  EXPECT_NE(invalid_argument_of([&] { model.run(bad_ids, in.mask, in.types, in.batch, in.seq_len); }).find("token id -1"),
            std::string::npos);
  std::vector<int64_t> long_ids(17, 5);
  EXPECT_NE(invalid_argument_of([&] { model.run(long_ids, {}, {}, 1, 17); }).find("sequence length 17 outside 1..16"),
            std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { model.run({}, {}, {}, 0, 5); }).find("empty batch"), std::string::npos);
  EXPECT_NE(invalid_argument_of([&] { model.run(in.ids, in.mask, in.types, in.batch + 1, in.seq_len); })
                .find("input_ids has 27 values"),
            std::string::npos);
  std::vector<int64_t> bad_types = in.types;
  bad_types[0] = 2;
  EXPECT_NE(invalid_argument_of([&] { model.run(in.ids, in.mask, bad_types, in.batch, in.seq_len); }).find("token type 2"),
            std::string::npos);
  std::vector<int64_t> bad_mask = in.mask;
  bad_mask[3] = 7;
  EXPECT_NE(invalid_argument_of([&] { model.run(in.ids, bad_mask, in.types, in.batch, in.seq_len); }).find("mask value 7"),
            std::string::npos);

  const Logits again = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);
  EXPECT_EQ(again.logits, good.logits);
}

TEST(Session, NullMaskAndTypesMeanOnesAndZeros) {
  Model model = Model::load(fixture("tiny_fp32_cls.jpqd"));
  const std::vector<int64_t> ids = {2, 7, 8, 9, 3};
  const Logits a = model.run(ids.data(), nullptr, nullptr, 1, 5);
  const Logits b = model.run(ids, std::vector<int64_t>(5, 1), std::vector<int64_t>(5, 0), 1, 5);
  EXPECT_EQ(a.logits, b.logits);
  EXPECT_EQ(a.logits.size(), 3u);
}

TEST(Session, PaddingAndBatchingDoNotChangeAnExamplesLogits) {
  for (const char* name : {"tiny_fp32_cls.jpqd", "tiny_int8_cls.jpqd"}) {
    Model model = Model::load(fixture(name));
    const Batch in = fixture_batch();
    const Logits all = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);
    // Example 2 has 3 real tokens: alone and unpadded it must give the same logits.
    std::vector<int64_t> ids(in.ids.begin() + 2 * in.seq_len, in.ids.begin() + 2 * in.seq_len + 3);
    std::vector<int64_t> types(in.types.begin() + 2 * in.seq_len, in.types.begin() + 2 * in.seq_len + 3);
    const Logits one = model.run(ids, {}, types, 1, 3);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(one.logits[c], all.logits[2 * 3 + c], kMaxPaddingInvarianceAbsError) << name;
  }
}

TEST(Session, ConcurrentRunsOnOneModelGiveIdenticalOutputs) {
  Model model = Model::load(fixture("tiny_int8_qa.jpqd"));
  const Batch in = fixture_batch();
  const Logits want = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);
  constexpr int kThreads = 6, kCalls = 20;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      set_thread_count_for_this_thread(1 + t % 2);
      for (int i = 0; i < kCalls; ++i) {
        // Alternate shapes so primitive creation races with execution.
        const int64_t batch = (i % 2) ? in.batch : 1;
        std::vector<int64_t> ids(in.ids.begin(), in.ids.begin() + batch * in.seq_len);
        std::vector<int64_t> mask(in.mask.begin(), in.mask.begin() + batch * in.seq_len);
        std::vector<int64_t> types(in.types.begin(), in.types.begin() + batch * in.seq_len);
        const Logits got = model.run(ids, mask, types, batch, in.seq_len);
        if (batch == in.batch && (got.start_logits != want.start_logits || got.end_logits != want.end_logits))
          ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Session, StreamPoolRunsRequestsAndCarriesErrors) {
  Model model = Model::load(fixture("tiny_fp32_cls.jpqd"));
  const Batch in = fixture_batch();
  const Logits want = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);
  StreamPool pool(2, 1);
  EXPECT_EQ(pool.streams(), 2);
  std::vector<std::future<Logits>> results;
  for (int i = 0; i < 6; ++i)
    results.push_back(pool.submit([&] { return model.run(in.ids, in.mask, in.types, in.batch, in.seq_len); }));
  auto bad = pool.submit([&] { return model.run({}, {}, {}, 0, 1); });
  for (auto& r : results) EXPECT_EQ(r.get().logits, want.logits);
  EXPECT_THROW(bad.get(), InvalidArgument);
  auto threads = pool.submit([] {
    Logits l;
    l.batch = thread_count_for_this_thread();
    return l;
  });
  EXPECT_EQ(threads.get().batch, 1);
}

// Rewrites the fixture with `edit` applied to its tensors (name, dtype, shape, bytes) and metadata.
std::string rewritten(const std::string& source,
                      const std::function<void(Json&, std::vector<std::tuple<std::string, format::DType,
                                                                              std::vector<uint64_t>, std::string>>&)>& edit) {
  const format::ModelFile file = format::ModelFile::open(fixture(source));
  Json meta = file.metadata();
  std::vector<std::tuple<std::string, format::DType, std::vector<uint64_t>, std::string>> tensors;
  for (const auto& t : file.tensors())
    tensors.emplace_back(t.name, t.dtype, t.shape, std::string(static_cast<const char*>(t.data), t.size_bytes));
  edit(meta, tensors);
  format::ModelWriter w(meta);
  for (const auto& [name, dtype, shape, bytes] : tensors) w.add_tensor(name, dtype, shape, bytes.data(), bytes.size());
  const std::string path = scratch_path("session_test_" + source);
  w.write(path);
  return path;
}

std::string load_error(const std::string& path) {
  try {
    Model::load(path);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(Session, InconsistentFilesAreRejectedAtLoad) {
  // A weight whose shape disagrees with the metadata's head count.
  std::string err = load_error(rewritten("tiny_fp32_cls.jpqd", [](Json& meta, auto&) {
    meta["architecture"]["layers"][0]["num_heads"] = 1;
  }));
  EXPECT_NE(err.find("tensor encoder.layer.0.attention.self.query.weight: shape [32, 32], the metadata implies [16, 32]"),
            std::string::npos) << err;
  // A missing tensor.
  err = load_error(rewritten("tiny_fp32_cls.jpqd", [](Json&, auto& tensors) {
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const auto& t) { return std::get<0>(t) == "encoder.layer.2.output.dense.bias"; }),
                  tensors.end());
  }));
  EXPECT_NE(err.find("missing tensor encoder.layer.2.output.dense.bias"), std::string::npos) << err;
  // An s8 weight without an input quantizer.
  err = load_error(rewritten("tiny_int8_cls.jpqd", [](Json& meta, auto&) {
    meta["quantization"]["linears"].erase("encoder.layer.0.intermediate.dense");
  }));
  EXPECT_NE(err.find("encoder.layer.0.intermediate.dense.weight is s8 but metadata quantization.linears has no input"),
            std::string::npos) << err;
  // A tensor the model does not use.
  err = load_error(rewritten("tiny_fp32_cls.jpqd", [](Json&, auto& tensors) {
    tensors.emplace_back("encoder.layer.9.extra", format::DType::kF32, std::vector<uint64_t>{1}, std::string(4, '\0'));
  }));
  EXPECT_NE(err.find("tensor encoder.layer.9.extra is not part of the model"), std::string::npos) << err;
  // Metadata with an unknown activation.
  err = load_error(rewritten("tiny_fp32_cls.jpqd", [](Json& meta, auto&) { meta["architecture"]["hidden_act"] = "swish"; }));
  EXPECT_NE(err.find("hidden_act: unsupported \"swish\""), std::string::npos) << err;
}

TEST(Session, CorruptFileIsRejectedAtLoad) {
  const std::string path = scratch_path("session_test_corrupt.jpqd");
  std::vector<char> bytes;
  {
    std::FILE* f = std::fopen(fixture("tiny_int8_cls.jpqd").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
  }
  bytes[bytes.size() - 100] ^= 0x04;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  EXPECT_NE(load_error(path).find("checksum mismatch"), std::string::npos);
}

// Runs only in the child started below (JPQD_MAX_ISA set): the cap must have taken effect.
TEST(IsaFallback, EffectiveIsaHonoursTheCap) {
  const char* cap = std::getenv("JPQD_MAX_ISA");
  if (cap == nullptr || *cap == 0) GTEST_SKIP() << "checked in the child process of IsaFallback.*UnderAvx2";
  EXPECT_EQ(effective_isa(), cap);
}

TEST(IsaFallback, OpsAndTinyModelsStillMatchUnderAvx2) {
  if (std::getenv("JPQD_MAX_ISA") != nullptr) GTEST_SKIP() << "already the child";
  // A fresh process, so oneDNN sees the cap before its first primitive.
  const std::string log = scratch_path("isa_fallback_child.log");
  const std::string cmd = "JPQD_MAX_ISA=avx2 /proc/" + std::to_string(::getpid()) +
                          "/exe --gtest_brief=1 "
                          "--gtest_filter='TinyModel.*:Int8Linear.*:Fp32Linear.*:Attention.*:IsaFallback.Effective*' "
                          "> " + log + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << std::ifstream(log).rdbuf();
}

}  // namespace
}  // namespace jpqd::runtime
