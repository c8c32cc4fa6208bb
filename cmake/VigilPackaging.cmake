# Debian packages built with CPack (tools/package): vigil-agent, vigil-central and
# vigil-sdk-dev. Files under /usr are installed relative to the prefix (CPack's is /usr);
# /etc and the systemd units have absolute destinations and EXCLUDE_FROM_ALL, so only a
# component install (CPack's, or an explicit `cmake --install --component agent`) writes
# them and a plain `cmake --install` of the build directory never touches /etc.
# Maintainer scripts, conffiles, lintian overrides and the copyright file live in
# packaging/debian/, the manual pages in packaging/man/.
set(VIGIL_DEB_DIR ${CMAKE_SOURCE_DIR}/packaging/debian)
set(VIGIL_DOC_FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/operation.md
    ${CMAKE_SOURCE_DIR}/docs/metrics.md)

# --- vigil-agent ---
install(TARGETS vigild RUNTIME DESTINATION sbin COMPONENT agent)
install(TARGETS vigilctl RUNTIME DESTINATION bin COMPONENT agent)
# Production plugins install through vigil_add_plugin (lib/vigil/plugins).
install(FILES ${VIGIL_DOC_FILES} ${VIGIL_DEB_DIR}/copyright DESTINATION share/doc/vigil-agent COMPONENT agent)
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz DESTINATION share/doc/vigil-agent
        COMPONENT agent OPTIONAL)

# --- vigil-central ---
if(TARGET vigil-central)
  install(TARGETS vigil-central RUNTIME DESTINATION bin COMPONENT central)
  install(FILES ${CMAKE_SOURCE_DIR}/docs/central.md ${CMAKE_SOURCE_DIR}/docs/metrics.md ${VIGIL_DEB_DIR}/copyright
          DESTINATION share/doc/vigil-central COMPONENT central)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz DESTINATION share/doc/vigil-central
          COMPONENT central OPTIONAL)
endif()

# --- vigil-sdk-dev (headers, CMake package and pkg-config file: sdk/CMakeLists.txt) ---
install(DIRECTORY ${CMAKE_SOURCE_DIR}/sdk/examples/ DESTINATION share/doc/vigil-sdk-dev/examples COMPONENT sdk)
install(FILES ${CMAKE_SOURCE_DIR}/docs/plugin-sdk.md ${VIGIL_DEB_DIR}/copyright DESTINATION share/doc/vigil-sdk-dev
        COMPONENT sdk)
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz DESTINATION share/doc/vigil-sdk-dev COMPONENT sdk
        OPTIONAL)

install(FILES ${CMAKE_SOURCE_DIR}/configs/vigil.yaml DESTINATION /etc/vigil COMPONENT agent
        PERMISSIONS OWNER_READ OWNER_WRITE EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_SOURCE_DIR}/configs/vigild.service DESTINATION /lib/systemd/system COMPONENT agent
        EXCLUDE_FROM_ALL)
if(TARGET vigil-central)
  install(FILES ${VIGIL_DEB_DIR}/central.yaml DESTINATION /etc/vigil COMPONENT central
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ EXCLUDE_FROM_ALL)
  install(FILES ${CMAKE_SOURCE_DIR}/configs/vigil-central.service DESTINATION /lib/systemd/system
          COMPONENT central EXCLUDE_FROM_ALL)
endif()

# Manual pages, compressed as Debian policy wants them (gzip -n: reproducible).
set(_vigil_man_out)
foreach(_page vigild.8 vigilctl.8 vigil-central.8)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/man/${_page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/man
    COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/man/${_page} > ${CMAKE_BINARY_DIR}/packaging/man/${_page}.gz
    DEPENDS ${CMAKE_SOURCE_DIR}/packaging/man/${_page} VERBATIM)
  list(APPEND _vigil_man_out ${CMAKE_BINARY_DIR}/packaging/man/${_page}.gz)
endforeach()
add_custom_target(vigil_man_pages ALL DEPENDS ${_vigil_man_out})
install(FILES ${CMAKE_BINARY_DIR}/packaging/man/vigild.8.gz ${CMAKE_BINARY_DIR}/packaging/man/vigilctl.8.gz
        DESTINATION share/man/man8 COMPONENT agent)
install(FILES ${VIGIL_DEB_DIR}/agent/lintian-overrides DESTINATION share/lintian/overrides
        RENAME vigil-agent COMPONENT agent)
if(TARGET vigil-central)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/man/vigil-central.8.gz DESTINATION share/man/man8 COMPONENT central)
  install(FILES ${VIGIL_DEB_DIR}/central/lintian-overrides DESTINATION share/lintian/overrides
          RENAME vigil-central COMPONENT central)
endif()
install(FILES ${VIGIL_DEB_DIR}/sdk-lintian-overrides DESTINATION share/lintian/overrides
        RENAME vigil-sdk-dev COMPONENT sdk)

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL agent central sdk)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "Vigil project")
set(CPACK_PACKAGE_CONTACT "Vigil maintainers <maintainers@vigil-edr.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Equal to CPack's default on purpose: only then does CPackDeb not prepend it to each
# component description, whose first line is the package's synopsis.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://vigil-edr.org")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME vigil-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "nftables")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "Vigil EDR agent
vigild, the host daemon of the Vigil endpoint detection and response system,
with its protection plugins (behavior sensors and Sigma detection, file threat
scanning, IOC scans, response actions, network isolation, the central-node
connector), vigilctl and the systemd unit.")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    ${VIGIL_DEB_DIR}/agent/conffiles ${VIGIL_DEB_DIR}/agent/postinst ${VIGIL_DEB_DIR}/agent/prerm
    ${VIGIL_DEB_DIR}/agent/postrm)

set(CPACK_DEBIAN_CENTRAL_PACKAGE_NAME vigil-central)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_COMPONENT_CENTRAL_DESCRIPTION "Vigil EDR central node
vigil-central collects telemetry and detections from Vigil agents, stores them
and hands out response tasks over an HTTPS REST API. Runs as its own system
user under a sandboxed systemd unit.")
set(CPACK_DEBIAN_CENTRAL_PACKAGE_CONTROL_EXTRA
    ${VIGIL_DEB_DIR}/central/conffiles ${VIGIL_DEB_DIR}/central/postinst ${VIGIL_DEB_DIR}/central/prerm
    ${VIGIL_DEB_DIR}/central/postrm)

set(CPACK_DEBIAN_SDK_PACKAGE_NAME vigil-sdk-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_SDK_DESCRIPTION "Vigil EDR plugin SDK
The C plugin ABI headers and header-only C++ helpers for writing Vigil agent
plugins, with a CMake package (find_package(VigilSDK)), a pkg-config file and
example plugins in C and C++.")

include(CPack)
