# vigil_add_fuzz_target(NAME SOURCES harness.cpp code.cpp ... [INCLUDES dir ...] [LINK -lfoo ...]
#                       [CORPUS dir ...] [SHARED_CORPUS subdir ...] [DICT file]
#                       [SECONDS n] [MAX_LEN n] [VARIANTS v ...])
#
# A libFuzzer target for a parser of untrusted input, built with ASan + UBSan,
# and a bounded ctest run of it (label "fuzz"). libFuzzer needs clang: the
# sources (the harness and the code under test, so that code carries coverage
# instrumentation) are compiled by clang++ even when the project compiler is
# GCC, one object per source (cached by ccache, shared by the targets of one
# directory), then linked. Without clang++ (or in the sanitizer build) nothing
# is added.
#
# Seeds: CORPUS dirs (checked in, relative to the current source dir) and
# SHARED_CORPUS dirs relative to the shared third-party corpus
# (${VIGIL_CORPUS_DIR} = ../shared/corpus), read in place, never copied; a
# missing one is skipped. New inputs go to a scratch corpus in the build tree,
# crashes to NAME-artifacts/ there.
#
# VARIANTS: one binary serving several inputs kinds (e.g. one endpoint handler
# each): one ctest entry NAME_v per variant, run with VIGIL_FUZZ_VARIANT=v and
# the seeds of each CORPUS dir's subdirectory v.
#
# Time: SECONDS per ctest run (default VIGIL_FUZZ_SECONDS, 5), overridden at
# run time by the environment variable VIGIL_FUZZ_SECONDS; tools/fuzz
# --minutes N runs every fuzz test for N minutes.
set(VIGIL_FUZZ_SECONDS 5 CACHE STRING "Seconds each fuzz target runs in ctest (tools/test)")
if(VIGIL_CLANG)
  get_filename_component(_vigil_clang_dir ${VIGIL_CLANG} DIRECTORY)
  find_program(VIGIL_FUZZ_CXX NAMES clang++ HINTS ${_vigil_clang_dir})
endif()
find_program(VIGIL_CCACHE ccache)
if(NOT TARGET vigil_fuzz_targets)
  add_custom_target(vigil_fuzz_targets)
endif()
# pointer-overflow is off: RapidJSON 1.1.0 (Debian 12) adds offsets to a null
# stack pointer in internal/stack.h on every parse, which is not ours to fix.
set(VIGIL_FUZZ_FLAGS -std=c++20 -O1 -g1 -gz -fno-omit-frame-pointer -fsanitize=address,undefined
  -fno-sanitize=pointer-overflow -fno-sanitize-recover=undefined -Wno-ambiguous-reversed-operator
  -DVIGIL_FUZZING=1)

# Compiles one source for fuzzing (once per directory and flag set); the
# object path goes to out_var.
function(_vigil_fuzz_object src include_flags harness out_var)
  if(harness)
    set(cov -fsanitize=fuzzer)
  else()
    set(cov -fsanitize=fuzzer-no-link)
  endif()
  string(SHA1 key "${src}|${include_flags}|${cov}")
  string(SUBSTRING ${key} 0 16 key)
  get_filename_component(base ${src} NAME_WE)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/fuzz-obj/${base}-${key}.o)
  get_property(known DIRECTORY PROPERTY VIGIL_FUZZ_OBJ_${key})
  if(NOT known)
    set(launcher)
    if(VIGIL_CCACHE)
      set(launcher ${VIGIL_CCACHE})
    endif()
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${src})
    add_custom_command(OUTPUT ${obj}
      COMMAND ${launcher} ${VIGIL_FUZZ_CXX} ${VIGIL_FUZZ_FLAGS} ${cov} ${include_flags}
              -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "Compiling ${rel} for fuzzing (clang++)"
      VERBATIM)
    set_property(DIRECTORY PROPERTY VIGIL_FUZZ_OBJ_${key} 1)
  endif()
  set(${out_var} ${obj} PARENT_SCOPE)
endfunction()

function(vigil_add_fuzz_target name)
  cmake_parse_arguments(F "" "SECONDS;MAX_LEN;DICT" "SOURCES;INCLUDES;LINK;CORPUS;SHARED_CORPUS;VARIANTS" ${ARGN})
  if(NOT VIGIL_FUZZ_CXX OR VIGIL_SANITIZE)
    return()
  endif()
  if(NOT F_SECONDS)
    set(F_SECONDS ${VIGIL_FUZZ_SECONDS})
  endif()
  if(NOT F_MAX_LEN)
    set(F_MAX_LEN 4096)
  endif()
  set(include_flags -I${CMAKE_SOURCE_DIR}/sdk/include -I${CMAKE_SOURCE_DIR}/plugins/common/include)
  foreach(d ${F_INCLUDES})
    get_filename_component(a ${d} ABSOLUTE)
    list(APPEND include_flags -I${a})
  endforeach()
  set(objects)
  set(first TRUE)
  foreach(s ${F_SOURCES})
    get_filename_component(a ${s} ABSOLUTE)
    _vigil_fuzz_object(${a} "${include_flags}" ${first} obj)
    list(APPEND objects ${obj})
    set(first FALSE)
  endforeach()
  set(bin ${VIGIL_TEST_OUTPUT_DIR}/${name})
  add_custom_command(OUTPUT ${bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIGIL_TEST_OUTPUT_DIR}
    COMMAND ${VIGIL_FUZZ_CXX} ${VIGIL_FUZZ_FLAGS} -fsanitize=fuzzer ${objects} -o ${bin} ${F_LINK}
    DEPENDS ${objects}
    COMMENT "Linking libFuzzer target ${name}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${bin})
  add_dependencies(vigil_fuzz_targets ${name})
  set(dict)
  if(F_DICT)
    get_filename_component(dict ${F_DICT} ABSOLUTE)
  endif()
  if(NOT F_VARIANTS)
    _vigil_fuzz_test(${name} ${bin} "${dict}" "" "${F_CORPUS}" "${F_SHARED_CORPUS}")
  endif()
  foreach(v ${F_VARIANTS})
    set(corpus)
    foreach(d ${F_CORPUS})
      list(APPEND corpus ${d}/${v})
    endforeach()
    _vigil_fuzz_test(${name}_${v} ${bin} "${dict}" ${v} "${corpus}" "")
  endforeach()
endfunction()

# The bounded ctest run of a fuzz binary (one variant of it when `variant` is not empty).
function(_vigil_fuzz_test test bin dict variant corpus shared_corpus)
  set(seeds)
  foreach(d ${corpus})
    get_filename_component(a ${d} ABSOLUTE)
    list(APPEND seeds ${a})
  endforeach()
  foreach(d ${shared_corpus})
    list(APPEND seeds ${VIGIL_CORPUS_DIR}/${d})
  endforeach()
  add_test(NAME ${test}
    COMMAND ${CMAKE_SOURCE_DIR}/cmake/fuzz_run.sh ${bin} ${CMAKE_CURRENT_BINARY_DIR}/${test}
            ${F_SECONDS} ${F_MAX_LEN} "${dict}" ${seeds})
  # The ctest limit covers the default run; tools/fuzz runs longer without it.
  math(EXPR timeout "${F_SECONDS} * 3 + 120")
  # Not "unit": the sanitizer stage builds only unit tests, and this binary is already ASan+UBSan.
  set_tests_properties(${test} PROPERTIES LABELS fuzz TIMEOUT ${timeout})
  if(variant)
    set_tests_properties(${test} PROPERTIES ENVIRONMENT VIGIL_FUZZ_VARIANT=${variant})
  endif()
endfunction()
