// jpqd._jpqd: the Python face of jpqd's runtime, built on the public C++ API only (jpqd/runtime.h,
// jpqd/tokenizer.h), linked against libjpqd_runtime.so. The user-facing classes (jpqd.Model, jpqd.Tokenizer,
// jpqd.Prediction) are thin Python wrappers in jpqd/__init__.py; this module does the work:
//  - Python inputs are checked and copied while the GIL is held, with one-line TypeErrors naming the bad
//    item; then the GIL is released for tokenization and inference, so other Python threads run meanwhile;
//  - jpqd::Error subclasses become jpqd.Error subclasses carrying the same one-line message;
//  - offsets are converted from UTF-8 bytes to the str indices Python (and `tokenizers`) use.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <vector>

#include <jpqd/runtime.h>
#include <jpqd/tokenizer.h>

namespace py = pybind11;

namespace {

// jpqd.Error and its subclasses; created once at import, alive as long as the process (module-level).
struct ErrorClasses {
  PyObject* error = nullptr;
  PyObject* invalid_argument = nullptr;
  PyObject* io_error = nullptr;
  PyObject* format_error = nullptr;
  PyObject* numerical_error = nullptr;
};
ErrorClasses errors;

// A class that is both jpqd.<name> (a jpqd.Error) and the Python built-in a caller would catch for it.
PyObject* new_error(py::module_& m, const char* name, PyObject* base, PyObject* builtin, const char* doc) {
  const std::string qualified = std::string("jpqd.") + name;
  py::object bases = builtin ? py::make_tuple(py::handle(base), py::handle(builtin)) : py::make_tuple(py::handle(base));
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module keeps a reference
  return cls;
}

void register_errors(py::module_& m) {
  errors.error = new_error(m, "Error", PyExc_RuntimeError, nullptr,
                           "Every error jpqd raises for outside input; str(e) is the one line the CLI prints.");
  errors.invalid_argument = new_error(m, "InvalidArgument", errors.error, PyExc_ValueError,
                                      "A bad argument, flag, config value or input.");
  errors.io_error = new_error(m, "IoError", errors.error, PyExc_OSError, "A missing, unreadable or unwritable file.");
  errors.format_error = new_error(m, "FormatError", errors.error, PyExc_ValueError,
                                  "A file whose content is corrupt or inconsistent.");
  errors.numerical_error = new_error(m, "NumericalError", errors.error, PyExc_ArithmeticError,
                                     "NaN or Inf where training cannot go on.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const jpqd::InvalidArgument& e) {
      PyErr_SetString(errors.invalid_argument, e.what());
    } catch (const jpqd::IoError& e) {
      PyErr_SetString(errors.io_error, e.what());
    } catch (const jpqd::FormatError& e) {
      PyErr_SetString(errors.format_error, e.what());
    } catch (const jpqd::NumericalError& e) {
      PyErr_SetString(errors.numerical_error, e.what());
    } catch (const jpqd::Error& e) {
      PyErr_SetString(errors.error, e.what());
    }
  });
}

// `what`[i] must be a str; a one-line TypeError naming the item otherwise. A single str is a list of one.
std::vector<std::string> strings(const py::handle& obj, const char* what) {
  if (PyUnicode_Check(obj.ptr())) return {obj.cast<std::string>()};
  if (!PyList_Check(obj.ptr()) && !PyTuple_Check(obj.ptr()))
    throw py::type_error(std::string(what) + " must be a list of str, not " + Py_TYPE(obj.ptr())->tp_name);
  py::sequence seq = py::reinterpret_borrow<py::sequence>(obj);
  std::vector<std::string> out;
  out.reserve(seq.size());
  for (size_t i = 0; i < seq.size(); ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(obj.ptr(), static_cast<Py_ssize_t>(i));
    if (!PyUnicode_Check(item))
      throw py::type_error(std::string(what) + "[" + std::to_string(i) + "] is " + Py_TYPE(item)->tp_name +
                           ", not str");
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(item, &size);
    if (!utf8) throw py::error_already_set();  // lone surrogates cannot be UTF-8
    out.emplace_back(utf8, static_cast<size_t>(size));
  }
  return out;
}

