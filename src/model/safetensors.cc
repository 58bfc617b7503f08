#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "common/json_util.h"

namespace jpqd::model {

namespace {

struct DtypeInfo {
  const char* name;
  torch::Dtype dtype;
  uint64_t itemsize;
};

const DtypeInfo kDtypes[] = {{"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
                             {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
                             {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
                             {"BOOL", torch::kBool, 1}};

const DtypeInfo* dtype_by_name(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeInfo* dtype_by_torch(torch::Dtype t) {
  for (const auto& d : kDtypes)
    if (t == d.dtype) return &d;
  return nullptr;
}

struct Entry {
  std::string name;
  const DtypeInfo* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return true;
  *out = a * b;
  return false;
}

uint64_t read_offset(const Json& v, const std::string& path, const std::string& name) {
  JPQD_CHECK(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0), FormatError, path,
             ": tensor ", name, ": data_offsets must be non-negative integers, got ", v.dump());
  return v.get<uint64_t>();
}

Entry parse_entry(const std::string& name, const Json& v, const std::string& path) {
  JPQD_CHECK(v.is_object(), FormatError, path, ": tensor ", name, ": header entry must be an object");
  for (const auto& item : v.items())
    JPQD_CHECK(item.key() == "dtype" || item.key() == "shape" || item.key() == "data_offsets", FormatError, path,
               ": tensor ", name, ": unknown header key \"", item.key(), "\"");
  JPQD_CHECK(v.contains("dtype") && v["dtype"].is_string(), FormatError, path, ": tensor ", name, ": missing dtype");
  Entry e;
  e.name = name;
  e.dtype = dtype_by_name(v["dtype"].get<std::string>());
  JPQD_CHECK(e.dtype, FormatError, path, ": tensor ", name, ": unsupported dtype ", v["dtype"].dump());
  JPQD_CHECK(v.contains("shape") && v["shape"].is_array(), FormatError, path, ": tensor ", name, ": missing shape");
  JPQD_CHECK(v["shape"].size() <= 16, FormatError, path, ": tensor ", name, ": ", v["shape"].size(),
             " dimensions is more than 16");
  uint64_t bytes = e.dtype->itemsize;
  for (const auto& d : v["shape"]) {
    JPQD_CHECK(d.is_number_unsigned() || (d.is_number_integer() && d.get<int64_t>() >= 0), FormatError, path,
               ": tensor ", name, ": shape holds ", d.dump(), ", not a non-negative integer");
    const uint64_t dim = d.get<uint64_t>();
    JPQD_CHECK(dim <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) && !mul_overflows(bytes, dim, &bytes),
               FormatError, path, ": tensor ", name, ": shape ", v["shape"].dump(), " overflows its byte size");
    e.shape.push_back(static_cast<int64_t>(dim));
  }
  JPQD_CHECK(v.contains("data_offsets") && v["data_offsets"].is_array() && v["data_offsets"].size() == 2, FormatError,
             path, ": tensor ", name, ": data_offsets must be [begin, end]");
  e.begin = read_offset(v["data_offsets"][0], path, name);
  e.end = read_offset(v["data_offsets"][1], path, name);
  JPQD_CHECK(e.begin <= e.end, FormatError, path, ": tensor ", name, ": data_offsets [", e.begin, ", ", e.end,
             "] run backwards");
  JPQD_CHECK(e.end - e.begin == bytes, FormatError, path, ": tensor ", name, ": data_offsets [", e.begin, ", ", e.end,
             "] hold ", e.end - e.begin, " bytes but dtype ", e.dtype->name, " and shape ", v["shape"].dump(), " need ",
             bytes);
  return e;
}

}  // namespace

SafetensorsFile read_safetensors_file(const std::string& path) {
  JPQD_CHECK(file_exists(path) && !is_directory(path), IoError, path, ": safetensors file not found");
  std::ifstream in(path, std::ios::binary);
  JPQD_CHECK(in.good(), IoError, path, ": cannot open safetensors file");
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  JPQD_CHECK(file_size >= 8, FormatError, path, ": truncated safetensors file (", file_size, " bytes, no header)");
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  JPQD_CHECK(header_len <= kMaxSafetensorsHeaderBytes, FormatError, path, ": header length ", header_len,
             " exceeds the limit of ", kMaxSafetensorsHeaderBytes, " bytes");
  JPQD_CHECK(header_len <= file_size - 8, FormatError, path, ": header length ", header_len,
             " runs past the end of the ", file_size, "-byte file");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  JPQD_CHECK(in.good(), IoError, path, ": read error in the header");
  const Json j = parse_json(header, path + " (safetensors header)");
  JPQD_CHECK(j.is_object(), FormatError, path, ": the header is not a JSON object");

  SafetensorsFile result;
  std::vector<Entry> entries;
  for (const auto& item : j.items()) {
    if (item.key() == "__metadata__") {
      JPQD_CHECK(item.value().is_object(), FormatError, path, ": __metadata__ must be an object of strings");
      for (const auto& m : item.value().items()) {
        JPQD_CHECK(m.value().is_string(), FormatError, path, ": __metadata__[\"", m.key(), "\"] is not a string");
        result.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(item.key(), item.value(), path));
  }
  // The byte ranges must tile the data area exactly: in bounds, no overlap, no hole.
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = file_size - data_start;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    JPQD_CHECK(e.end <= data_size, FormatError, path, ": tensor ", e.name, ": data_offsets [", e.begin, ", ", e.end,
               "] run past the end of the data area (", data_size, " bytes; file truncated?)");
    JPQD_CHECK(e.begin >= expected, FormatError, path, ": tensor ", e.name, " overlaps tensor ", entries[i - 1].name);
    JPQD_CHECK(e.begin == expected, FormatError, path, ": tensor ", e.name, " starts at ", e.begin,
               ", leaving a hole after byte ", expected);
    expected = e.end;
  }
  JPQD_CHECK(expected == data_size, FormatError, path, ": the data area has ", data_size, " bytes but the tensors use ",
             expected);
  for (const auto& e : entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->dtype));
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(e.end - e.begin));
    JPQD_CHECK(in.good() || e.end == e.begin, IoError, path, ": read error in tensor ", e.name);
    result.tensors.emplace_back(e.name, t);
  }
  return result;
}

