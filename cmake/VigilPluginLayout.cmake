# The one plugin skeleton (CONTRIBUTING.md), checked at configure time:
#
#   plugins/<name>/README.md, CMakeLists.txt, settings.schema.json
#   plugins/<name>/src/plugin.cpp            entry and glue, namespace vigil::<name>
#   plugins/<name>/src/settings.{hpp,cpp}    typed settings + cross-field checks
#   plugins/<name>/src/status.{hpp,cpp}      the status JSON
#   plugins/<name>/tests/unit/*_test.cpp     at least one
#   plugins/<name>/tests/integration/*.sh    at least one
#   plugins/<name>/bench/                    benchmark sources
#   no #include "../..." anywhere in the plugin
#
# Every plugin follows it; a plugin that does not is a configure error.

function(vigil_plugin_layout_problems name out)
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  set(problems "")
  foreach(f README.md CMakeLists.txt settings.schema.json src/plugin.cpp src/settings.hpp src/settings.cpp
            src/status.hpp src/status.cpp)
    if(NOT EXISTS ${dir}/${f})
      list(APPEND problems "no ${f}")
    endif()
  endforeach()
  file(GLOB unit ${dir}/tests/unit/*_test.cpp)
  if(NOT unit)
    list(APPEND problems "no tests/unit/*_test.cpp")
  endif()
  file(GLOB integration ${dir}/tests/integration/*.sh)
  if(NOT integration)
    list(APPEND problems "no tests/integration/*.sh")
  endif()
  if(NOT IS_DIRECTORY ${dir}/bench)
    list(APPEND problems "no bench/")
  endif()
  if(EXISTS ${dir}/src/plugin.cpp)
    file(STRINGS ${dir}/src/plugin.cpp ns REGEX "namespace vigil::${name}")
    if(NOT ns)
      list(APPEND problems "src/plugin.cpp is not in namespace vigil::${name}")
    endif()
  endif()
  file(GLOB_RECURSE sources ${dir}/*.cpp ${dir}/*.hpp ${dir}/*.c ${dir}/*.h)
  foreach(s ${sources})
    file(STRINGS ${s} up REGEX "^[ \t]*#[ \t]*include[ \t]*\"\\.\\./")
    if(up)
      file(RELATIVE_PATH rel ${dir} ${s})
      list(APPEND problems "${rel} includes with ../")
    endif()
  endforeach()
  set(${out} "${problems}" PARENT_SCOPE)
endfunction()

function(vigil_check_plugin_layout name)
  vigil_plugin_layout_problems(${name} problems)
  if(problems)
    string(REPLACE ";" "\n  " text "${problems}")
    message(FATAL_ERROR "plugins/${name} does not follow the plugin skeleton (CONTRIBUTING.md):\n  ${text}")
  endif()
endfunction()
