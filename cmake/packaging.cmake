# packaging.cmake - Debian packages made by cpack from the install
# components (included last by the top-level CMakeLists.txt):
#
#   cmake --build build && (cd build && cpack)     -> build/packages/*.deb
#
#   tcpfsm                   component "tool": bin/tcpfsm and its man page
#   libtcpfsm-dev            component "library": libtcpfsm.so.0, its
#                            headers and tcpfsm.pc (one package: the
#                            component holds runtime and development files)
#   tcpfsm-wireshark-plugin  component "plugin": tcpfsm.so in the global
#                            plugin folder of the Wireshark it was built
#                            against; Depends on that Wireshark's
#                            libwireshark ABI package, found with dpkg
#
# Both are built by the same `cpack` run; the plugin package only when the
# plugin is built.  Depends on the shared libraries come from
# dpkg-shlibdeps (dpkg-dev).

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tcpfsm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "tcpfsm developers <tcpfsm@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEB_COMPONENT_INSTALL ON)
find_program(TCPFSM_FILE_PROGRAM file)
find_program(TCPFSM_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(TCPFSM_FILE_PROGRAM AND TCPFSM_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "Packages: no file or dpkg-shlibdeps (apt-get install file dpkg-dev): "
                 "cpack would make packages without the Depends on shared libraries")
endif()
# dpkg-shlibdeps must not look for our engine in the system
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_TOOL_PACKAGE_NAME tcpfsm)
set(CPACK_COMPONENT_TOOL_DESCRIPTION
  "Explain TCP connection state machines in captures\ntcpfsm reads capture files (pcap, pcapng) or tshark's fields and labels\nevery TCP segment with its step of the connection's life (handshake,\ndata, teardown, reset) and both endpoints' RFC 9293 states.")
set(CPACK_DEBIAN_TOOL_PACKAGE_RECOMMENDS "tshark")
set(CPACK_COMPONENTS_ALL tool)
if(TARGET tcpfsm_shared)
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_NAME libtcpfsm-dev)
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_DEPENDS "pkgconf | pkg-config, libglib2.0-dev")
  set(CPACK_COMPONENT_LIBRARY_DESCRIPTION
    "TCP connection state machine engine (shared library and headers)\nlibtcpfsm labels TCP segments with their step of the connection's life\nand both endpoints' RFC 9293 states; this package holds\nlibtcpfsm.so.0, its headers (tcpfsm/tcpfsm.h) and tcpfsm.pc.")
  list(APPEND CPACK_COMPONENTS_ALL library)
endif()

if(TARGET tcpfsm_plugin)
  set(TCPFSM_WS_XY "${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}")
  math(EXPR TCPFSM_WS_NEXT "${Wireshark_MINOR_VERSION} + 1")
  # the package that holds the libwireshark we link against: ask dpkg
  set(TCPFSM_LIBWIRESHARK_PKG "")
  get_target_property(_cfgs epan IMPORTED_CONFIGURATIONS)
  set(_epan "")
  foreach(_c ${_cfgs} "")
    if(_c)
      get_target_property(_loc epan IMPORTED_LOCATION_${_c})
    else()
      get_target_property(_loc epan IMPORTED_LOCATION)
    endif()
    if(_loc AND NOT _epan)
      set(_epan "${_loc}")
    endif()
  endforeach()
  find_program(DPKG_QUERY dpkg-query)
  if(_epan AND DPKG_QUERY)
    get_filename_component(_epan "${_epan}" REALPATH)
    execute_process(COMMAND ${DPKG_QUERY} -S "${_epan}"
      OUTPUT_VARIABLE _owner ERROR_QUIET RESULT_VARIABLE _rc
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_rc EQUAL 0 AND _owner MATCHES "^([^:,]+)[:,]")
      set(TCPFSM_LIBWIRESHARK_PKG "${CMAKE_MATCH_1}")
    endif()
  endif()
  if(TCPFSM_LIBWIRESHARK_PKG)
    message(STATUS "Plugin package: depends on ${TCPFSM_LIBWIRESHARK_PKG} (${_epan}), Wireshark ${TCPFSM_WS_XY}")
    set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME tcpfsm-wireshark-plugin)
    # a plugin loads only into the X.Y it was built for: bound the
    # libwireshark package to it on both sides (dpkg-shlibdeps adds its own,
    # lower, bound from the symbols file: 4.4.0 for sid's libwireshark19)
    set(CPACK_DEBIAN_PLUGIN_PACKAGE_DEPENDS
      "${TCPFSM_LIBWIRESHARK_PKG} (>= ${TCPFSM_WS_XY}), ${TCPFSM_LIBWIRESHARK_PKG} (<< ${Wireshark_MAJOR_VERSION}.${TCPFSM_WS_NEXT}~)")
    set(CPACK_DEBIAN_PLUGIN_PACKAGE_RECOMMENDS "wireshark | tshark")
    set(CPACK_DEBIAN_PLUGIN_PACKAGE_SUGGESTS "tcpfsm")
    set(CPACK_COMPONENT_PLUGIN_DESCRIPTION
      "Wireshark ${TCPFSM_WS_XY} plugin: TCP connection state machine fields\nThis post-dissector labels every TCP segment with its step of the\nconnection's life and both endpoints' RFC 9293 states, as filterable\ntcpfsm.* fields, expert infos, statistics and a Flow Graph type.\n.\nBuilt for Wireshark ${Wireshark_VERSION} (${TCPFSM_LIBWIRESHARK_PKG}); it is installed\nin that Wireshark's global plugin folder.  Do not also keep a personal\ncopy in ~/.local/lib/wireshark/plugins (see README.Debian).")
    list(APPEND CPACK_COMPONENTS_ALL plugin)
  else()
    message(STATUS "Plugin package: skipped (no dpkg package owns ${_epan})")
  endif()
endif()

include(CPack)
