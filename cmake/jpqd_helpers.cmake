# jpqd_library(name DIR dir [TORCH] [DEPS ...]): a static library from every .cc under `dir`.
# Sources are globbed (CONFIGURE_DEPENDS) so a new file in a stage folder needs no CMake edit.
function(jpqd_library name)
  cmake_parse_arguments(ARG "TORCH" "DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_DIR}/*.cc)
  if(NOT sources)
    # A stage not written yet: keep the dependency graph whole.
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_TORCH)
    target_link_libraries(${name} PUBLIC ${TORCH_LIBRARIES})
    # torch/torch.h costs ~15 s per translation unit on two cores; precompile it once per library.
    target_precompile_headers(${name} PRIVATE <torch/torch.h>)
  endif()
endfunction()

# jpqd_test(name DIR dir DEPS ...): one GoogleTest binary per tests/unit/<stage> folder.
function(jpqd_test name)
  cmake_parse_arguments(ARG "TORCH" "DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_DIR}/*.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    JPQD_SOURCE_DIR="${CMAKE_SOURCE_DIR}" JPQD_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(ARG_TORCH)
    target_precompile_headers(${name} PRIVATE <torch/torch.h>)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES ENVIRONMENT "JPQD_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
