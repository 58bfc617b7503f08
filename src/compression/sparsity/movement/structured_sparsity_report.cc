#include "compression/sparsity/movement/structured_sparsity_report.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::compression {

namespace {

constexpr size_t kMaxIdsListed = 20;

std::vector<int64_t> nonzero_ids(const torch::Tensor& t) {
  const torch::Tensor idx = t.nonzero().view(-1).to(torch::kCPU, torch::kLong).contiguous();
  return std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
}

int64_t product(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// Python's repr of a tuple: (768, 768) and (768,).
std::string tuple_repr(const std::vector<int64_t>& v) {
  std::ostringstream out;
  out << "(";
  for (size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  if (v.size() == 1) out << ",";
  out << ")";
  return out.str();
}

std::string ids_repr(const std::vector<int64_t>& ids) {
  if (ids.size() > kMaxIdsListed) return str_cat("[", ids.size(), " items]");
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
  out << "]";
  return out.str();
}

// Python csv QUOTE_MINIMAL: quote fields holding a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

StructuredMemberStats structured_member_stats(const StructuredMember& m) {
  torch::NoGradGuard no_grad;
  const MovementSparsifier& s = *m.sparsifier;
  StructuredMemberStats st;
  st.weight_shape = {s.out_features(), s.in_features()};
  st.bias_shape = {s.has_bias() ? s.out_features() : 0};
  st.pruned_weight_shape = st.weight_shape;
  st.pruned_bias_shape = st.bias_shape;
  const torch::Tensor& w = s.weight_mask();
  if (m.prune_by_row) {
    const torch::Tensor rows = w.amax(1);
    st.pruned_weight_shape[0] = rows.count_nonzero().item<int64_t>();
    st.kept_ids = nonzero_ids(rows.reshape({-1, m.grid_rows}).amax(1));
    if (s.has_bias()) st.pruned_bias_shape = {s.bias_mask().count_nonzero().item<int64_t>()};
  } else {
    const torch::Tensor cols = w.amax(0);
    st.pruned_weight_shape[1] = cols.count_nonzero().item<int64_t>();
    st.kept_ids = nonzero_ids(cols.reshape({-1, m.grid_cols}).amax(1));
  }
  return st;
}

std::string structured_sparsity_csv(const std::vector<StructuredGroup>& groups) {
  std::ostringstream out;
  out << ",group_id,type,torch_module,weight_shape,pruned_weight_shape,bias_shape,pruned_bias_shape,"
         "head_or_channel_id_to_keep,module_node_name\n";
  int64_t row = 0;
  for (const auto& g : groups) {
    for (const auto& m : g.members) {
      const auto st = structured_member_stats(m);
      out << row++ << "," << g.id << "," << csv_field(g.type) << "," << csv_field(m.name) << ","
          << csv_field(tuple_repr(st.weight_shape)) << "," << csv_field(tuple_repr(st.pruned_weight_shape)) << ","
          << csv_field(tuple_repr(st.bias_shape)) << "," << csv_field(tuple_repr(st.pruned_bias_shape)) << ","
          << csv_field(ids_repr(st.kept_ids)) << "," << csv_field(m.scope) << "\n";
    }
  }
  return out.str();
}

Json structured_sparsity_summary(const std::vector<StructuredGroup>& groups) {
  std::map<int, Json> layers;
  int64_t before_total = 0, after_total = 0, heads = 0, heads_kept = 0, neurons = 0, neurons_kept = 0;
  for (const auto& g : groups) {
    if (g.members.empty()) continue;
    Json& layer = layers[g.layer_index];
    if (layer.is_null()) layer = {{"layer", g.layer_index}, {"parameters_before", 0}, {"parameters_after", 0}};
    int64_t before = 0, after = 0;
    for (const auto& m : g.members) {
      const auto st = structured_member_stats(m);
      before += product(st.weight_shape) + (st.bias_shape[0] > 0 ? st.bias_shape[0] : 0);
      after += product(st.pruned_weight_shape) + (st.bias_shape[0] > 0 ? st.pruned_bias_shape[0] : 0);
    }
    layer["parameters_before"] = layer["parameters_before"].get<int64_t>() + before;
    layer["parameters_after"] = layer["parameters_after"].get<int64_t>() + after;
    before_total += before;
    after_total += after;
    // Every member of a group keeps the same units; the first one tells which.
    const StructuredMember& first = g.members.front();
    const auto st = structured_member_stats(first);
    const int64_t units = first.prune_by_row ? st.weight_shape[0] / first.grid_rows : st.weight_shape[1] / first.grid_cols;
    const auto kept = static_cast<int64_t>(st.kept_ids.size());
    if (g.type == "MHSA") {
      layer["attention"] = {{"head_dim", g.block}, {"num_heads", units}, {"heads_kept", st.kept_ids}, {"num_heads_kept", kept}};
      heads += units;
      heads_kept += kept;
    } else {
      layer["ffn"] = {{"intermediate_size", units}, {"neurons_kept", kept}};
      neurons += units;
      neurons_kept += kept;
    }
  }
  Json list = Json::array();
  for (auto& item : layers) list.push_back(item.second);
  return {{"layers", list},
          {"total",
           {{"heads", heads},
            {"heads_kept", heads_kept},
            {"ffn_neurons", neurons},
            {"ffn_neurons_kept", neurons_kept},
            {"parameters_before", before_total},
            {"parameters_after", after_total}}}};
}

void write_structured_sparsity_reports(const std::vector<StructuredGroup>& groups, const std::string& dir) {
  ensure_writable_directory(dir);
  const std::filesystem::path d(dir);
  write_file_atomically((d / "structured_sparsity.csv").string(), structured_sparsity_csv(groups));
  write_file_atomically((d / "structured_sparsity.json").string(), structured_sparsity_summary(groups).dump(2) + "\n");
}

}  // namespace jpqd::compression
