#include "compression/api/controller.h"

#include <algorithm>

#include "common/error.h"

namespace jpqd::compression {

void CompositeController::add(std::unique_ptr<Controller> controller) {
  JPQD_CHECK(find(controller->name()) == nullptr, InvalidArgument, "compression config: algorithm \"",
             controller->name(), "\" given twice");
  children_.push_back(std::move(controller));
}

Controller* CompositeController::find(const std::string& name) const {
  for (const auto& c : children_)
    if (c->name() == name) return c.get();
  return nullptr;
}

int64_t CompositeController::init_samples_needed() const {
  int64_t n = 0;
  for (const auto& c : children_) n = std::max(n, c->init_samples_needed());
  return n;
}

void CompositeController::begin_initialization() {
  for (auto& c : children_) c->begin_initialization();
}
void CompositeController::end_initialization(Collectives* ranks) {
  for (auto& c : children_) c->end_initialization(ranks);
}
void CompositeController::epoch_step() {
  for (auto& c : children_) c->epoch_step();
}
void CompositeController::step() {
  for (auto& c : children_) c->step();
}

torch::Tensor CompositeController::loss() {
  torch::Tensor total = torch::zeros({});
  for (auto& c : children_) total = total + c->loss();
  return total;
}

namespace {

Json prefixed(const std::vector<std::unique_ptr<Controller>>& children, Json (Controller::*what)() const) {
  Json out = Json::object();
  for (const auto& c : children) {
    // Held in a variable: items() of a temporary would dangle inside the loop.
    const Json stats = (*c.*what)();
    for (const auto& item : stats.items()) out["compression/" + c->name() + "/" + item.key()] = item.value();
  }
  return out;
}

}  // namespace

Json CompositeController::statistics() const { return prefixed(children_, &Controller::statistics); }

Json CompositeController::epoch_statistics() const { return prefixed(children_, &Controller::epoch_statistics); }

Json CompositeController::state() const {
  Json out = Json::object();
  for (const auto& c : children_) out[c->name()] = c->state();
  return out;
}

void CompositeController::load_state(const Json& state) {
  for (auto& c : children_) {
    auto it = state.find(c->name());
    JPQD_CHECK(it != state.end(), FormatError, "checkpoint: no saved state for compression algorithm \"",
               c->name(), "\"");
    c->load_state(*it);
  }
}

void CompositeController::set_output_dir(const std::string& dir) {
  for (auto& c : children_) c->set_output_dir(dir);
}

}  // namespace jpqd::compression
