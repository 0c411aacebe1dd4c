#!/usr/bin/env bash
# test.sh - build (if needed) and run every test: unit, tool, golden,
# end-to-end through tshark, and the plugin tests when it is built.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
ctest --test-dir build --output-on-failure "$@"
