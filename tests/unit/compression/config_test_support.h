// Shared by the config parser tests: a parser must refuse a JSON value with an error naming what is wrong.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "common/error.h"
#include "common/json_util.h"

namespace jpqd::compression::testing {

// Config::parse(json, where) throws InvalidArgument whose message contains every fragment.
template <typename Config>
void expect_parse_error(const Json& json, const std::string& where, std::initializer_list<std::string> fragments) {
  try {
    Config::parse(json, where);
    FAIL() << "no error for " << json.dump();
  } catch (const InvalidArgument& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

}  // namespace jpqd::compression::testing
