#include "training/distributed/data_parallel.h"

#include "training/dataset.h"
#include "training/distributed/communicator.h"

namespace jpqd::training {

namespace {

class CommunicatorCollectives : public compression::Collectives {
 public:
  explicit CommunicatorCollectives(Communicator& communicator) : communicator_(communicator) {}
  void all_reduce_min(torch::Tensor& tensor) override { communicator_.allreduce(tensor, ReduceOp::kMin); }
  void all_reduce_max(torch::Tensor& tensor) override { communicator_.allreduce(tensor, ReduceOp::kMax); }
  torch::Tensor all_gather_rows(const torch::Tensor& rows) override { return communicator_.all_gather_rows(rows); }

 private:
  Communicator& communicator_;
};

}  // namespace

DataParallel::DataParallel(const DistributedEnv& env, std::chrono::milliseconds timeout) : env_(env) {
  if (!env_.is_distributed()) return;
  communicator_ = std::make_unique<Communicator>(env_, timeout);
  collectives_ = std::make_unique<CommunicatorCollectives>(*communicator_);
}

DataParallel::~DataParallel() = default;

void DataParallel::check_agreement(const std::string& what, uint64_t fingerprint) {
  if (enabled()) communicator_->check_agreement(what, fingerprint);
}

void DataParallel::broadcast_module(torch::nn::Module& module) {
  if (!enabled()) return;
  std::vector<torch::Tensor> tensors = module.parameters(true);
  for (auto& buffer : module.buffers(true)) tensors.push_back(buffer);
  communicator_->broadcast_from_rank0(tensors);
}

void DataParallel::average_gradients(const std::vector<torch::Tensor>& params) {
  if (enabled()) communicator_->allreduce_mean_gradients(params);
}

bool DataParallel::any(bool flag) {
  if (!enabled()) return flag;
  auto t = torch::full({1}, flag ? 1 : 0, torch::kInt32);
  communicator_->allreduce(t, ReduceOp::kMax);
  return t.item<int32_t>() != 0;
}

std::vector<double> DataParallel::mean(std::vector<double> values) {
  if (!enabled() || values.empty()) return values;
  auto t = torch::tensor(values, torch::kDouble);
  communicator_->allreduce(t, ReduceOp::kSum);
  t.div_(static_cast<double>(world_size()));
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

double DataParallel::sum(double value) {
  if (!enabled()) return value;
  auto t = torch::full({1}, value, torch::kDouble);
  communicator_->allreduce(t, ReduceOp::kSum);
  return t.item<double>();
}

int64_t DataParallel::max(int64_t value) {
  if (!enabled()) return value;
  auto t = torch::full({1}, value, torch::kInt64);
  communicator_->allreduce(t, ReduceOp::kMax);
  return t.item<int64_t>();
}

torch::Tensor DataParallel::gather_rows(const torch::Tensor& rows) {
  return enabled() ? communicator_->all_gather_rows(rows) : rows;
}

void DataParallel::barrier() {
  if (enabled()) communicator_->barrier();
}

std::vector<int64_t> DataParallel::epoch_indices(int64_t dataset_size, int64_t seed, int64_t epoch) const {
  if (!env_.is_distributed()) return epoch_permutation(dataset_size, seed, epoch);
  return DistributedSampler(dataset_size, rank(), world_size()).epoch_indices(seed, epoch);
}

EvalShard DataParallel::eval_shard(int64_t dataset_size) const {
  if (!env_.is_distributed() || dataset_size < world_size()) return {0, dataset_size};
  return training::eval_shard(dataset_size, rank(), world_size());
}

}  // namespace jpqd::training
