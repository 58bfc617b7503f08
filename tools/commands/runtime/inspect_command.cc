// jpqd inspect model.jpqd: header, architecture (heads and FFN width per layer), quantization, and every
// tensor with its dtype, shape, size and offset.
#include <cstdio>
#include <map>

#include "commands/command.h"
#include "format/model_file.h"

namespace jpqd::cli {

namespace {

void run_inspect(const std::string& path, bool json) {
  const auto file = format::ModelFile::open(path);
  const Json& meta = file.metadata();
  if (json) {
    Json tensors = Json::array();
    for (const auto& t : file.tensors())
      tensors.push_back({{"name", t.name}, {"dtype", format::dtype_name(t.dtype)}, {"shape", t.shape},
                         {"bytes", t.size_bytes}, {"offset", t.file_offset}});
    Json out = meta;
    if (out["tokenizer"].contains("vocab")) out["tokenizer"].erase("vocab");  // thousands of lines
    out["file"] = {{"path", path}, {"format_version", file.format_version()}, {"bytes", file.file_size()}};
    out["tensors"] = tensors;
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("file            %s\nformat version  %u\nsize            %llu bytes\nchecksum        %016llx\n",
              path.c_str(), file.format_version(), static_cast<unsigned long long>(file.file_size()),
              static_cast<unsigned long long>(file.checksum()));
  const Json& arch = meta["architecture"];
  // Files written before the families existed carry no model_type: they hold BERT.
  std::printf("family          %s\n", arch.value("model_type", std::string("bert")).c_str());
  std::printf("architecture    hidden %lld, %zu layers, vocab %lld, max positions %lld, %s\n",
              static_cast<long long>(arch["hidden_size"].get<int64_t>()), arch["layers"].size(),
              static_cast<long long>(arch["vocab_size"].get<int64_t>()),
              static_cast<long long>(arch["max_position_embeddings"].get<int64_t>()),
              arch["hidden_act"].get<std::string>().c_str());
  std::printf("task            %s\nquantization    %s\n", meta["task"].dump().c_str(),
              meta["quantization"].value("scheme", "none").c_str());
  std::printf("\nlayer  heads  head_dim  ffn\n");
  for (size_t l = 0; l < arch["layers"].size(); ++l) {
    const Json& layer = arch["layers"][l];
    std::printf("%5zu  %5lld  %8lld  %lld\n", l, static_cast<long long>(layer["num_heads"].get<int64_t>()),
                static_cast<long long>(layer["head_dim"].get<int64_t>()),
                static_cast<long long>(layer["intermediate_size"].get<int64_t>()));
  }
  std::map<std::string, uint64_t> bytes_by_dtype;
  std::printf("\n%-55s %-5s %-14s %12s %12s\n", "tensor", "dtype", "shape", "bytes", "offset");
  for (const auto& t : file.tensors()) {
    bytes_by_dtype[format::dtype_name(t.dtype)] += t.size_bytes;
    std::printf("%-55s %-5s %-14s %12llu %12llu\n", t.name.c_str(), format::dtype_name(t.dtype).c_str(),
                t.shape_string().c_str(), static_cast<unsigned long long>(t.size_bytes),
                static_cast<unsigned long long>(t.file_offset));
  }
  std::printf("\n");
  for (const auto& [dtype, bytes] : bytes_by_dtype)
    std::printf("%s tensors: %llu bytes\n", dtype.c_str(), static_cast<unsigned long long>(bytes));
}

}  // namespace

void register_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("inspect", "Show a model.jpqd file: header, per-layer shapes, dtypes, sizes");
  cmd->add_option("model", *path, "model.jpqd")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([path, json] { run_inspect(*path, *json); });
}

}  // namespace jpqd::cli
