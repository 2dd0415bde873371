#!/usr/bin/env bash
# The main demo. Until the control plane (policy files, daemon, CLI) lands, it builds and shows
# what this kernel supports.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "scripts/demo.sh needs root" >&2; exit 1; }
scripts/deps.sh
scripts/build.sh release
build/userspace/faultline doctor
echo "demo: not yet (the policy/daemon/CLI demo arrives with the control plane)"
