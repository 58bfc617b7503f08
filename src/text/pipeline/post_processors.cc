#include "text/pipeline/post_processors.h"

#include <algorithm>
#include <map>

#include "common/error.h"

namespace jpqd::text::pipeline {
namespace {

EncodedText concatenated(std::vector<EncodedText>& encodings) {
  EncodedText out = std::move(encodings.front());
  for (size_t k = 1; k < encodings.size(); ++k) out.append(std::move(encodings[k]));
  return out;
}

// `return {out}` would copy out, token strings and all: an initializer list holds copies.
std::vector<EncodedText> only(EncodedText out) {
  std::vector<EncodedText> one;
  one.push_back(std::move(out));
  return one;
}

// [CLS] A [SEP] (B [SEP]) with B's part typed 1 (BERT), or <s> A </s> (</s> B </s>) all typed 0
// (RoBERTa).
class ClsSepProcessing : public PostProcessor {
 public:
  ClsSepProcessing(SpecialToken sep, SpecialToken cls, bool roberta)
      : sep_(std::move(sep)), cls_(std::move(cls)), roberta_(roberta) {}

  size_t added_tokens(bool pair) const override { return pair ? (roberta_ ? 4 : 3) : 2; }

  std::vector<EncodedText> process(std::vector<EncodedText> encodings, bool add_special_tokens) const override {
    if (roberta_) {
      for (EncodedText& e : encodings) e.set_type_ids(0);
    }
    if (!add_special_tokens) return only(concatenated(encodings));
    // Around the first text in place: shifting its tokens by one costs less than copying them.
    EncodedText out = std::move(encodings[0]);
    out.prepend_special(cls_.second, cls_.first, 0);
    out.add_special(sep_.second, sep_.first, 0);
    if (encodings.size() > 1) {
      const int64_t pair_type = roberta_ ? 0 : 1;
      if (roberta_) out.add_special(sep_.second, sep_.first, 0);
      EncodedText second = std::move(encodings[1]);
      second.set_type_ids(pair_type);
      out.append(std::move(second));
      out.add_special(sep_.second, sep_.first, pair_type);
    }
    return only(std::move(out));
  }

 private:
  SpecialToken sep_, cls_;
  bool roberta_;
};

// ByteLevel as a post-processor only trims offsets, which jpqd does not do: the ids are unchanged.
class PassThroughProcessing : public PostProcessor {
 public:
  size_t added_tokens(bool) const override { return 0; }
  std::vector<EncodedText> process(std::vector<EncodedText> encodings, bool) const override { return encodings; }
};

class TemplateProcessing : public PostProcessor {
 public:
  struct Piece {
    bool is_sequence;
    int sequence;         // 0 for A, 1 for B
    std::string special;  // key into specials_
    int64_t type_id;
  };
  struct Special {
    std::vector<int64_t> ids;
    std::vector<std::string> tokens;
  };

  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, std::map<std::string, Special> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const Piece& p : is_pair ? pair_ : single_) {
      if (!p.is_sequence) n += specials_.at(p.special).ids.size();
    }
    return n;
  }

  std::vector<EncodedText> process(std::vector<EncodedText> encodings, bool add_special_tokens) const override {
    const std::vector<Piece>& pieces = encodings.size() > 1 ? pair_ : single_;
    EncodedText out;
    for (auto p = pieces.begin(); p != pieces.end(); ++p) {
      if (p->is_sequence) {
        if (static_cast<size_t>(p->sequence) >= encodings.size()) continue;
        // A template may name a text twice; only its last use can take it.
        const bool used_again = std::any_of(p + 1, pieces.end(), [&](const Piece& q) {
          return q.is_sequence && q.sequence == p->sequence;
        });
        EncodedText& text = encodings[static_cast<size_t>(p->sequence)];
        EncodedText part = used_again ? text : std::move(text);
        part.set_type_ids(p->type_id);
        out.append(std::move(part));
      } else if (add_special_tokens) {
        const Special& s = specials_.at(p->special);
        for (size_t k = 0; k < s.ids.size(); ++k) out.add_special(s.ids[k], s.tokens[k], p->type_id);
      }
    }
    return only(std::move(out));
  }

 private:
  std::vector<Piece> single_, pair_;
  std::map<std::string, Special> specials_;
};

class SequenceProcessing : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<PostProcessorPtr> steps) : steps_(std::move(steps)) {}
  size_t added_tokens(bool pair) const override {
    size_t n = 0;
    for (const PostProcessorPtr& s : steps_) n += s->added_tokens(pair);
    return n;
  }
  std::vector<EncodedText> process(std::vector<EncodedText> encodings, bool add_special_tokens) const override {
    for (const PostProcessorPtr& s : steps_) encodings = s->process(std::move(encodings), add_special_tokens);
    return encodings;
  }

 private:
  std::vector<PostProcessorPtr> steps_;
};

