# Build-time habits of the LibTorch world (docs/RESULTS.md, "CI time", has the measurements behind them).
#
# A LibTorch translation unit spends its time in three places: parsing <torch/torch.h> (~30 s), generating
# code for the Torch and nlohmann::json templates it instantiates, and optimising that code. So every LibTorch
# target (libraries, tests, tools, examples, benchmarks) shares ONE precompiled <torch/torch.h>, its sources
# are compiled in unity batches (each template instantiated once per batch instead of once per file), and the
# training world is optimised at -O2: its arithmetic runs inside LibTorch, not in our code. The LibTorch-free
# deployment world keeps the Release -O3.
set(JPQD_UNITY_BATCH_SIZE 6 CACHE STRING "Sources per unity translation unit in the LibTorch targets (0: no unity build)")

# The target that owns the shared precompiled header. GCC refuses a precompiled header built with other
# position-independence flags (-fPIC against Debian's default -fPIE) or other predefined macros (-pthread's
# _REENTRANT, which RE2's pkg-config flags bring to some targets only; -fopenmp's _OPENMP, which the runtime
# passes on to whatever links it), so it and every user compile with the same three flags. No LibTorch-world
# source has an OpenMP pragma for -fopenmp to switch on.
set(JPQD_TORCH_PCH_FLAGS -fPIC -pthread -fopenmp)
function(jpqd_torch_pch_owner)
  if(TARGET jpqd_torch_pch)
    return()
  endif()
  add_library(jpqd_torch_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/torch_pch.cc)
  target_link_libraries(jpqd_torch_pch PRIVATE ${TORCH_LIBRARIES})
  target_compile_options(jpqd_torch_pch PRIVATE ${JPQD_TORCH_PCH_FLAGS} -O2)
  target_precompile_headers(jpqd_torch_pch PRIVATE <torch/torch.h>)
endfunction()

# jpqd_torch_target(target [OPTIMIZE level]): the LibTorch habits above for one target.
function(jpqd_torch_target target)
  cmake_parse_arguments(ARG "" "OPTIMIZE" "" ${ARGN})
  if(NOT ARG_OPTIMIZE)
    set(ARG_OPTIMIZE 2)
  endif()
  jpqd_torch_pch_owner()
  target_link_libraries(${target} PRIVATE ${TORCH_LIBRARIES})
  target_precompile_headers(${target} REUSE_FROM jpqd_torch_pch)
  # The last -O on the command line wins over CMAKE_BUILD_TYPE's.
  target_compile_options(${target} PRIVATE ${JPQD_TORCH_PCH_FLAGS} -O${ARG_OPTIMIZE})
  if(JPQD_UNITY_BATCH_SIZE GREATER 0)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${JPQD_UNITY_BATCH_SIZE})
  endif()
endfunction()

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
    jpqd_torch_target(${name})
  endif()
endfunction()

# jpqd_test(name DIR dir [TORCH] DEPS ...): one GoogleTest binary per tests/unit/<stage> folder. Test code is
# compiled at -O1: it only calls into the libraries, which keep their own optimisation.
function(jpqd_test name)
  cmake_parse_arguments(ARG "TORCH" "DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_DIR}/*.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  # Nothing here names the build directory: the runtime-only tree then compiles the LibTorch-free tests
  # exactly as the full tree did, and ccache serves them (scripts/setup.sh).
  target_compile_definitions(${name} PRIVATE JPQD_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  if(ARG_TORCH)
    jpqd_torch_target(${name} OPTIMIZE 1)
    # A LibTorch binary takes ~0.4 s of CPU to start (it maps and relocates some 290 shared libraries that
    # Debian's LibTorch pulls in), which with one process per test was a minute of CI: one per suite instead.
    jpqd_test_suites(${name} "JPQD_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  else()
    target_compile_options(${name} PRIVATE -O1)
    include(GoogleTest)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES ENVIRONMENT "JPQD_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  endif()
endfunction()

# jpqd_test_suites(target environment): one ctest test per GoogleTest suite of `target`, named
# <target>.<Suite>, listed after every build of the binary (cmake/list_test_suites.cmake).
function(jpqd_test_suites target environment)
  set(suites_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake)
  add_custom_command(TARGET ${target} POST_BUILD BYPRODUCTS ${suites_file}
    COMMAND ${CMAKE_COMMAND} -D TEST_EXECUTABLE=$<TARGET_FILE:${target}> -D TEST_TARGET=${target}
            -D TEST_ENVIRONMENT=${environment} -D CTEST_FILE=${suites_file}
            -P ${PROJECT_SOURCE_DIR}/cmake/list_test_suites.cmake
    VERBATIM)
  # ctest reads the list when it exists; a binary that was not built shows as one failing test.
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_suites_include.cmake)
  file(WRITE ${include_file}
    "if(EXISTS \"${suites_file}\")\n  include(\"${suites_file}\")\nelse()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
