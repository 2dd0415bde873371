#!/usr/bin/env bash
# Installs what faultline needs to build and test, from Debian 12's archive. Idempotent: when
# everything is present it changes nothing and needs no network.
set -euo pipefail
packages=(
  build-essential cmake pkg-config clang llvm clang-format clang-tidy
  libbpf-dev bpftool libelf-dev zlib1g-dev libfmt-dev libgtest-dev libgmock-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libcpp-httplib-dev
  libclang-rt-14-dev python3
  qemu-system-x86 busybox-static cpio kmod xz-utils iproute2 iputils-ping procps jq curl ethtool
  # bulk TCP against netem (userspace/faults/network/tests/host/net_bulk_test.sh)
  iperf3
  # the 6.1-inject VM kernel, built from source (vmtests/kernel/build-inject.sh)
  linux-source-6.1 bc flex bison libssl-dev dwarves
  # a real Prometheus server for the PromQL stop condition (tests/host/prometheus_test.sh)
  prometheus
  # systemd as PID 1 of a container, to start the installed unit (tests/host/install_test.sh)
  systemd-container
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