// Byte offset -> index of the code point it starts, for offsets into one UTF-8 text.
class CharIndex {
 public:
  explicit CharIndex(const std::string& text) {
    bool ascii = true;
    for (unsigned char c : text) ascii = ascii && c < 0x80;
    if (ascii) return;
    index_.resize(text.size() + 1);
    int64_t chars = 0;
    for (size_t b = 0; b < text.size(); ++b) {
      index_[b] = chars;
      if ((static_cast<unsigned char>(text[b]) & 0xC0) != 0x80) ++chars;  // a lead byte starts a code point
      else index_[b] = chars - 1;
    }
    index_[text.size()] = chars;
  }
  int64_t operator()(int64_t byte) const {
    return index_.empty() ? byte : index_[static_cast<size_t>(byte)];
  }

 private:
  std::vector<int64_t> index_;  // empty: ASCII, bytes are characters
};

template <typename T>
py::array_t<T> array_2d(const std::vector<T>& values, int64_t rows, int64_t cols) {
  py::array_t<T> a({rows, cols});
  if (!values.empty()) std::memcpy(a.mutable_data(), values.data(), values.size() * sizeof(T));
  return a;
}

py::dict info_dict(const jpqd::runtime::ModelInfo& i) {
  py::dict d;
  d["task"] = i.task == jpqd::runtime::Task::kQuestionAnswering ? "question_answering" : "sequence_classification";
  d["num_labels"] = i.num_labels;
  d["labels"] = i.labels;
  d["problem_type"] = i.problem_type;
  d["model_type"] = i.model_type;
  d["hidden_size"] = i.hidden_size;
  d["num_layers"] = i.num_layers;
  d["vocab_size"] = i.vocab_size;
  d["max_sequence_length"] = i.max_sequence_length;
  d["heads_per_layer"] = i.heads_per_layer;
  d["ffn_per_layer"] = i.ffn_per_layer;
  d["int8"] = i.int8;
  d["file_bytes"] = i.file_bytes;
  return d;
}

jpqd::runtime::PerformanceHint hint_named(const std::string& hint) {
  if (hint == "latency") return jpqd::runtime::PerformanceHint::kLatency;
  if (hint == "throughput") return jpqd::runtime::PerformanceHint::kThroughput;
  throw jpqd::InvalidArgument("hint must be \"latency\" or \"throughput\", got \"" + hint + "\"");
}

jpqd::Truncation truncation_named(const std::string& name) {
  if (name == "longest_first") return jpqd::Truncation::kLongestFirst;
  if (name == "only_first") return jpqd::Truncation::kOnlyFirst;
  if (name == "only_second") return jpqd::Truncation::kOnlySecond;
  if (name == "do_not_truncate") return jpqd::Truncation::kNone;
  throw jpqd::InvalidArgument("truncation strategy must be longest_first, only_first, only_second or "
                              "do_not_truncate, got \"" + name + "\"");
}

jpqd::Padding padding_named(const std::string& name) {
  if (name == "do_not_pad") return jpqd::Padding::kNone;
  if (name == "max_length") return jpqd::Padding::kMaxLength;
  if (name == "longest") return jpqd::Padding::kLongest;
  throw jpqd::InvalidArgument("padding must be do_not_pad, max_length or longest, got \"" + name + "\"");
}

// An Encoding with str offsets, as `tokenizers` gives them.
struct PyEncoding {
  jpqd::Encoding e;
  std::vector<std::pair<int64_t, int64_t>> offsets;
};

PyEncoding py_encoding(jpqd::Encoding&& e, const std::string& text, const std::string* pair) {
  PyEncoding out;
  const CharIndex first(text);
  const CharIndex second(pair ? *pair : std::string());
  out.offsets.reserve(e.offsets.size());
  for (size_t i = 0; i < e.offsets.size(); ++i) {
    const CharIndex& index = e.sequence_ids[i] == 1 ? second : first;
    out.offsets.emplace_back(index(e.offsets[i].first), index(e.offsets[i].second));
  }
  out.e = std::move(e);
  return out;
}

