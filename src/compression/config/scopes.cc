#include "compression/config/scopes.h"

#include <re2/re2.h>

#include <map>
#include <memory>
#include <mutex>

#include "common/error.h"

namespace jpqd::compression {

namespace {

constexpr const char* kRegexPrefix = "{re}";
// NNCF's scopes are a few hundred characters at most; a bound on the length keeps a hostile config from
// costing much to compile without refusing any real one.
constexpr size_t kMaxScopeLength = 1000;

bool is_regex(const std::string& pattern) { return pattern.rfind(kRegexPrefix, 0) == 0; }

// Scopes come from configs typed by hand or downloaded. A backtracking engine (std::regex) took
// exponential time on "(a|b)*(a|b)*...x" against a node name (found by fuzz/compression_config_fuzzer.cc);
// RE2 matches in time linear in the name and compiles without deep recursion.
std::unique_ptr<RE2> compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return std::make_unique<RE2>(pattern.substr(4), options);
}

// Selecting layers matches every pattern against every graph node; compiling each regex once keeps
// that cheap. Patterns are validated when the config is parsed, so compilation here cannot fail.
const RE2& compiled(const std::string& pattern) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<RE2>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, compile(pattern)).first;
  return *it->second;
}

}  // namespace

bool scope_matches(const std::string& pattern, const std::string& scope) {
  if (!is_regex(pattern)) return pattern == scope;
  return RE2::PartialMatch(scope, compiled(pattern));
}

bool any_scope_matches(const std::vector<std::string>& patterns, const std::string& scope) {
  for (const auto& p : patterns)
    if (scope_matches(p, scope)) return true;
  return false;
}

void require_scopes_match(const std::vector<std::string>& patterns, const model::ModelGraph& graph,
                          const std::string& where) {
  for (const auto& pattern : patterns) {
    bool found = false;
    for (const auto& node : graph) {
      if (scope_matches(pattern, node.scope)) {
        found = true;
        break;
      }
    }
    JPQD_CHECK(found, InvalidArgument, where, ": scope \"", pattern, "\" matches no node of the model");
  }
}

std::vector<std::string> parse_scope_list(const Json& value, const std::string& where) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else {
    JPQD_CHECK(value.is_array(), InvalidArgument, where, ": expected a scope string or a list of them, got ",
               value.dump());
    for (size_t i = 0; i < value.size(); ++i) {
      JPQD_CHECK(value[i].is_string(), InvalidArgument, where, "[", i, "]: expected a scope string, got ",
                 value[i].dump());
      out.push_back(value[i].get<std::string>());
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    JPQD_CHECK(!out[i].empty() && out[i] != kRegexPrefix, InvalidArgument, where, ": empty scope \"", out[i], "\"");
    JPQD_CHECK(out[i].size() <= kMaxScopeLength, InvalidArgument, where, ": scope of ", out[i].size(),
               " characters is longer than the limit of ", kMaxScopeLength);
    if (!is_regex(out[i])) continue;
    const auto regex = compile(out[i]);
    JPQD_CHECK(regex->ok(), InvalidArgument, where, ": invalid regular expression in scope \"", out[i], "\": ",
               regex->error());
  }
  return out;
}

}  // namespace jpqd::compression
