#include "training/distributed/communicator.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>

#include "common/checksum.h"
#include "common/error.h"

namespace jpqd::training {

namespace {

constexpr int64_t kMaxGatherDims = 8;  // all_gather_rows sends a fixed-size shape header

// The first line of a c10 or Gloo error, without the C++ backtrace c10::Error appends.
std::string first_line(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
  const auto newline = text.find('\n');
  return newline == std::string::npos ? text : text.substr(0, newline);
}

std::string seconds(std::chrono::milliseconds timeout) {
  std::ostringstream out;
  out << static_cast<double>(timeout.count()) / 1000.0 << " s";
  return out.str();
}

// Gloo reduces float, double, half and the integer types; bool and bfloat16 travel as uint8 and float32.
torch::Tensor to_wire(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kBool:
      return t.to(torch::kUInt8).contiguous();
    case torch::kBFloat16:
      return t.to(torch::kFloat32).contiguous();
    default:
      return t.contiguous();
  }
}

c10d::ReduceOp to_c10d(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMin:
      return c10d::ReduceOp::MIN;
    case ReduceOp::kMax:
      return c10d::ReduceOp::MAX;
    case ReduceOp::kSum:
      break;
  }
  return c10d::ReduceOp::SUM;
}

// "Float rows of shape [*, 4]" from an all_gather_rows header.
std::string row_shape(const torch::Tensor& header) {
  std::string text = str_cat(c10::toString(static_cast<c10::ScalarType>(header[1].item<int64_t>())),
                             " rows of shape [*");
  for (int64_t d = 1; d < header[2].item<int64_t>(); ++d) text += str_cat(", ", header[2 + d].item<int64_t>());
  return text + "]";
}

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

// Consecutive tensors of one dtype, about `bucket_bytes` each (a larger tensor gets a bucket to itself).
std::vector<std::pair<size_t, size_t>> make_buckets(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes) {
  std::vector<std::pair<size_t, size_t>> buckets;
  size_t begin = 0;
  while (begin < tensors.size()) {
    size_t end = begin + 1;
    auto bytes = static_cast<int64_t>(tensors[begin].nbytes());
    while (end < tensors.size() && tensors[end].scalar_type() == tensors[begin].scalar_type() &&
           bytes + static_cast<int64_t>(tensors[end].nbytes()) <= bucket_bytes) {
      bytes += static_cast<int64_t>(tensors[end].nbytes());
      ++end;
    }
    buckets.emplace_back(begin, end);
    begin = end;
  }
  return buckets;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors, std::pair<size_t, size_t> bucket) {
  std::vector<torch::Tensor> flat;
  for (size_t i = bucket.first; i < bucket.second; ++i) flat.push_back(tensors[i].reshape({-1}));
  return to_wire(torch::cat(flat));
}

void unflatten(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors, std::pair<size_t, size_t> bucket) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (size_t i = bucket.first; i < bucket.second; ++i) {
    const auto& t = tensors[i];
    t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

}  // namespace

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout{0};
  bool broken = false;
  std::string where;  // "rank 1 of 2"

  // Runs one collective to completion. Any failure (a dead or stuck peer, the timeout) breaks the group:
  // Gloo's pairs are out of step after it, so later calls fail fast instead of exchanging garbage.
  void run(const char* op, const std::function<c10::intrusive_ptr<c10d::Work>()>& start) {
    JPQD_CHECK(!broken, IoError, "distributed ", op, " on ", where,
               ": an earlier collective failed, the process group is unusable");
    try {
      auto work = start();
      work->wait(timeout);
    } catch (const std::exception& e) {
      broken = true;
      throw IoError(str_cat("distributed ", op, " failed on ", where, " (timeout ", seconds(timeout),
                            "): another rank died, stopped or called a different collective: ", first_line(e)));
    }
  }
};