class PyTokenizer {
 public:
  explicit PyTokenizer(jpqd::Tokenizer t) : t_(std::move(t)) {}

  std::vector<PyEncoding> encode_batch(const py::handle& input, int64_t max_length, const std::string& truncation,
                                       const std::string& padding, bool add_special_tokens) const {
    // Items are str or (str, str), as `tokenizers`' encode_batch takes them.
    if (!PyList_Check(input.ptr()) && !PyTuple_Check(input.ptr()))
      throw py::type_error(std::string("encode_batch: input must be a list, not ") + Py_TYPE(input.ptr())->tp_name);
    std::vector<std::string> texts, pairs;
    const auto n = static_cast<size_t>(PySequence_Fast_GET_SIZE(input.ptr()));
    size_t with_pairs = 0;
    for (size_t i = 0; i < n; ++i) {
      py::handle item = PySequence_Fast_GET_ITEM(input.ptr(), static_cast<Py_ssize_t>(i));
      if (PyUnicode_Check(item.ptr())) {
        texts.push_back(strings(item, "encode_batch: input").front());
        pairs.emplace_back();
        continue;
      }
      if (!PyTuple_Check(item.ptr()) && !PyList_Check(item.ptr()))
        throw py::type_error("encode_batch: input[" + std::to_string(i) + "] is " + Py_TYPE(item.ptr())->tp_name +
                             ", not str or a (str, str) pair");
      const std::vector<std::string> two = strings(item, ("encode_batch: input[" + std::to_string(i) + "]").c_str());
      if (two.size() != 2)
        throw py::type_error("encode_batch: input[" + std::to_string(i) + "] has " + std::to_string(two.size()) +
                             " texts, not 2");
      texts.push_back(two[0]);
      pairs.push_back(two[1]);
      ++with_pairs;
    }
    if (with_pairs != 0 && with_pairs != n)
      throw jpqd::InvalidArgument("encode_batch: mixes single texts and pairs");
    if (with_pairs == 0) pairs.clear();
    const jpqd::EncodeOptions options = encode_options(max_length, truncation, padding, add_special_tokens);
    std::vector<jpqd::Encoding> encodings;
    {
      py::gil_scoped_release release;
      encodings = t_.encode_batch(texts, pairs, options);
    }
    std::vector<PyEncoding> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i)
      out.push_back(py_encoding(std::move(encodings[i]), texts[i], pairs.empty() ? nullptr : &pairs[i]));
    return out;
  }

  PyEncoding encode(const std::string& text, const std::optional<std::string>& pair, int64_t max_length,
                    const std::string& truncation, const std::string& padding, bool add_special_tokens) const {
    const jpqd::EncodeOptions options = encode_options(max_length, truncation, padding, add_special_tokens);
    jpqd::Encoding e = t_.encode(text, pair, options);
    return py_encoding(std::move(e), text, pair ? &*pair : nullptr);
  }

  const jpqd::Tokenizer& tokenizer() const { return t_; }

 private:
  static jpqd::EncodeOptions encode_options(int64_t max_length, const std::string& truncation,
                                            const std::string& padding, bool add_special_tokens) {
    jpqd::EncodeOptions o;
    o.max_length = max_length;
    o.truncation = truncation_named(truncation);
    o.padding = padding_named(padding);
    o.add_special_tokens = add_special_tokens;
    return o;
  }

  jpqd::Tokenizer t_;
};

