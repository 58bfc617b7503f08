// NNCF scope strings: "{re}<regex>" is searched in a node's scope (as NNCF's re.search does; RE2
// syntax, which is Python's without backreferences and lookaround); any other string must equal the
// scope exactly.
#pragma once

#include <string>
#include <vector>

#include "common/json_util.h"
#include "model/model_graph.h"

namespace jpqd::compression {

bool scope_matches(const std::string& pattern, const std::string& scope);
bool any_scope_matches(const std::vector<std::string>& patterns, const std::string& scope);

// Throws InvalidArgument("<where>: scope \"<p>\" matches no node of the model") for the first pattern
// that selects nothing in `graph`, as NNCF's check_scopes_in_graph does for an algorithm's scopes unless
// its validate_scopes is false; jpqd applies it to every scope list a config has, so a typo is never silent.
void require_scopes_match(const std::vector<std::string>& patterns, const model::ModelGraph& graph,
                          const std::string& where);

// A string or a list of strings, as NNCF accepts for target_scopes / ignored_scopes.
std::vector<std::string> parse_scope_list(const Json& value, const std::string& where);

}  // namespace jpqd::compression
