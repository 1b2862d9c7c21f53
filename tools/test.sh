#!/usr/bin/env bash
# Builds AutoSync and runs every test: unit tests, the backend contract suite on the local
# backend, s3rver and azurite. Installs what is missing first (tools/setup.sh).
#   tools/test.sh              release build (RelWithDebInfo) in build/
#   tools/test.sh --sanitize   ASan + UBSan build in build-asan/
#   tools/test.sh -L unit      extra arguments go to ctest (here: unit tests only)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build=build-asan
  cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DAUTOSYNC_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

bash tools/setup.sh
cmake -S . -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 "$@"
