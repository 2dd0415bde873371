#!/usr/bin/env bash
# Configures and builds one configuration.
#   scripts/build.sh [release|asan] [-DOPTION=VALUE ...]   (default release)
# Build trees: build/ (release), build-asan/ (AddressSanitizer + UBSan). Options after the kind
# go to cmake; like any cmake option they stay in the tree's cache, except FAULTLINE_UNIT_TESTS,
# FAULTLINE_DEBUG_INFO and CMAKE_UNITY_BUILD, which every run sets (on, full and off unless
# given), so scripts/test.sh's lighter builds are not sticky.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
[ $# -gt 0 ] && shift
case "$kind" in
  release) dir=$top/build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=$top/build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DFAULTLINE_SANITIZE=ON) ;;
  *) echo "unknown build kind $kind (release|asan)" >&2; exit 2 ;;
esac
cmake -S "$top" -B "$dir" "${flags[@]}" -DFAULTLINE_UNIT_TESTS=ON -DFAULTLINE_DEBUG_INFO=full -DCMAKE_UNITY_BUILD=OFF "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
