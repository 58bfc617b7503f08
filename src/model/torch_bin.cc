#include "model/torch_bin.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <unordered_map>

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::model {

namespace {

constexpr size_t kMaxStack = 1 << 20;
constexpr int64_t kMaxDims = 16;

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kStorage, kTensor, kMark } kind;
  int64_t i = 0;
  double f = 0;
  std::string s;                                   // string; global "module name"
  std::vector<ValuePtr> items;                     // tuple, list
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;  // dict (insertion order)
  torch::Tensor tensor;                             // storage (1-D) or tensor
};

ValuePtr make(Value::Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

torch::Dtype storage_dtype(const std::string& global, const std::string& where) {
  static const std::map<std::string, torch::Dtype> types = {
      {"torch FloatStorage", torch::kFloat32}, {"torch HalfStorage", torch::kFloat16},
      {"torch BFloat16Storage", torch::kBFloat16}, {"torch DoubleStorage", torch::kFloat64},
      {"torch LongStorage", torch::kInt64},     {"torch IntStorage", torch::kInt32},
      {"torch ShortStorage", torch::kInt16},    {"torch CharStorage", torch::kInt8},
      {"torch ByteStorage", torch::kUInt8},     {"torch BoolStorage", torch::kBool}};
  auto it = types.find(global);
  JPQD_CHECK(it != types.end(), FormatError, where, ": unsupported storage type ", global);
  return it->second;
}

class Unpickler {
 public:
  Unpickler(const std::string& path, caffe2::serialize::PyTorchStreamReader& zip, const char* data, size_t size)
      : path_(path), zip_(zip), p_(data), end_(data + size) {}

  ValuePtr run() {
    while (true) {
      const uint8_t op = u8();
      switch (op) {
        case 0x80: u8(); break;                  // PROTO
        case 0x95: take(8); break;               // FRAME (protocol 4)
        case '.': return pop();                  // STOP
        case '(': push(make(Value::kMark)); break;
        case 'N': push(make(Value::kNone)); break;
        case 0x88: push(boolean(true)); break;   // NEWTRUE
        case 0x89: push(boolean(false)); break;  // NEWFALSE
        case 'K': push(integer(u8())); break;    // BININT1
        case 'M': push(integer(uint_le(2))); break;
        case 'J': push(integer(static_cast<int32_t>(uint_le(4)))); break;
        case 0x8a: push(long1()); break;         // LONG1
        case 'G': push(binfloat()); break;
        case 'X': push(string(uint_le(4))); break;  // BINUNICODE
        case 0x8c: push(string(u8())); break;       // SHORT_BINUNICODE
        case 'U': push(string(u8())); break;        // SHORT_BINSTRING
        case 'T': push(string(uint_le(4))); break;  // BINSTRING
        case 'c': push(global()); break;
        case 'q': memo_[u8()] = top(); break;       // BINPUT
        case 'r': memo_[uint_le(4)] = top(); break; // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
        case 'h': push(memo(u8())); break;          // BINGET
        case 'j': push(memo(uint_le(4))); break;    // LONG_BINGET
        case ')': push(make(Value::kTuple)); break;
        case 't': push(tuple(pop_mark())); break;
        case 0x85: push(tuple(pop_n(1))); break;
        case 0x86: push(tuple(pop_n(2))); break;
        case 0x87: push(tuple(pop_n(3))); break;
        case ']': push(make(Value::kList)); break;
        case 'a': {
          auto v = pop();
          expect(top(), Value::kList, "APPEND")->items.push_back(v);
          break;
        }
        case 'e': {
          auto items = pop_mark();
          auto& list = expect(top(), Value::kList, "APPENDS")->items;
          list.insert(list.end(), items.begin(), items.end());
          break;
        }
        case '}': push(make(Value::kDict)); break;
        case 's': {
          auto v = pop();
          auto k = pop();
          expect(top(), Value::kDict, "SETITEM")->dict.emplace_back(k, v);
          break;
        }
        case 'u': {
          auto items = pop_mark();
          JPQD_CHECK(items.size() % 2 == 0, FormatError, path_, ": SETITEMS with an odd number of items");
          auto& dict = expect(top(), Value::kDict, "SETITEMS")->dict;
          for (size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
          break;
        }
        case 'R': {
          auto args = expect(pop(), Value::kTuple, "REDUCE arguments");
          auto fn = expect(pop(), Value::kGlobal, "REDUCE callable");
          push(reduce(fn->s, args->items));
          break;
        }
        case 'b': {  // BUILD: only the attributes of a state dict (its _metadata), which we do not need
          pop();
          expect(top(), Value::kDict, "BUILD");
          break;
        }
        case 'Q': push(persistent(pop())); break;  // BINPERSID
        default:
          JPQD_CHECK(false, FormatError, path_, ": unsupported pickle opcode 0x", std::hex, static_cast<int>(op),
                     " at byte ", std::dec, offset() - 1, " (not a plain state dict)");
      }
    }
  }

 private:
  size_t offset() const { return static_cast<size_t>(p_ - start()); }
  const char* start() const { return end_ - size_; }
  const char* take(size_t n) {
    JPQD_CHECK(static_cast<size_t>(end_ - p_) >= n, FormatError, path_, ": data.pkl is truncated");
    const char* at = p_;
    p_ += n;
    return at;
  }
  uint8_t u8() { return static_cast<uint8_t>(*take(1)); }
  uint64_t uint_le(int n) {
    const char* b = take(n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }
  ValuePtr integer(int64_t i) {
    auto v = make(Value::kInt);
    v->i = i;
    return v;
  }
  ValuePtr boolean(bool b) {
    auto v = make(Value::kBool);
    v->i = b;
    return v;
  }
  ValuePtr long1() {
    const size_t n = u8();
    JPQD_CHECK(n <= 8, FormatError, path_, ": integer of ", n, " bytes is too large");
    const char* b = take(n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
    if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80)) v |= ~0ull << (8 * n);  // sign-extend
    return integer(static_cast<int64_t>(v));
  }
  ValuePtr binfloat() {
    uint64_t bits = 0;
    const char* b = take(8);
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<uint8_t>(b[i]);  // big-endian
    auto v = make(Value::kFloat);
    std::memcpy(&v->f, &bits, 8);
    return v;
  }
  ValuePtr string(uint64_t n) {
    auto v = make(Value::kString);
    v->s.assign(take(n), n);
    return v;
  }
  ValuePtr global() {
    auto line = [&] {
      std::string s;
      for (char c = static_cast<char>(u8()); c != '\n'; c = static_cast<char>(u8())) s.push_back(c);
      return s;
    };
    auto v = make(Value::kGlobal);
    v->s = line();
    v->s += " " + line();
    return v;
  }
  ValuePtr memo(uint64_t key) {
    auto it = memo_.find(key);
    JPQD_CHECK(it != memo_.end(), FormatError, path_, ": pickle memo key ", key, " is not set");
    return it->second;
  }
  void push(ValuePtr v) {
    JPQD_CHECK(stack_.size() < kMaxStack, FormatError, path_, ": pickle stack too deep");
    stack_.push_back(std::move(v));
  }
  ValuePtr top() {
    JPQD_CHECK(!stack_.empty(), FormatError, path_, ": pickle stack underflow");
    return stack_.back();
  }
  ValuePtr pop() {
    auto v = top();
    stack_.pop_back();
    JPQD_CHECK(v->kind != Value::kMark, FormatError, path_, ": unexpected MARK in pickle");
    return v;
  }
  std::vector<ValuePtr> pop_n(size_t n) {
    std::vector<ValuePtr> out(n);
    for (size_t i = n; i-- > 0;) out[i] = pop();
    return out;
  }
  std::vector<ValuePtr> pop_mark() {
    std::vector<ValuePtr> out;
    while (true) {
      JPQD_CHECK(!stack_.empty(), FormatError, path_, ": pickle MARK missing");
      auto v = stack_.back();
      stack_.pop_back();
      if (v->kind == Value::kMark) break;
      out.push_back(v);
    }
    return {out.rbegin(), out.rend()};
  }
  ValuePtr tuple(std::vector<ValuePtr> items) {
    auto v = make(Value::kTuple);
    v->items = std::move(items);
    return v;
  }
  ValuePtr expect(const ValuePtr& v, Value::Kind kind, const char* what) {
    JPQD_CHECK(v->kind == kind, FormatError, path_, ": unexpected value for ", what, " (not a plain state dict)");
    return v;
  }
  int64_t as_int(const ValuePtr& v, const char* what) { return expect(v, Value::kInt, what)->i; }

  ValuePtr persistent(const ValuePtr& pid) {
    expect(pid, Value::kTuple, "persistent id");
    JPQD_CHECK(pid->items.size() >= 5 && pid->items[0]->kind == Value::kString && pid->items[0]->s == "storage",
               FormatError, path_, ": unsupported persistent id");
    const torch::Dtype dtype = storage_dtype(expect(pid->items[1], Value::kGlobal, "storage type")->s, path_);
    const std::string key = expect(pid->items[2], Value::kString, "storage key")->s;
    auto cached = storages_.find(key);
    if (cached != storages_.end()) return cached->second;
    const std::string record = "data/" + key;
    JPQD_CHECK(key.find('/') == std::string::npos && zip_.hasRecord(record), FormatError, path_, ": storage ", key,
               " has no record in the archive");
    auto [data, bytes] = zip_.getRecord(record);
    const size_t item = c10::elementSize(dtype);
    JPQD_CHECK(bytes % item == 0, FormatError, path_, ": storage ", key, " has ", bytes, " bytes, not a multiple of ",
               item);
    auto v = make(Value::kStorage);
    v->tensor = torch::empty({static_cast<int64_t>(bytes / item)}, torch::TensorOptions().dtype(dtype));
    if (bytes) std::memcpy(v->tensor.data_ptr(), data.get(), bytes);
    storages_[key] = v;
    return v;
  }

  std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what) {
    expect(v, Value::kTuple, what);
    JPQD_CHECK(static_cast<int64_t>(v->items.size()) <= kMaxDims, FormatError, path_, ": ", what, " has too many dims");
    std::vector<int64_t> out;
    for (const auto& e : v->items) {
      out.push_back(as_int(e, what));
      JPQD_CHECK(out.back() >= 0, FormatError, path_, ": negative ", what, " ", out.back());
    }
    return out;
  }

  ValuePtr reduce(const std::string& fn, const std::vector<ValuePtr>& args) {
    if (fn == "collections OrderedDict") return make(Value::kDict);
    if (fn == "torch._utils _rebuild_parameter") {
      JPQD_CHECK(!args.empty(), FormatError, path_, ": _rebuild_parameter without data");
      return expect(args[0], Value::kTensor, "parameter data");
    }
    JPQD_CHECK(fn == "torch._utils _rebuild_tensor_v2", FormatError, path_, ": unsupported pickle global \"", fn,
               "\" (only plain state dicts of tensors are read)");
    JPQD_CHECK(args.size() >= 4, FormatError, path_, ": _rebuild_tensor_v2 with ", args.size(), " arguments");
    const torch::Tensor storage = expect(args[0], Value::kStorage, "tensor storage")->tensor;
    const int64_t offset = as_int(args[1], "storage offset");
    const auto size = int_tuple(args[2], "size");
    const auto stride = int_tuple(args[3], "stride");
    JPQD_CHECK(size.size() == stride.size() && offset >= 0, FormatError, path_, ": inconsistent tensor view");
    for (size_t d = 0; d < size.size(); ++d)
      JPQD_CHECK(size[d] >= 0 && stride[d] >= 0, FormatError, path_, ": negative size or stride in a tensor view");
    // The last element the view touches must lie inside the storage (checked without overflow).
    int64_t last = offset;
    bool empty = false;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] == 0) empty = true;
      if (size[d] > 0 && stride[d] > 0) {
        JPQD_CHECK(size[d] - 1 <= (std::numeric_limits<int64_t>::max() - last) / stride[d], FormatError, path_,
                   ": tensor view overflows");
        last += (size[d] - 1) * stride[d];
      }
    }
    JPQD_CHECK(empty || last < storage.numel(), FormatError, path_, ": tensor view [offset ", offset, ", size ",
               torch::IntArrayRef(size), ", stride ", torch::IntArrayRef(stride), "] runs past its storage of ",
               storage.numel(), " elements");
    // A view with more elements than its storage repeats elements (stride 0, e.g. expand()). Checkpoints
    // hardly ever hold one, and copying it lets a few hundred bytes of file ask for any amount of memory,
    // so such views are capped; views no larger than their storage are only bounded by the file.
    constexpr int64_t kMaxBroadcastElements = int64_t{1} << 26;
    const int64_t limit = std::max(storage.numel(), kMaxBroadcastElements);
    int64_t elements = 1;
    for (int64_t s : size)
      if (!empty) {
        JPQD_CHECK(elements <= limit / s, FormatError, path_, ": tensor view of size ", torch::IntArrayRef(size),
                   " repeats its storage of ", storage.numel(), " elements beyond ", kMaxBroadcastElements,
                   " elements");
        elements *= s;
      }
    auto v = make(Value::kTensor);
    // Contiguous, as the header promises: a plain clone() keeps a transposed view's strides.
    v->tensor = empty ? torch::empty(size, storage.options())
                      : storage.as_strided(size, stride, offset).clone(torch::MemoryFormat::Contiguous);
    return v;
  }

  std::string path_;
  caffe2::serialize::PyTorchStreamReader& zip_;
  const char* p_;
  const char* end_;
  size_t size_ = static_cast<size_t>(end_ - p_);
  std::vector<ValuePtr> stack_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::map<std::string, ValuePtr> storages_;
};

}  // namespace