SpecialToken special_from_json(const Json& json, const char* key, const std::string& at) {
  JPQD_CHECK(json.contains(key) && json[key].is_array() && json[key].size() == 2 && json[key][0].is_string() &&
                 json[key][1].is_number_integer(),
             InvalidArgument, at, ": \"", key, "\" must be [token, id]");
  return {json[key][0].get<std::string>(), json[key][1].get<int64_t>()};
}

std::vector<TemplateProcessing::Piece> template_from_json(const Json& json, const char* key, const std::string& at,
                                                          const std::map<std::string, TemplateProcessing::Special>& specials) {
  JPQD_CHECK(json.contains(key) && json[key].is_array(), InvalidArgument, at, ": \"", key, "\" must be an array");
  std::vector<TemplateProcessing::Piece> pieces;
  for (const Json& item : json[key]) {
    JPQD_CHECK(item.is_object() && item.size() == 1, InvalidArgument, at, ": template piece ", item.dump(),
               " is not {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    const std::string kind = item.begin().key();
    const Json& body = item.begin().value();
    const int64_t type_id = body.contains("type_id") ? get_int(body, "type_id", at) : 0;
    if (kind == "Sequence") {
      const std::string id = get_string(body, "id", at);
      JPQD_CHECK(id == "A" || id == "B", InvalidArgument, at, ": template sequence \"", id, "\" is not A or B");
      pieces.push_back({true, id == "A" ? 0 : 1, "", type_id});
    } else if (kind == "SpecialToken") {
      const std::string id = get_string(body, "id", at);
      JPQD_CHECK(specials.count(id) == 1, InvalidArgument, at, ": template names special token \"", id,
                 "\", which special_tokens does not define");
      pieces.push_back({false, 0, id, type_id});
    } else {
      throw InvalidArgument(str_cat(at, ": unknown template piece \"", kind, "\""));
    }
  }
  return pieces;
}

}  // namespace

PostProcessorPtr make_bert_processing(SpecialToken sep, SpecialToken cls) {
  return std::make_shared<ClsSepProcessing>(std::move(sep), std::move(cls), false);
}

PostProcessorPtr make_roberta_processing(SpecialToken sep, SpecialToken cls) {
  return std::make_shared<ClsSepProcessing>(std::move(sep), std::move(cls), true);
}

PostProcessorPtr post_processor_from_json(const Json& json, const std::string& where) {
  if (json.is_null()) return nullptr;
  JPQD_CHECK(json.is_object() && json.contains("type") && json["type"].is_string(), InvalidArgument, where,
             ": post_processor without a \"type\": ", json.dump().substr(0, 200));
  const std::string type = json["type"].get<std::string>();
  const std::string at = str_cat(where, ": post_processor ", type);
  if (type == "BertProcessing") return make_bert_processing(special_from_json(json, "sep", at), special_from_json(json, "cls", at));
  if (type == "RobertaProcessing") {
    return make_roberta_processing(special_from_json(json, "sep", at), special_from_json(json, "cls", at));
  }
  if (type == "ByteLevel") return std::make_shared<PassThroughProcessing>();
  if (type == "TemplateProcessing") {
    std::map<std::string, TemplateProcessing::Special> specials;
    if (json.contains("special_tokens")) {
      JPQD_CHECK(json["special_tokens"].is_object(), InvalidArgument, at, ": \"special_tokens\" must be an object");
      for (const auto& item : json["special_tokens"].items()) {
        const Json& s = item.value();
        JPQD_CHECK(s.contains("ids") && s["ids"].is_array() && s.contains("tokens") && s["tokens"].is_array() &&
                       s["ids"].size() == s["tokens"].size(),
                   InvalidArgument, at, ": special token \"", item.key(), "\" needs \"ids\" and \"tokens\" of one length");
        TemplateProcessing::Special special;
        for (const Json& id : s["ids"]) {
          JPQD_CHECK(id.is_number_integer(), InvalidArgument, at, ": special token \"", item.key(), "\" has id ",
                     id.dump(), ", not an integer");
          special.ids.push_back(id.get<int64_t>());
        }
        for (const Json& t : s["tokens"]) {
          JPQD_CHECK(t.is_string(), InvalidArgument, at, ": special token \"", item.key(), "\" has token ", t.dump(),
                     ", not a string");
          special.tokens.push_back(t.get<std::string>());
        }
        specials[item.key()] = std::move(special);
      }
    }
    auto single = template_from_json(json, "single", at, specials);
    auto pair = template_from_json(json, "pair", at, specials);
    return std::make_shared<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
  }
  if (type == "Sequence") {
    JPQD_CHECK(json.contains("processors") && json["processors"].is_array(), InvalidArgument, at,
               ": missing \"processors\" array");
    std::vector<PostProcessorPtr> steps;
    for (const Json& step : json["processors"]) {
      if (PostProcessorPtr p = post_processor_from_json(step, where)) steps.push_back(std::move(p));
    }
    return std::make_shared<SequenceProcessing>(std::move(steps));
  }
  throw InvalidArgument(str_cat(where, ": unsupported post_processor type \"", type,
                                "\" (supported: BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel, "
                                "Sequence)"));
}

}  // namespace jpqd::text::pipeline
