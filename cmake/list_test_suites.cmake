# Run after a GoogleTest binary is built (jpqd_test_suites in jpqd_helpers.cmake): asks the binary for its
# tests and writes one ctest test per suite into CTEST_FILE, so that ctest starts the binary once per suite
# rather than once per test. Inputs (-D): TEST_EXECUTABLE, TEST_TARGET, TEST_ENVIRONMENT, CTEST_FILE.
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
                OUTPUT_VARIABLE listing RESULT_VARIABLE result TIMEOUT 120)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed (${result}):\n${listing}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with "." (a typed or parameterised suite adds a "# ..." note).
  if(line MATCHES "^([^ #][^ ]*)\\.( +#.*)?$")
    set(suite "${CMAKE_MATCH_1}")
    string(APPEND script
      "add_test([==[${TEST_TARGET}.${suite}]==] [==[${TEST_EXECUTABLE}]==] [==[--gtest_filter=${suite}.*]==])\n"
      "set_tests_properties([==[${TEST_TARGET}.${suite}]==] PROPERTIES ENVIRONMENT [==[${TEST_ENVIRONMENT}]==])\n")
  endif()
endforeach()
if(script STREQUAL "")
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no test suites")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