Communicator::Communicator(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()), rank_(env.rank), world_size_(env.world_size) {
  JPQD_CHECK(timeout.count() > 0, InvalidArgument, "the distributed timeout must be positive, got ", seconds(timeout));
  impl_->timeout = timeout;
  impl_->where = str_cat("rank ", rank_, " of ", world_size_);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(env.master_port);
    // Under torchrun's agent store the port is already taken by the agent: rank 0 serving it too would fail
    // to bind.
    store_options.isServer = env.rank == 0 && !env.use_agent_store;
    store_options.numWorkers = static_cast<size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto tcp_store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    // The prefix torch.distributed uses, so a restarted attempt never reads the keys of the one before.
    if (env.use_agent_store)
      impl_->store = c10::make_intrusive<c10d::PrefixStore>(str_cat("/worker/attempt_", env.restart_count), tcp_store);
    else
      impl_->store = tcp_store;

    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // GLOO_SOCKET_IFNAME picks the network interface as in PyTorch; on one machine loopback is enough.
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && *interface != '\0')
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    else if (is_loopback(env.master_addr))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, static_cast<int>(env.rank),
                                                               static_cast<int>(env.world_size), options);
  } catch (const std::exception& e) {
    throw IoError(str_cat("could not join the distributed group at ", env.master_addr, ":", env.master_port, " as ",
                          impl_->where, " within ", seconds(timeout), ": ", first_line(e),
                          " (are all ", world_size_, " ranks started with the same MASTER_ADDR and MASTER_PORT?)"));
  }
}

Communicator::~Communicator() = default;

void Communicator::allreduce_mean_gradients(const std::vector<torch::Tensor>& params, int64_t bucket_bytes) {
  JPQD_CHECK(bucket_bytes > 0, InvalidArgument, "gradient bucket size must be positive, got ", bucket_bytes);
  std::vector<torch::Tensor> grads;
  uint64_t layout = kFnv1a64Offset;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& grad = params[i].grad();
    if (!grad.defined()) continue;
    JPQD_CHECK(grad.is_floating_point() && !grad.is_sparse(), InvalidArgument, "parameter ", i,
               ": only dense floating-point gradients can be averaged, got ", grad.toString());
    const int64_t entry[3] = {static_cast<int64_t>(i), grad.numel(), static_cast<int64_t>(grad.scalar_type())};
    layout = fnv1a64(entry, sizeof(entry), layout);
    grads.push_back(grad);
  }
  // A rank whose graph skipped a parameter would pair its buckets with different gradients elsewhere.
  check_agreement("which gradients are defined (parameter index, size, dtype)", layout);

  const auto buckets = make_buckets(grads, bucket_bytes);
  if (buckets.empty()) return;
  std::vector<torch::Tensor> flats;
  for (const auto& bucket : buckets) flats.push_back(flatten(grads, bucket));
  // Start every bucket before waiting on any, so Gloo's worker threads overlap them.
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  impl_->run("gradient all-reduce", [&] {
    for (auto& flat : flats) {
      std::vector<at::Tensor> one{flat};
      works.push_back(impl_->group->allreduce(one));
    }
    for (size_t i = 0; i + 1 < works.size(); ++i) works[i]->wait(impl_->timeout);
    return works.back();
  });
  for (size_t b = 0; b < buckets.size(); ++b) {
    flats[b].div_(static_cast<double>(world_size_));
    unflatten(flats[b], grads, buckets[b]);
  }
}

void Communicator::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> defined;
  for (const auto& t : tensors)
    if (t.defined() && t.numel() > 0) defined.push_back(t);
  for (const auto& bucket : make_buckets(defined, kDefaultBucketBytes)) {
    auto flat = flatten(defined, bucket);
    impl_->run("broadcast from rank 0", [&] {
      std::vector<at::Tensor> one{flat};
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      return impl_->group->broadcast(one, options);
    });
    unflatten(flat, defined, bucket);
  }
}

void Communicator::allreduce(torch::Tensor& tensor, ReduceOp op) {
  auto wire = to_wire(tensor);
  impl_->run("all-reduce", [&] {
    std::vector<at::Tensor> one{wire};
    c10d::AllreduceOptions options;
    options.reduceOp = to_c10d(op);
    return impl_->group->allreduce(one, options);
  });
  if (!wire.is_same(tensor)) {
    torch::NoGradGuard no_grad;
    tensor.copy_(wire);
  }
}

