# The Debian package of coursefactory: `cpack -G DEB` in the build folder (after the build).
#   /usr/bin/coursefactory                        the binary
#   /etc/coursefactory/coursefactory.ini          settings (conffile): `coursefactory config` with
#                                                 the ./var paths moved to /var/lib/coursefactory
#   /lib/systemd/system/coursefactory.service     the unit (packaging/coursefactory.service)
#   /usr/share/man/man1/coursefactory.1.gz        help2man from the binary's --help texts
#   /usr/share/bash-completion/completions/coursefactory
#   /usr/share/doc/coursefactory/                 changelog (CHANGELOG.md), monitoring files
# The state directory /var/lib/coursefactory and the system user come from postinst
# (packaging/debian/). Dependencies are found by dpkg-shlibdeps (Debian's dpkg-dev).
# The CTest entry `package` builds the package, unpacks it and checks it (tests/integration/package_test.py).

# The version `coursefactory --version` says too (project VERSION in CMakeLists.txt).
set(CF_VERSION ${PROJECT_VERSION})

# cpack installs what the build made; it does not build `all` first (the tests and benchmarks).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CF_PKG_DIR ${CMAKE_CURRENT_BINARY_DIR}/packaging)
set(CF_PKG_SRC ${CMAKE_CURRENT_SOURCE_DIR}/packaging)
find_program(HELP2MAN help2man REQUIRED)
find_program(GZIP gzip REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# The packaged settings: every key with its default, state paths absolute.
add_custom_command(
  OUTPUT ${CF_PKG_DIR}/coursefactory.ini
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CF_PKG_DIR}
  COMMAND sh -c "'$<TARGET_FILE:coursefactory>' config | sed -e 's#= \\./var\\(/\\|$\\)#= /var/lib/coursefactory\\1#' > '${CF_PKG_DIR}/coursefactory.ini'"
  DEPENDS coursefactory
  COMMENT "packaging: /etc/coursefactory/coursefactory.ini"
  VERBATIM)

# The man page from the --help texts (help2man; the serve options and each command's help are
# the include file packaging/man_sections.py writes).
# TODO(issue 16, --version): drop --version-string once `coursefactory --version` exists.
add_custom_command(
  OUTPUT ${CF_PKG_DIR}/coursefactory.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CF_PKG_DIR}
  COMMAND ${Python3_EXECUTABLE} ${CF_PKG_SRC}/man_sections.py $<TARGET_FILE:coursefactory>
          ${CF_PKG_DIR}/coursefactory.h2m
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${CF_VERSION}
          "--name=courses generated, paid for and published from an event log"
          --include=${CF_PKG_DIR}/coursefactory.h2m --output=${CF_PKG_DIR}/coursefactory.1
          $<TARGET_FILE:coursefactory>
  COMMAND ${GZIP} -9nf ${CF_PKG_DIR}/coursefactory.1
  DEPENDS coursefactory ${CF_PKG_SRC}/man_sections.py
  COMMENT "packaging: coursefactory.1 (help2man)"
  VERBATIM)

add_custom_command(
  OUTPUT ${CF_PKG_DIR}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CF_PKG_DIR}
  COMMAND sh -c "${GZIP} -9nc '${CMAKE_CURRENT_SOURCE_DIR}/CHANGELOG.md' > '${CF_PKG_DIR}/changelog.gz'"
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/CHANGELOG.md
  VERBATIM)

add_custom_target(package_files ALL
  DEPENDS ${CF_PKG_DIR}/coursefactory.ini ${CF_PKG_DIR}/coursefactory.1.gz ${CF_PKG_DIR}/changelog.gz)

install(TARGETS coursefactory RUNTIME DESTINATION bin)
install(FILES ${CF_PKG_DIR}/coursefactory.ini DESTINATION /etc/coursefactory)
install(FILES ${CF_PKG_SRC}/coursefactory.service DESTINATION /lib/systemd/system)
install(FILES ${CF_PKG_DIR}/coursefactory.1.gz DESTINATION share/man/man1)
install(FILES ${CF_PKG_SRC}/coursefactory.bash-completion
        DESTINATION share/bash-completion/completions RENAME coursefactory)
install(FILES ${CF_PKG_DIR}/changelog.gz DESTINATION share/doc/coursefactory)
install(FILES docs/monitoring/alerts.yml docs/monitoring/prometheus.yml
              docs/monitoring/grafana-dashboard.json
        DESTINATION share/doc/coursefactory/monitoring)

set(CPACK_PACKAGE_NAME coursefactory)
set(CPACK_PACKAGE_VERSION ${CF_VERSION})
set(CPACK_PACKAGE_CONTACT "coursefactory maintainers <coursefactory@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "courses generated, paid for and published from an event log")
set(CPACK_PACKAGE_DESCRIPTION
    "coursefactory runs the life of a course (generation, payment, distribution) as events in\n\
an SQLite log, behind a REST API with a live event stream, Prometheus metrics and an\n\
optional Redis bus. This package runs it as a systemd service.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CF_PKG_SRC}/debian/conffiles ${CF_PKG_SRC}/debian/postinst ${CF_PKG_SRC}/debian/prerm
    ${CF_PKG_SRC}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)

# Monitoring files (docs/monitoring/): promtool checks the rules, runs their unit tests and checks
# the scrape example; every metric they and the dashboard name is in a real /metrics.
add_test(NAME monitoring COMMAND /usr/bin/python3
                                 ${CMAKE_CURRENT_SOURCE_DIR}/tests/integration/monitoring_test.py
                                 $<TARGET_FILE:coursefactory> ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(monitoring PROPERTIES TIMEOUT 120)

# The Debian package built, unpacked into a scratch root and checked (binary, config, unit,
# man page, completion, changelog, sd_notify).
add_test(NAME package COMMAND /usr/bin/python3
                              ${CMAKE_CURRENT_SOURCE_DIR}/tests/integration/package_test.py
                              ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(package PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
