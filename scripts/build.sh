#!/usr/bin/env bash
# Configures and builds one configuration. Usage: scripts/build.sh [release|asan] (default release)
# Build trees: build/ (release), build-asan/ (AddressSanitizer + UBSan).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case "$kind" in
  release) dir=$top/build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=$top/build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DFAULTLINE_SANITIZE=ON) ;;
  *) echo "unknown build kind $kind (release|asan)" >&2; exit 2 ;;
esac
cmake -S "$top" -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
