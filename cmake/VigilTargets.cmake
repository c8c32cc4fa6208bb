# Helpers every part of the tree uses to declare plugins, tests and benchmarks.

# doctest main, shared by all unit tests.
if(NOT TARGET vigil_doctest_main)
  add_library(vigil_doctest_main STATIC ${CMAKE_SOURCE_DIR}/tests/doctest_main.cpp)
  target_link_libraries(vigil_doctest_main PUBLIC doctest::doctest)
endif()
add_custom_target(vigil_unit_tests)

# vigil_add_plugin(NAME SOURCES a.cpp b.cpp [LIBS x y] [OUTPUT_DIR d] [OUTPUT_NAME n])
# Builds build/plugins/NAME.so against the public SDK only.
function(vigil_add_plugin name)
  cmake_parse_arguments(P "" "OUTPUT_DIR;OUTPUT_NAME" "SOURCES;LIBS" ${ARGN})
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR ${VIGIL_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT P_OUTPUT_NAME)
    set(P_OUTPUT_NAME ${name})
  endif()
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" OUTPUT_NAME ${P_OUTPUT_NAME}
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${name} PRIVATE Vigil::sdk ${P_LIBS})
  # A plugin must not rely on symbols of the host.
  if(NOT VIGIL_SANITIZE)
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  add_dependencies(vigil_all_plugins ${name})
  # Plugins built into the default directory ship in vigil-agent; test plugins do not.
  if(P_OUTPUT_DIR STREQUAL VIGIL_PLUGIN_OUTPUT_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION lib/vigil/plugins COMPONENT agent
            PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endfunction()
add_custom_target(vigil_all_plugins)

# vigil_add_plugin_core(NAME SCHEMA ns::kName SOURCES a.cpp ... [LIBS x y])
# The static library holding a plugin's logic (unit-tested; src/plugin.cpp is the
# glue): its sources, the compiled settings.schema.json as ns::kName (see
# vigil_settings_schema), src/ as the public include root, the SDK, plugins/common
# and LIBS as public dependencies.
function(vigil_add_plugin_core name)
  cmake_parse_arguments(C "" "SCHEMA" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${C_SOURCES})
  vigil_settings_schema(${name} SYMBOL ${C_SCHEMA})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC Vigil::sdk vigil_plugin_common ${C_LIBS})
endfunction()

# vigil_add_unit_test(NAME [PRIVILEGED] SOURCES ... [LIBS ...])
# A doctest executable run by ctest. Label "unit": hermetic (no root, no
# namespaces, no BPF), also run under ASan/UBSan. PRIVILEGED: label
# "privileged" instead, for tests that need root, namespaces, fanotify or BPF;
# they call VIGIL_REQUIRE_ROOT() (vigil/testing/privileges.hpp) and exit 77,
# which ctest reports as skipped, when they cannot run.
function(vigil_add_unit_test name)
  cmake_parse_arguments(T "PRIVILEGED" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${VIGIL_TEST_OUTPUT_DIR})
  target_link_libraries(${name} PRIVATE vigil_doctest_main vigil_test_support ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    VIGIL_SOURCE_DIR="${CMAKE_SOURCE_DIR}" VIGIL_BINARY_DIR="${CMAKE_BINARY_DIR}"
    VIGIL_CORPUS_DIR="${VIGIL_CORPUS_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(T_PRIVILEGED)
    set_tests_properties(${name} PROPERTIES LABELS privileged TIMEOUT 300 SKIP_RETURN_CODE 77)
  else()
    set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
  endif()
  add_dependencies(vigil_unit_tests ${name})
endfunction()

# vigil_add_integration_test(NAME COMMAND cmd args... [TIMEOUT s])
# Starts real binaries; runs alone (they touch nftables, fanotify, netns).
function(vigil_add_integration_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS integration RUN_SERIAL TRUE TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "VIGIL_BUILD=${CMAKE_BINARY_DIR};VIGIL_SOURCE=${CMAKE_SOURCE_DIR};VIGIL_CORPUS=${VIGIL_CORPUS_DIR}")
endfunction()

# vigil_bench_source(file.cpp ...): adds a scenario source to vigil-bench.
# A scenario registers itself with VIGIL_BENCH(name) (tools/bench/bench.hpp).
function(vigil_bench_source)
  foreach(f ${ARGN})
    get_filename_component(abs ${f} ABSOLUTE)
    set_property(GLOBAL APPEND PROPERTY VIGIL_BENCH_SOURCES ${abs})
  endforeach()
endfunction()
# vigil_bench_libs(lib ...): libraries those sources need.
function(vigil_bench_libs)
  set_property(GLOBAL APPEND PROPERTY VIGIL_BENCH_LIBS ${ARGN})
endfunction()

# vigil_settings_schema(TARGET SYMBOL ns::kName): compiles the plugin's
# settings.schema.json (beside its CMakeLists.txt) into TARGET as the C string
# ns::kName, the only statement of the plugin's keys, types, bounds, defaults
# and descriptions (the host validates against it and fills the defaults; the
# README's settings table is generated from it by tools/settings-doc).
function(vigil_settings_schema target)
  cmake_parse_arguments(S "" "SYMBOL" "" ${ARGN})
  if(NOT S_SYMBOL MATCHES "^(.+)::([A-Za-z_][A-Za-z0-9_]*)$")
    message(FATAL_ERROR "vigil_settings_schema: SYMBOL must be namespace::name, got '${S_SYMBOL}'")
  endif()
  set(VIGIL_SCHEMA_NAMESPACE ${CMAKE_MATCH_1})
  set(VIGIL_SCHEMA_NAME ${CMAKE_MATCH_2})
  set(json ${CMAKE_CURRENT_SOURCE_DIR}/settings.schema.json)
  file(READ ${json} VIGIL_SCHEMA_JSON)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_settings_schema.cpp)
  configure_file(${VIGIL_SOURCE_DIR}/cmake/settings_schema.cpp.in ${out} @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${json})
  target_sources(${target} PRIVATE ${out})
endfunction()

include(VigilFuzz)
