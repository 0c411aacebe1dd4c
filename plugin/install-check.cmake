# install-check.cmake - run by `sudo cmake --install build --component
# plugin` after it copied tcpfsm.so into the system plugin folder: warn
# when the user who ran sudo also has a personal copy for this Wireshark
# (Wireshark then reports the plugin "found in multiple directories" at
# every start).  Silent in a package build (DESTDIR set).
if(NOT "$ENV{DESTDIR}" STREQUAL "" OR "$ENV{SUDO_USER}" STREQUAL "")
  return()
endif()
execute_process(COMMAND getent passwd "$ENV{SUDO_USER}"
                OUTPUT_VARIABLE pw OUTPUT_STRIP_TRAILING_WHITESPACE)
# name:password:uid:gid:gecos:home:shell
if(NOT pw MATCHES "^[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:([^:]+):")
  return()
endif()
set(home "${CMAKE_MATCH_1}")
set(personal "${home}/.local/lib/wireshark/plugins/${TCPFSM_WIRESHARK_ABI}/epan/tcpfsm.so")
if(EXISTS "${personal}")
  message(WARNING "${personal} exists too: Wireshark will report tcpfsm.so "
    "\"found in multiple directories\" at every start. Remove one copy: "
    "scripts/install-plugin.sh --uninstall (as $ENV{SUDO_USER}), or "
    "this system copy.")
endif()