py::dict predictions_dict(const jpqd::runtime::Predictions& p, const std::vector<std::string>& pairs,
                          const jpqd::runtime::ModelInfo& info) {
  py::dict d;
  if (p.task == jpqd::runtime::Task::kSequenceClassification) {
    d["logits"] = array_2d(p.logits, p.count, p.num_labels);
    if (!p.labels.empty()) {
      py::array_t<int64_t> labels(p.count);
      std::memcpy(labels.mutable_data(), p.labels.data(), p.labels.size() * sizeof(int64_t));
      d["labels"] = labels;
      py::list names;
      for (int64_t l : p.labels)
        names.append(info.labels.empty() ? py::str(std::to_string(l)) : py::str(info.labels[static_cast<size_t>(l)]));
      d["label_names"] = names;
    }
    return d;
  }
  d["start_logits"] = array_2d(p.start_logits, p.count, p.seq_len);
  d["end_logits"] = array_2d(p.end_logits, p.count, p.seq_len);
  py::array_t<int64_t> starts(p.count), ends(p.count), start_tokens(p.count), end_tokens(p.count);
  py::array_t<float> scores(p.count);
  py::list answers;
  for (int64_t i = 0; i < p.count; ++i) {
    const jpqd::runtime::Span& s = p.spans[static_cast<size_t>(i)];
    const CharIndex index(pairs[static_cast<size_t>(i)]);
    starts.mutable_at(i) = index(s.start_byte);
    ends.mutable_at(i) = index(s.end_byte);
    start_tokens.mutable_at(i) = s.start_token;
    end_tokens.mutable_at(i) = s.end_token;
    scores.mutable_at(i) = s.score;
    answers.append(py::str(s.text));
  }
  d["answers"] = answers;
  d["starts"] = starts;
  d["ends"] = ends;
  d["start_tokens"] = start_tokens;
  d["end_tokens"] = end_tokens;
  d["scores"] = scores;
  return d;
}

class PySession {
 public:
  PySession(const std::string& path, int threads, int streams, const std::string& hint)
      : session_(open(path, threads, streams, hint)) {}

  py::dict predict(const py::handle& texts_obj, const py::handle& pairs_obj, int64_t batch_size, int64_t max_length,
                   int64_t max_answer_length) const {
    const std::vector<std::string> texts = strings(texts_obj, "predict: texts");
    const std::vector<std::string> pairs =
        pairs_obj.is_none() ? std::vector<std::string>() : strings(pairs_obj, "predict: pairs");
    jpqd::runtime::PredictOptions options;
    options.batch_size = batch_size;
    options.max_length = max_length;
    options.max_answer_length = max_answer_length;
    jpqd::runtime::Predictions p;
    {
      py::gil_scoped_release release;
      p = session_.predict(texts, pairs, options);
    }
    return predictions_dict(p, pairs, session_.model().info());
  }

  py::object run(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& ids,
                 const py::object& mask_obj, const py::object& types_obj) const {
    if (ids.ndim() != 2) throw jpqd::InvalidArgument("run: input_ids must be 2-D [batch, seq_len], got " +
                                                     std::to_string(ids.ndim()) + "-D");
    const int64_t batch = ids.shape(0), seq_len = ids.shape(1);
    const auto same_shape = [&](const py::object& obj, const char* name) {
      if (obj.is_none()) return std::vector<int64_t>();
      auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(obj);
      if (!a) throw py::type_error(std::string("run: ") + name + " must be an integer array");
      if (a.ndim() != 2 || a.shape(0) != batch || a.shape(1) != seq_len)
        throw jpqd::InvalidArgument(std::string("run: ") + name + " must have input_ids' shape [" +
                                    std::to_string(batch) + ", " + std::to_string(seq_len) + "]");
      return std::vector<int64_t>(a.data(), a.data() + a.size());
    };
    const std::vector<int64_t> input(ids.data(), ids.data() + ids.size());
    const std::vector<int64_t> mask = same_shape(mask_obj, "attention_mask");
    const std::vector<int64_t> types = same_shape(types_obj, "token_type_ids");
    jpqd::runtime::Logits out;
    {
      py::gil_scoped_release release;
      out = session_.run(input, mask, types, batch, seq_len);
    }
    if (out.task == jpqd::runtime::Task::kQuestionAnswering)
      return py::make_tuple(array_2d(out.start_logits, batch, seq_len), array_2d(out.end_logits, batch, seq_len));
    return array_2d(out.logits, batch, out.num_labels);
  }

  py::dict info() const { return info_dict(session_.model().info()); }
  PyTokenizer tokenizer() const { return PyTokenizer(session_.model().tokenizer()); }
  py::tuple plan() const { return py::make_tuple(session_.plan().streams, session_.plan().threads_per_stream); }

