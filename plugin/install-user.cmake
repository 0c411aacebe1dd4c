# install-user.cmake - copy tcpfsm.so into the personal plugin folder of the
# user running the build step (HOME is read now, not at configure time).
#   cmake -DPLUGIN=/path/to/tcpfsm.so -DABI=4.0 -P install-user.cmake
if(NOT PLUGIN OR NOT ABI)
  message(FATAL_ERROR "usage: cmake -DPLUGIN=tcpfsm.so -DABI=4.0 -P install-user.cmake")
endif()
if(NOT DEFINED ENV{HOME} OR "$ENV{HOME}" STREQUAL "")
  message(FATAL_ERROR "HOME is not set")
endif()
set(dest "$ENV{HOME}/.local/lib/wireshark/plugins/${ABI}/epan")
file(MAKE_DIRECTORY "${dest}")
file(COPY "${PLUGIN}" DESTINATION "${dest}")
message(STATUS "Installed ${dest}/tcpfsm.so")
message(STATUS "Check: tshark -G plugins | grep tcpfsm  (not as root: root ignores personal plugins)")
