# vigil_add_fuzz_target(NAME SOURCES a.cpp ... [INCLUDES dir ...] [LINK -lfoo ...]
#                       [CORPUS dir] [SECONDS 20] [MAX_LEN 4096])
#
# A libFuzzer target for a parser of untrusted input, built with ASan + UBSan,
# and a bounded ctest run of it (label "fuzz", SECONDS of fuzzing). libFuzzer
# needs clang: the sources (the harness and the code under test, so that code
# carries coverage instrumentation) are compiled by a separate clang++
# invocation when the project compiler is GCC. Without clang++ (or in the
# sanitizer build) nothing is added. The ctest run writes new inputs into a
# scratch corpus in the build tree and reads CORPUS (checked-in seeds) as well.
# Longer runs: build/tests/NAME -max_total_time=600 build/.../NAME_corpus SEEDS.
if(VIGIL_CLANG)
  get_filename_component(_vigil_clang_dir ${VIGIL_CLANG} DIRECTORY)
  find_program(VIGIL_FUZZ_CXX NAMES clang++ HINTS ${_vigil_clang_dir})
endif()

function(vigil_add_fuzz_target name)
  cmake_parse_arguments(F "" "CORPUS;SECONDS;MAX_LEN" "SOURCES;INCLUDES;LINK" ${ARGN})
  if(NOT VIGIL_FUZZ_CXX OR VIGIL_SANITIZE)
    return()
  endif()
  if(NOT F_SECONDS)
    set(F_SECONDS 20)
  endif()
  if(NOT F_MAX_LEN)
    set(F_MAX_LEN 4096)
  endif()
  set(abs_sources)
  foreach(s ${F_SOURCES})
    get_filename_component(a ${s} ABSOLUTE)
    list(APPEND abs_sources ${a})
  endforeach()
  set(include_flags)
  set(header_deps)
  foreach(d ${F_INCLUDES})
    get_filename_component(a ${d} ABSOLUTE)
    list(APPEND include_flags -I${a})
    file(GLOB_RECURSE h CONFIGURE_DEPENDS ${a}/*.hpp ${a}/*.h)
    list(APPEND header_deps ${h})
  endforeach()
  set(bin ${VIGIL_TEST_OUTPUT_DIR}/${name})
  add_custom_command(OUTPUT ${bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIGIL_TEST_OUTPUT_DIR}
    COMMAND ${VIGIL_FUZZ_CXX} -std=c++20 -O1 -g -fno-omit-frame-pointer
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
            ${include_flags} ${abs_sources} -o ${bin} ${F_LINK}
    DEPENDS ${abs_sources} ${header_deps}
    COMMENT "Building libFuzzer target ${name} with clang++"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${bin})
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
  set(seeds "")
  if(F_CORPUS)
    get_filename_component(seeds ${F_CORPUS} ABSOLUTE)
  endif()
  add_test(NAME ${name}
    COMMAND sh -c "mkdir -p '${work}' && exec '${bin}' -max_total_time=${F_SECONDS} -max_len=${F_MAX_LEN} -rss_limit_mb=1024 -print_final_stats=1 '${work}' ${seeds}")
  math(EXPR timeout "${F_SECONDS} * 3 + 60")
  # Not "unit": the sanitizer stage builds only unit tests, and this binary is already ASan+UBSan.
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${timeout})
endfunction()
