#include "compression/quantization/quantizer_listing.h"

#include <iomanip>
#include <sstream>

namespace jpqd::compression {

QuantizerInfo describe_quantizer(const std::string& name, const std::string& scope, QuantizerKind kind,
                                 const FakeQuantizer& q) {
  QuantizerInfo info;
  info.name = name;
  info.scope = scope;
  info.kind = kind;
  const QuantizerSettings& s = q.settings();
  info.mode = s.mode;
  info.bits = s.bits;
  info.per_channel = s.per_channel;
  info.channels = s.per_channel ? s.channels : 1;
  info.is_signed = q.is_signed();
  info.half_range = s.half_range;
  info.initialized = q.initialized();
  info.levels = q.levels();
  auto [lo, range] = q.effective_range();
  info.low = lo.flatten().to(torch::kFloat);
  info.high = (lo + range).flatten().to(torch::kFloat);
  return info;
}

Json QuantizerInfo::to_json() const {
  Json j{{"name", name},
         {"scope", scope},
         {"kind", to_string(kind)},
         {"mode", to_string(mode)},
         {"bits", bits},
         {"granularity", per_channel ? "per_channel" : "per_tensor"},
         {"signed", is_signed},
         {"half_range", half_range},
         {"level_low", levels.low},
         {"level_high", levels.high},
         {"initialized", initialized}};
  if (per_channel) {
    j["channels"] = channels;
    j["low_min"] = low.min().item<double>();
    j["high_max"] = high.max().item<double>();
  } else {
    j["low"] = low.item<double>();
    j["high"] = high.item<double>();
  }
  return j;
}

std::string format_quantizer_table(const std::vector<QuantizerInfo>& infos) {
  std::ostringstream out;
  out << std::left << std::setw(64) << "quantizer" << std::setw(11) << "kind" << std::setw(11) << "mode"
      << std::setw(5) << "bits" << std::setw(13) << "granularity" << std::setw(9) << "signed" << std::setw(12)
      << "levels" << "range\n";
  for (const auto& q : infos) {
    std::ostringstream levels, range;
    levels << "[" << q.levels.low << "," << q.levels.high << "]";
    range << std::setprecision(6);
    if (q.per_channel)
      range << q.channels << " ch, [" << q.low.min().item<double>() << ", " << q.high.max().item<double>() << "]";
    else
      range << "[" << q.low.item<double>() << ", " << q.high.item<double>() << "]";
    if (!q.initialized) range << " (not initialised)";
    out << std::setw(64) << q.name << std::setw(11) << to_string(q.kind) << std::setw(11) << to_string(q.mode)
        << std::setw(5) << q.bits << std::setw(13) << (q.per_channel ? "per_channel" : "per_tensor") << std::setw(9)
        << (q.mode == QuantizationMode::kAsymmetric ? "-" : (q.is_signed ? "yes" : "no")) << std::setw(12)
        << levels.str() << range.str() << "\n";
  }
  return out.str();
}

}  // namespace jpqd::compression
