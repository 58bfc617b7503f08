#include "data/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "common/error.h"

namespace jpqd::data {

namespace {
template <typename T>
void check_sizes(const std::vector<T>& a, const std::vector<T>& b, const char* metric) {
  JPQD_CHECK(!a.empty(), InvalidArgument, metric, ": no predictions");
  JPQD_CHECK(a.size() == b.size(), InvalidArgument, metric, ": ", a.size(), " predictions but ", b.size(), " references");
}
}  // namespace

double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references) {
  check_sizes(predictions, references, "accuracy");
  int64_t correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == references[i];
  return static_cast<double>(correct) / static_cast<double>(predictions.size());
}

double f1_binary(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references) {
  check_sizes(predictions, references, "f1");
  int64_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const int64_t p = predictions[i], r = references[i];
    JPQD_CHECK((p == 0 || p == 1) && (r == 0 || r == 1), InvalidArgument,
               "f1: binary F1 needs labels 0 and 1, got prediction ", p, " and reference ", r, " at index ", i);
    tp += p == 1 && r == 1;
    fp += p == 1 && r == 0;
    fn += p == 0 && r == 1;
  }
  if (tp == 0) return 0.0;
  return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

double matthews_correlation(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references) {
  check_sizes(predictions, references, "matthews_correlation");
  // With C the confusion matrix, t_k / p_k the true / predicted counts of class k, c the correct and
  // s the total count: MCC = (c*s - sum t_k p_k) / sqrt((s^2 - sum p_k^2) (s^2 - sum t_k^2)).
  std::map<int64_t, double> t, p;
  double correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    t[references[i]] += 1;
    p[predictions[i]] += 1;
    correct += predictions[i] == references[i];
  }
  const double s = static_cast<double>(predictions.size());
  double tp_dot = 0, pp = 0, tt = 0;
  for (const auto& [k, v] : t) {
    tt += v * v;
    auto it = p.find(k);
    if (it != p.end()) tp_dot += v * it->second;
  }
  for (const auto& [k, v] : p) pp += v * v;
  const double cov_tp = correct * s - tp_dot;
  const double cov_pp = s * s - pp;
  const double cov_tt = s * s - tt;
  if (cov_pp * cov_tt == 0) return 0.0;
  return cov_tp / std::sqrt(cov_tt * cov_pp);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes(x, y, "pearson");
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;  // mean of ranks i+1..j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes(x, y, "spearmanr");
  return pearson(average_ranks(x), average_ranks(y));
}

double mean_squared_error(const std::vector<double>& predictions, const std::vector<double>& references) {
  check_sizes(predictions, references, "mse");
  double sum = 0;
  for (size_t i = 0; i < predictions.size(); ++i) sum += (predictions[i] - references[i]) * (predictions[i] - references[i]);
  return sum / static_cast<double>(predictions.size());
}

}  // namespace jpqd::data
