#include "common/json_util.h"

#include <cmath>

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd {

Json parse_json(const std::string& text, const std::string& what, int max_depth) {
  int depth = 0;
  bool too_deep = false;
  Json::parser_callback_t guard = [&](int d, Json::parse_event_t event, Json&) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      depth = d;
      if (d >= max_depth) too_deep = true;
    }
    return !too_deep;
  };
  Json result;
  try {
    result = Json::parse(text, guard);
  } catch (const Json::parse_error& e) {
    throw FormatError(str_cat(what, ": invalid JSON at byte ", e.byte, ": ", e.what()));
  } catch (const Json::out_of_range& e) {
    // A number beyond double's range (1e400) is reported by the parser as out_of_range, not parse_error.
    throw FormatError(str_cat(what, ": invalid JSON: ", e.what()));
  }
  JPQD_CHECK(!too_deep, FormatError, what, ": JSON nested deeper than ", max_depth, " levels");
  return result;
}

Json read_json_file(const std::string& path) { return parse_json(read_text_file(path), path); }

void reject_unknown_keys(const Json& object, const std::set<std::string>& allowed, const std::string& where) {
  JPQD_CHECK(object.is_object(), InvalidArgument, where, ": expected a JSON object, got ", object.type_name());
  for (const auto& item : object.items()) {
    if (allowed.count(item.key()) == 0) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      throw InvalidArgument(str_cat(where, ": unknown key \"", item.key(), "\" (known keys: ", known, ")"));
    }
  }
}

namespace {
const Json& require(const Json& object, const std::string& key, const std::string& where) {
  auto it = object.find(key);
  JPQD_CHECK(it != object.end(), InvalidArgument, where, ": missing required key \"", key, "\"");
  return *it;
}
}  // namespace

double get_number(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require(object, key, where);
  JPQD_CHECK(v.is_number(), InvalidArgument, where, ".", key, ": expected a number, got ", v.dump());
  return v.get<double>();
}

int64_t get_int(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require(object, key, where);
  // The range test comes first: casting a double outside int64's range (1e308) is undefined behaviour.
  JPQD_CHECK(v.is_number_integer() || (v.is_number_float() && std::fabs(v.get<double>()) < 9.2e18 &&
                                       v.get<double>() == static_cast<int64_t>(v.get<double>())),
             InvalidArgument, where, ".", key, ": expected an integer, got ", v.dump());
  return v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>());
}

bool get_bool(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require(object, key, where);
  JPQD_CHECK(v.is_boolean(), InvalidArgument, where, ".", key, ": expected true or false, got ", v.dump());
  return v.get<bool>();
}

std::string get_string(const Json& object, const std::string& key, const std::string& where) {
  const Json& v = require(object, key, where);
  JPQD_CHECK(v.is_string(), InvalidArgument, where, ".", key, ": expected a string, got ", v.dump());
  return v.get<std::string>();
}

}  // namespace jpqd
