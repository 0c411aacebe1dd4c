#!/usr/bin/env bash
# test.sh - build (if needed) and run every test:
#   1. the unit, tool, golden and end-to-end tests again under AddressSanitizer
#      and UndefinedBehaviorSanitizer (build-asan; the plugin runs inside
#      tshark, so its tests run in the normal build only), and the plugin
#      built with them on damaged captures (build-asan-plugin: plugin_damage);
#   2. the libFuzzer harnesses over the TSV reader and the engine, and
#      over the capture decoder and the engine, 60 s each, seeded from
#      captures/ (needs clang; a finding fails the run);
#   3. every test (ctest) in the normal build, the plugin's included.
# TCPFSM_QUICK=1 runs only step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

if [ "${TCPFSM_QUICK:-0}" != 1 ]; then
    echo "== tests under ASan + UBSan"
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTCPFSM_SANITIZE=ON \
        -DTCPFSM_BUILD_PLUGIN=OFF >/dev/null
    cmake --build build-asan -j"$jobs" >/dev/null
    ctest --test-dir build-asan --output-on-failure

    # the plugin built with ASan + UBSan, loaded into tshark with libasan
    # preloaded, on damaged copies of every capture (plugin_damage)
    echo "== the plugin under ASan + UBSan on damaged captures"
    cmake -S . -B build-asan-plugin -DCMAKE_BUILD_TYPE=Debug -DTCPFSM_SANITIZE=ON >/dev/null
    if cmake --build build-asan-plugin -j"$jobs" --target tcpfsm_plugin >/dev/null 2>&1; then
        ctest --test-dir build-asan-plugin --output-on-failure -R '^plugin_damage$'
    else
        echo "no plugin target (Wireshark's development files missing?): skipped"
    fi

    if command -v clang >/dev/null 2>&1; then
        echo "== fuzzing the TSV reader and the engine (60 s)"
        cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DTCPFSM_FUZZ=ON \
            -DTCPFSM_BUILD_PLUGIN=OFF -DBUILD_TESTING=OFF >/dev/null
        cmake --build build-fuzz -j"$jobs" --target fuzz_tsv >/dev/null
        corpus=$(mktemp -d)
        trap 'rm -rf "$corpus"' EXIT
        cp captures/*.tsv "$corpus/"
        find tests/fuzz-regressions -maxdepth 1 -type f -exec cp -t "$corpus" {} +
        if ! (cd build-fuzz && ./fuzz_tsv -max_total_time=60 -timeout=10 \
                -rss_limit_mb=2048 "$corpus" >fuzz.log 2>&1); then
            tail -40 build-fuzz/fuzz.log
            echo "fuzz_tsv: a finding (crash-* / timeout-* in build-fuzz/): add it to tests/fuzz-regressions once fixed"
            exit 1
        fi
        grep -E '^Done [0-9]+ runs' build-fuzz/fuzz.log || true

        echo "== fuzzing the capture decoder (pcapsrc), the input layer and the engine (60 s)"
        cmake --build build-fuzz -j"$jobs" --target fuzz_pcap >/dev/null
        pcorpus=$(mktemp -d)
        trap 'rm -rf "$corpus" "$pcorpus"' EXIT
        # seeds: the captures (cut at 64 KiB), crafted ones for the link
        # types and layers they lack, and the saved regressions
        for f in captures/*.pcap* ../shared/captures/*/*.pcap*; do
            if [ -f "$f" ]; then
                head -c 65536 "$f" >"$pcorpus/$(echo "${f#../}" | tr / _)"
            fi
        done
        if command -v python3 >/dev/null 2>&1; then
            python3 fuzz/pcap_seeds.py "$pcorpus"
        fi
        cp tests/fuzz-regressions/pcap/* "$pcorpus/"
        if ! (cd build-fuzz && ./fuzz_pcap -max_total_time=60 -timeout=10 \
                -max_len=65536 -rss_limit_mb=2048 "$pcorpus" >fuzz_pcap.log 2>&1); then
            tail -40 build-fuzz/fuzz_pcap.log
            echo "fuzz_pcap: a finding (crash-* / timeout-* in build-fuzz/): add it to tests/fuzz-regressions/pcap once fixed"
            exit 1
        fi
        grep -E '^Done [0-9]+ runs' build-fuzz/fuzz_pcap.log || true
    else
        echo "== clang not installed: fuzzing skipped"
    fi
fi

echo "== every test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build --output-on-failure "$@"