NamedTensors read_torch_state_dict(const std::string& path) {
  JPQD_CHECK(file_exists(path), IoError, path, ": file not found");
  NamedTensors out;
  try {
    caffe2::serialize::PyTorchStreamReader zip(path);
    JPQD_CHECK(zip.hasRecord("data.pkl"), FormatError, path, ": not a torch.save archive (no data.pkl)");
    auto [data, size] = zip.getRecord("data.pkl");
    Unpickler unpickler(path, zip, static_cast<const char*>(data.get()), size);
    ValuePtr root = unpickler.run();
    JPQD_CHECK(root->kind == Value::kDict, FormatError, path, ": the pickled object is not a state dict");
    for (const auto& [k, v] : root->dict) {
      JPQD_CHECK(k->kind == Value::kString, FormatError, path, ": a state-dict key is not a string");
      JPQD_CHECK(v->kind == Value::kTensor, FormatError, path, ": state-dict entry ", k->s, " is not a tensor");
      out.emplace_back(k->s, v->tensor);
    }
  } catch (const c10::Error& e) {
    // The zip layer reports corrupt archives as c10::Error; keep only its first line.
    std::string msg = e.what_without_backtrace();
    throw FormatError(str_cat(path, ": not a readable torch.save zip archive: ", msg.substr(0, msg.find('\n'))));
  }
  return out;
}

}  // namespace jpqd::model