NamedTensors read_safetensors(const std::string& path) { return read_safetensors_file(path).tensors; }

void write_safetensors(const std::string& path, const NamedTensors& tensors, const SafetensorsWriteOptions& options) {
  std::vector<torch::Tensor> data;
  Json header = Json::object();
  Json metadata = Json::object();
  for (const auto& [k, v] : options.metadata) metadata[k] = v;
  metadata["format"] = "pt";
  header["__metadata__"] = metadata;
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    JPQD_CHECK(!name.empty() && name != "__metadata__", InvalidArgument, path, ": invalid tensor name \"", name, "\"");
    JPQD_CHECK(seen.insert(name).second, InvalidArgument, path, ": tensor ", name, " is listed twice");
    torch::Tensor t = tensor.detach().to(torch::kCPU);
    if (options.float_dtype && t.is_floating_point()) t = t.to(*options.float_dtype);
    t = t.contiguous();
    const DtypeInfo* d = dtype_by_torch(t.scalar_type());
    JPQD_CHECK(d, InvalidArgument, path, ": tensor ", name, " has dtype ", t.scalar_type(),
               ", which safetensors writing does not support here");
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * d->itemsize;
    header[name] = {{"dtype", d->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(t);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data area 8-byte aligned, as the reference does
  char len_bytes[8];
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  AtomicFile out(path);
  out.write(len_bytes, 8);
  out.write(text);
  for (const auto& t : data) out.write(t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
  out.commit();
}

NamedTensors read_sharded_safetensors(const std::string& index_path) {
  namespace fs = std::filesystem;
  const Json index = read_json_file(index_path);
  JPQD_CHECK(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(), FormatError,
             index_path, ": no \"weight_map\" object");
  std::map<std::string, std::set<std::string>> by_shard;  // shard -> names it must hold
  for (const auto& item : index["weight_map"].items()) {
    JPQD_CHECK(item.value().is_string(), FormatError, index_path, ": weight_map[\"", item.key(), "\"] is not a string");
    const std::string shard = item.value().get<std::string>();
    // A shard name is a plain file name: no directories, so an index cannot point outside its folder.
    JPQD_CHECK(!shard.empty() && shard.find('/') == std::string::npos && shard.find('\\') == std::string::npos &&
                   shard != "." && shard != "..",
               FormatError, index_path, ": weight_map[\"", item.key(), "\"] names \"", shard,
               "\", which is not a file name in the checkpoint directory");
    by_shard[shard].insert(item.key());
  }
  const fs::path dir = fs::path(index_path).parent_path();
  NamedTensors out;
  for (const auto& [shard, names] : by_shard) {
    const std::string shard_path = (dir / shard).string();
    JPQD_CHECK(file_exists(shard_path), IoError, index_path, ": shard ", shard, " is missing");
    std::set<std::string> found;
    for (auto& [name, tensor] : read_safetensors(shard_path)) {
      if (!names.count(name)) continue;  // tensors the index does not list are not part of the model
      found.insert(name);
      out.emplace_back(name, tensor);
    }
    for (const auto& name : names)
      JPQD_CHECK(found.count(name), FormatError, index_path, ": tensor ", name, " is mapped to ", shard,
                 " but that shard does not hold it");
  }
  return out;
}

}  // namespace jpqd::model
