// Strict JSON access: every reader of outside JSON (configs, checkpoints, metadata) names the key
// and file in its errors and rejects keys it does not know.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace jpqd {

using Json = nlohmann::json;

// Parses text; throws FormatError("<what>: invalid JSON at byte N: ...") and refuses nesting deeper
// than `max_depth` (hostile files).
Json parse_json(const std::string& text, const std::string& what, int max_depth = 64);
Json read_json_file(const std::string& path);

// Throws InvalidArgument naming `where` and the first key of `object` not in `allowed`.
void reject_unknown_keys(const Json& object, const std::set<std::string>& allowed, const std::string& where);

// Typed getters with one clear error on a wrong type.
double get_number(const Json& object, const std::string& key, const std::string& where);
int64_t get_int(const Json& object, const std::string& key, const std::string& where);
bool get_bool(const Json& object, const std::string& key, const std::string& where);
std::string get_string(const Json& object, const std::string& key, const std::string& where);

}  // namespace jpqd
