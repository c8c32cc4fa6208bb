# libFuzzer targets of the central node (cmake/VigilFuzz.cmake builds them with clang++,
# ASan + UBSan, the core sources compiled in so they carry coverage instrumentation).
# The parts of vigil_plugin_common central_core uses (/metrics, digests, hex, time).
set(CENTRAL_FUZZ_COMMON prometheus status_metrics process_metrics proc small_file time errno_text digest hex)
set(CENTRAL_FUZZ_CORE ${CENTRAL_CORE_SOURCES})
foreach(src ${CENTRAL_FUZZ_COMMON})
  list(APPEND CENTRAL_FUZZ_CORE ${CMAKE_SOURCE_DIR}/plugins/common/src/${src}.cpp)
endforeach()
set(CENTRAL_FUZZ_LINK -lsqlite3 -lz -lssl -lcrypto -lpthread)

# The telemetry batch upload: gunzip + JSON parsing + validation + storage into a temporary
# SQLite database.
vigil_add_fuzz_target(central_fuzz_batch SOURCES fuzz/fuzz_batch.cpp ${CENTRAL_FUZZ_CORE}
  INCLUDES src LINK ${CENTRAL_FUZZ_LINK} CORPUS fuzz/seeds SECONDS 25 MAX_LEN 65536)

# The other endpoint handlers: one binary, one ctest entry per handler (central_fuzz_api_<h>,
# VIGIL_FUZZ_VARIANT=<h>), each with its own corpus fuzz/seeds_api/<h>.
vigil_add_fuzz_target(central_fuzz_api SOURCES fuzz/fuzz_api.cpp ${CENTRAL_FUZZ_CORE}
  INCLUDES src LINK ${CENTRAL_FUZZ_LINK} CORPUS fuzz/seeds_api SECONDS 8 MAX_LEN 8192
  VARIANTS sync task_create result upload enroll csr query time_spec console)

# The server's request-head path (Beast head parser, make_request, head checks, admission,
# log text).
vigil_add_fuzz_target(central_fuzz_request_head
  SOURCES fuzz/fuzz_request_head.cpp src/request_head.cpp src/log_limiter.cpp ${CENTRAL_FUZZ_CORE}
  INCLUDES src LINK ${CENTRAL_FUZZ_LINK} CORPUS fuzz/head_seeds SECONDS 20 MAX_LEN 4096)

# The web console's request parsers (Cookie header, /ui/ paths, CSRF/Origin checks, CSV
# cells, the agents page's query).
vigil_add_fuzz_target(central_fuzz_console SOURCES fuzz/fuzz_console.cpp ${CENTRAL_FUZZ_CORE}
  INCLUDES src LINK ${CENTRAL_FUZZ_LINK} CORPUS fuzz/console_seeds SECONDS 10 MAX_LEN 4096)

# The PostgreSQL engine's text path (UTF-8 repair and COPY escaping of agent data).
vigil_add_fuzz_target(central_fuzz_pg_text SOURCES fuzz/fuzz_pg_text.cpp src/pg_text.cpp
  INCLUDES src CORPUS fuzz/pg_text_seeds SECONDS 10 MAX_LEN 4096)