void Communicator::barrier() {
  impl_->run("barrier", [&] { return impl_->group->barrier(); });
}

torch::Tensor Communicator::all_gather_rows(const torch::Tensor& rows) {
  JPQD_CHECK(rows.dim() >= 1 && rows.dim() <= kMaxGatherDims, InvalidArgument,
             "all_gather_rows: expected a tensor with 1 to ", kMaxGatherDims, " dimensions, got ", rows.dim());
  // Shape header: [rows, dtype, dims, size 1, ..., size dims-1, 0...]; sizes first, so the data can be
  // padded to the longest shard and trimmed after the exchange.
  auto header = torch::zeros({2 + kMaxGatherDims}, torch::kInt64);
  auto h = header.accessor<int64_t, 1>();
  h[0] = rows.size(0);
  h[1] = static_cast<int64_t>(rows.scalar_type());
  h[2] = rows.dim();
  for (int64_t d = 1; d < rows.dim(); ++d) h[2 + d] = rows.size(d);
  std::vector<at::Tensor> headers;
  for (int64_t r = 0; r < world_size_; ++r) headers.push_back(torch::empty_like(header));
  impl_->run("all-gather of row counts", [&] {
    std::vector<std::vector<at::Tensor>> out{headers};
    std::vector<at::Tensor> in{header};
    auto work = impl_->group->allgather(out, in);
    work->wait(impl_->timeout);
    headers = out[0];
    return work;
  });
  int64_t max_rows = 0;
  for (int64_t r = 0; r < world_size_; ++r) {
    JPQD_CHECK(headers[r].slice(0, 1).equal(header.slice(0, 1)), InvalidArgument, "all_gather_rows: rank ", r,
               " sends ", row_shape(headers[r]), ", rank ", rank_, " sends ", row_shape(header));
    max_rows = std::max(max_rows, headers[r][0].item<int64_t>());
  }
  auto shape = rows.sizes().vec();
  shape[0] = max_rows;
  auto padded = torch::zeros(shape, rows.options());
  padded.narrow(0, 0, rows.size(0)).copy_(rows);
  auto wire = to_wire(padded);
  std::vector<at::Tensor> gathered;
  for (int64_t r = 0; r < world_size_; ++r) gathered.push_back(torch::empty_like(wire));
  if (wire.numel() > 0) {
    impl_->run("all-gather of rows", [&] {
      std::vector<std::vector<at::Tensor>> out{gathered};
      std::vector<at::Tensor> in{wire};
      auto work = impl_->group->allgather(out, in);
      work->wait(impl_->timeout);
      gathered = out[0];
      return work;
    });
  }
  std::vector<torch::Tensor> parts;
  for (int64_t r = 0; r < world_size_; ++r) parts.push_back(gathered[r].narrow(0, 0, headers[r][0].item<int64_t>()));
  return torch::cat(parts).to(rows.scalar_type());
}

void Communicator::check_agreement(const std::string& what, uint64_t fingerprint) {
  int64_t bits = 0;
  std::memcpy(&bits, &fingerprint, sizeof(bits));
  auto mine = torch::full({1}, bits, torch::kInt64);
  std::vector<at::Tensor> all;
  for (int64_t r = 0; r < world_size_; ++r) all.push_back(torch::empty_like(mine));
  impl_->run("agreement check", [&] {
    std::vector<std::vector<at::Tensor>> out{all};
    std::vector<at::Tensor> in{mine};
    auto work = impl_->group->allgather(out, in);
    work->wait(impl_->timeout);
    all = out[0];
    return work;
  });
  bool agree = true;
  std::string values;
  for (int64_t r = 0; r < world_size_; ++r) {
    const int64_t theirs_bits = all[r].item<int64_t>();
    uint64_t theirs = 0;
    std::memcpy(&theirs, &theirs_bits, sizeof(theirs));
    agree = agree && theirs == fingerprint;
    values += str_cat(r == 0 ? "" : ", ", "rank ", r, " has ", to_hex(theirs));
  }
  JPQD_CHECK(agree, InvalidArgument, "ranks disagree on ", what, ": ", values);
}

}  // namespace jpqd::training
