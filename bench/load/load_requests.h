// Requests for the runtime load test: good ones (random ids or text, fixed seed) whose single-threaded
// answers are recorded before the load starts, and bad ones that the runtime must reject.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jpqd/runtime.h"

namespace jpqd::load {

struct Request {
  std::string name;
  int64_t batch_size = 0, seq_len = 0;
  std::vector<int64_t> ids, mask, types;   // mask / types empty: the runtime's defaults
  std::vector<std::string> texts, pairs;   // non-empty: a run_text request
  runtime::Logits expected;

  bool is_text() const { return !texts.empty(); }
  int64_t batch() const { return is_text() ? static_cast<int64_t>(texts.size()) : batch_size; }
};

struct BadRequest {
  std::string name;
  std::function<runtime::Logits(const runtime::Model&)> run;
};

// `count` requests with batch 1..4 and lengths 1..max_len: padded masks, both token types, some with
// the defaults (no mask / no types), about one in eight as text through run_text.
std::vector<Request> make_requests(const runtime::ModelInfo& info, int64_t count, int64_t max_len, uint64_t seed);

// One of each kind of bad input: ids out of range, too long, empty, mismatched shapes, bad mask values...
std::vector<BadRequest> make_bad_requests(const runtime::ModelInfo& info);

runtime::Logits execute(const runtime::Model& model, const Request& r);

// Same task, shapes and every float bit for bit.
bool bit_identical(const runtime::Logits& a, const runtime::Logits& b);
std::string describe_difference(const runtime::Logits& got, const runtime::Logits& want);

}  // namespace jpqd::load
