// Classification and correlation metrics as scikit-learn / scipy compute them for GLUE (what HF's
// `evaluate` "glue" metric calls). Inputs must be non-empty and of equal length (InvalidArgument).
#pragma once

#include <cstdint>
#include <vector>

namespace jpqd::data {

double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references);

// Binary F1 of the positive class 1 (sklearn f1_score, average="binary"); labels must be 0 or 1.
// 0 when there is no true positive (sklearn's zero_division result).
double f1_binary(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references);

// sklearn matthews_corrcoef (multiclass form); 0 when the denominator is 0 (a constant prediction
// or reference).
double matthews_correlation(const std::vector<int64_t>& predictions, const std::vector<int64_t>& references);

// scipy pearsonr / spearmanr statistic (Spearman = Pearson of average ranks, ties share the mean
// rank). NaN when either input is constant, as scipy returns.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Mean squared error (run_glue's metric for a regression --train_file).
double mean_squared_error(const std::vector<double>& predictions, const std::vector<double>& references);

// Ranks 1..n with ties averaged (scipy.stats.rankdata, method="average").
std::vector<double> average_ranks(const std::vector<double>& values);

}  // namespace jpqd::data