 private:
  static jpqd::runtime::Session open(const std::string& path, int threads, int streams, const std::string& hint) {
    if (threads < 0 || streams < 0)
      throw jpqd::InvalidArgument("threads (" + std::to_string(threads) + ") and streams (" +
                                  std::to_string(streams) + ") must not be negative");
    jpqd::runtime::SessionOptions options;
    options.hint = hint_named(hint);
    options.threads = threads;
    options.streams = streams;
    py::gil_scoped_release release;
    return jpqd::runtime::Session::open(path, options);
  }

  jpqd::runtime::Session session_;
};

}  // namespace

PYBIND11_MODULE(_jpqd, m) {
  m.doc() = "jpqd's runtime (no LibTorch); use the jpqd package rather than this module";
  register_errors(m);

  py::class_<PyEncoding>(m, "Encoding", "One encoded text or pair, as tokenizers.Encoding")
      .def_property_readonly("ids", [](const PyEncoding& e) { return e.e.ids; })
      .def_property_readonly("type_ids", [](const PyEncoding& e) { return e.e.type_ids; })
      .def_property_readonly("tokens", [](const PyEncoding& e) { return e.e.tokens; })
      .def_property_readonly("offsets", [](const PyEncoding& e) { return e.offsets; },
                             "[begin, end) str indices into the text (or pair) each token came from")
      .def_property_readonly("attention_mask", [](const PyEncoding& e) { return e.e.attention_mask; })
      .def_property_readonly("special_tokens_mask", [](const PyEncoding& e) { return e.e.special_tokens_mask; })
      .def_property_readonly("sequence_ids", [](const PyEncoding& e) {
        py::list out;  // None for special tokens, as tokenizers
        for (int s : e.e.sequence_ids) out.append(s < 0 ? py::none() : py::object(py::int_(s)));
        return out;
      })
      .def("__len__", [](const PyEncoding& e) { return e.e.size(); })
      .def("__repr__", [](const PyEncoding& e) {
        return "Encoding(num_tokens=" + std::to_string(e.e.size()) + ")";
      });

  py::class_<PyTokenizer>(m, "Tokenizer")
      .def_static("from_model", [](const std::string& path) { return PyTokenizer(jpqd::Tokenizer::from_model(path)); })
      .def_static("from_directory",
                  [](const std::string& dir) { return PyTokenizer(jpqd::Tokenizer::from_directory(dir)); })
      .def("encode", &PyTokenizer::encode)
      .def("encode_batch", &PyTokenizer::encode_batch)
      .def("token_to_id", [](const PyTokenizer& t, const std::string& token) { return t.tokenizer().token_to_id(token); })
      .def("id_to_token", [](const PyTokenizer& t, int64_t id) { return t.tokenizer().id_to_token(id); })
      .def("get_vocab_size", [](const PyTokenizer& t) { return t.tokenizer().vocab_size(); })
      .def_property_readonly("model_max_length", [](const PyTokenizer& t) { return t.tokenizer().model_max_length(); })
      .def_property_readonly("pad_id", [](const PyTokenizer& t) { return t.tokenizer().pad_id(); });

  py::class_<PySession>(m, "Session")
      .def(py::init<const std::string&, int, int, const std::string&>())
      .def("predict", &PySession::predict)
      .def("run", &PySession::run)
      .def_property_readonly("info", &PySession::info)
      .def_property_readonly("plan", &PySession::plan)
      .def("tokenizer", &PySession::tokenizer);

  m.def(
      "run_command",
      [](const std::vector<std::string>& args) {
        py::gil_scoped_release release;
        jpqd::runtime::run_command(args);
      },
      "Runs a deployment command of the jpqd CLI (eval, benchmark, inspect, tokenize)");
  m.def("effective_isa", &jpqd::runtime::effective_isa);
  m.def("available_cores", &jpqd::runtime::available_cores);
  m.attr("MAX_BATCH_SIZE") = jpqd::runtime::kMaxBatchSize;
}
