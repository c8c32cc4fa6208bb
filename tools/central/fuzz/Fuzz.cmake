# libFuzzer target for the telemetry batch-upload handler (gunzip + JSON parsing +
# validation + storage into a temporary SQLite database).
#
# libFuzzer needs clang. When the project itself is built with clang the target is a
# normal executable; otherwise (the default GCC build) it is compiled by a separate
# clang++ invocation from the same sources, so `tools/test` runs it either way.
set(CENTRAL_FUZZ_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_batch.cpp)
foreach(src ${CENTRAL_CORE_SOURCES})
  list(APPEND CENTRAL_FUZZ_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${src})
endforeach()
# The parts of vigil_plugin_common central_core uses (/metrics, digests, hex, time).
set(CENTRAL_FUZZ_COMMON prometheus status_metrics process_metrics proc small_file time errno_text digest hex)
foreach(src ${CENTRAL_FUZZ_COMMON})
  list(APPEND CENTRAL_FUZZ_SOURCES ${CMAKE_SOURCE_DIR}/plugins/common/src/${src}.cpp)
endforeach()
set(CENTRAL_FUZZ_INCLUDES -I${CMAKE_CURRENT_SOURCE_DIR}/src -I${CMAKE_SOURCE_DIR}/plugins/common/include
    -I${CMAKE_SOURCE_DIR}/sdk/include)
# pointer-overflow is off: RapidJSON 1.1.0 (Debian 12) offsets a null pointer in its
# internal stack on every parse (harmless, fixed upstream), which would stop every run.
set(CENTRAL_FUZZ_SANITIZERS -fsanitize=fuzzer,address,undefined -fno-sanitize=pointer-overflow
    -fno-sanitize-recover=undefined)
set(CENTRAL_FUZZ_FLAGS -std=c++20 -O1 -g -fno-omit-frame-pointer ${CENTRAL_FUZZ_SANITIZERS})
set(CENTRAL_FUZZ_BIN ${VIGIL_TEST_OUTPUT_DIR}/central_fuzz_batch)
file(GLOB CENTRAL_FUZZ_HEADERS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.hpp
     ${VIGIL_SOURCE_DIR}/plugins/common/include/vigil/common/*.hpp)

find_program(CENTRAL_CLANGXX NAMES clang++ HINTS ${VIGIL_CLANG_DIR})
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT VIGIL_SANITIZE)
  # The core sources are compiled into the target so they carry coverage instrumentation.
  add_executable(central_fuzz_batch ${CENTRAL_FUZZ_SOURCES})
  set_target_properties(central_fuzz_batch PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${VIGIL_TEST_OUTPUT_DIR})
  target_include_directories(central_fuzz_batch PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src
                             ${CMAKE_SOURCE_DIR}/plugins/common/include ${CMAKE_SOURCE_DIR}/sdk/include)
  target_compile_options(central_fuzz_batch PRIVATE ${CENTRAL_FUZZ_SANITIZERS})
  target_link_options(central_fuzz_batch PRIVATE ${CENTRAL_FUZZ_SANITIZERS})
  target_link_libraries(central_fuzz_batch PRIVATE SQLite::SQLite3 ZLIB::ZLIB OpenSSL::Crypto RapidJSON::RapidJSON
                        Threads::Threads)
  set(CENTRAL_FUZZ_ENABLED ON)
elseif(VIGIL_CLANG AND CENTRAL_CLANGXX AND NOT VIGIL_SANITIZE)
  add_custom_command(
    OUTPUT ${CENTRAL_FUZZ_BIN}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIGIL_TEST_OUTPUT_DIR}
    COMMAND ${CENTRAL_CLANGXX} ${CENTRAL_FUZZ_FLAGS} ${CENTRAL_FUZZ_INCLUDES} ${CENTRAL_FUZZ_SOURCES}
            -o ${CENTRAL_FUZZ_BIN} -lsqlite3 -lz -lcrypto -lpthread
    DEPENDS ${CENTRAL_FUZZ_SOURCES} ${CENTRAL_FUZZ_HEADERS}
    COMMENT "Building libFuzzer target central_fuzz_batch with clang++"
    VERBATIM)
  add_custom_target(central_fuzz_batch ALL DEPENDS ${CENTRAL_FUZZ_BIN})
  set(CENTRAL_FUZZ_ENABLED ON)
endif()

if(CENTRAL_FUZZ_ENABLED)
  # A short run (seconds) in every test pass; longer runs: build/tests/central_fuzz_batch DIR.
  vigil_add_integration_test(central_fuzz_batch
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh ${CENTRAL_FUZZ_BIN} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seeds
    TIMEOUT 120)
endif()

# libFuzzer target for the other endpoint handlers (fuzz_api.cpp): one binary, one ctest entry
# per handler (VIGIL_FUZZ_HANDLER), each a few seconds with its own corpus.
set(CENTRAL_FUZZ_API_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_api.cpp)
foreach(src ${CENTRAL_CORE_SOURCES})
  list(APPEND CENTRAL_FUZZ_API_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${src})
endforeach()
foreach(src ${CENTRAL_FUZZ_COMMON})
  list(APPEND CENTRAL_FUZZ_API_SOURCES ${CMAKE_SOURCE_DIR}/plugins/common/src/${src}.cpp)
endforeach()
set(CENTRAL_FUZZ_API_BIN ${VIGIL_TEST_OUTPUT_DIR}/central_fuzz_api)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT VIGIL_SANITIZE)
  add_executable(central_fuzz_api ${CENTRAL_FUZZ_API_SOURCES})
  set_target_properties(central_fuzz_api PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${VIGIL_TEST_OUTPUT_DIR})
  target_include_directories(central_fuzz_api PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src
                             ${CMAKE_SOURCE_DIR}/plugins/common/include ${CMAKE_SOURCE_DIR}/sdk/include)
  target_compile_options(central_fuzz_api PRIVATE ${CENTRAL_FUZZ_SANITIZERS})
  target_link_options(central_fuzz_api PRIVATE ${CENTRAL_FUZZ_SANITIZERS})
  target_link_libraries(central_fuzz_api PRIVATE SQLite::SQLite3 ZLIB::ZLIB OpenSSL::Crypto RapidJSON::RapidJSON
                        Threads::Threads)
elseif(VIGIL_CLANG AND CENTRAL_CLANGXX AND NOT VIGIL_SANITIZE)
  add_custom_command(
    OUTPUT ${CENTRAL_FUZZ_API_BIN}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIGIL_TEST_OUTPUT_DIR}
    COMMAND ${CENTRAL_CLANGXX} ${CENTRAL_FUZZ_FLAGS} ${CENTRAL_FUZZ_INCLUDES} ${CENTRAL_FUZZ_API_SOURCES}
            -o ${CENTRAL_FUZZ_API_BIN} -lsqlite3 -lz -lcrypto -lpthread
    DEPENDS ${CENTRAL_FUZZ_API_SOURCES} ${CENTRAL_FUZZ_HEADERS}
    COMMENT "Building libFuzzer target central_fuzz_api with clang++"
    VERBATIM)
  add_custom_target(central_fuzz_api ALL DEPENDS ${CENTRAL_FUZZ_API_BIN})
endif()
if(CENTRAL_FUZZ_ENABLED)
  foreach(handler sync task_create result upload enroll csr query time_spec)
    add_test(NAME central_fuzz_${handler}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz_api.sh ${CENTRAL_FUZZ_API_BIN} ${handler}
              ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seeds_api/${handler})
    set_tests_properties(central_fuzz_${handler} PROPERTIES LABELS fuzz TIMEOUT 120)
  endforeach()
endif()
