#!/usr/bin/env bash
# The main demo: a real experiment from policies/ on this machine (or, with --vm, inside the VM
# on a Debian kernel). A target and a control workload in sibling cgroups send UDP across a veth
# pair between two network namespaces made here; faultlined applies policies/udp-loss.yaml to
# the target; the figures before / during / after are measured by the workloads themselves.
# Then the file fault (policies/disk-eio.yaml) through `faultline exec`, where the kernel can.
# Everything made is removed at the end.
#   scripts/demo.sh          on this machine (installs and builds what is missing)
#   scripts/demo.sh --vm     the same inside the VM (Debian 6.12 kernel; --kernel 6.1 for 6.1)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "scripts/demo.sh needs root (BPF, cgroups, network namespaces)" >&2; exit 1; }
mode=host; kernel=6.12
while [ $# -gt 0 ]; do
  case "$1" in
    --vm) mode=vm; shift ;;
    --kernel) kernel=$2; shift 2 ;;
    --in-vm) mode=in-vm; shift ;;
    *) echo "usage: scripts/demo.sh [--vm [--kernel 6.1|6.12]]" >&2; exit 2 ;;
  esac
done
if [ $mode != in-vm ]; then
  scripts/deps.sh >/dev/null || exit 1
  echo "building..."
  scripts/build.sh release >/dev/null || { echo "build failed (run scripts/build.sh to see why)"; exit 1; }
fi
if [ $mode = vm ]; then
  vmtests/run.sh --kernel "$kernel" --case demo >/dev/null
  status=$?
  cat "vmtests/out/$kernel/demo.log"
  exit $status
fi

B=$top/build
FL=$B/userspace/faultline; FLD=$B/userspace/faultlined; UDP=$B/tests/fl_udp
N=2000
source "$top/scripts/lib/cgroup.sh"
CG_ROOT=$(cgroup2_root)
CG=$CG_ROOT/faultline-demo
WORK=$(mktemp -d /tmp/faultline-demo-XXXXXX)
SOCK=$WORK/faultline.sock
DAEMON=""
cleanup() {
  [ -n "$DAEMON" ] && kill -TERM "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  for d in "$CG/target" "$CG/control" "$CG"; do
    [ -d "$d" ] || continue
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    for _ in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
  done
  ip netns del fl-demo-a 2>/dev/null; ip netns del fl-demo-b 2>/dev/null
  rm -rf "$WORK" /tmp/faultline-disk
}
trap cleanup EXIT

echo "== what this kernel supports ($(uname -r))"
"$FL" doctor | sed -n '/fault backends/,$p'

ip netns add fl-demo-a && ip netns add fl-demo-b &&
  ip link add flva netns fl-demo-a type veth peer name flvb netns fl-demo-b &&
  ip -n fl-demo-a addr add 192.0.2.1/24 dev flva && ip -n fl-demo-b addr add 192.0.2.2/24 dev flvb &&
  ip -n fl-demo-a link set flva up && ip -n fl-demo-b link set flvb up || { echo "cannot build the demo network"; exit 1; }
mkdir -p "$CG/target" "$CG/control"

# One round: target and control each send N datagrams; prints "received/N (loss%)" for both and
# leaves the counts in GOT_target and GOT_control.
port=9400
round() {
  local label=$1 out=""
  for who in target control; do
    port=$((port + 1))
    ip netns exec fl-demo-b "$UDP" recv 192.0.2.2 $port >"$WORK/rx" &
    local rx=$!
    # Readiness is waited for (up to 60 s on a busy machine), never slept for.
    for _ in $(seq 600); do grep -q ready "$WORK/rx" 2>/dev/null && break; sleep 0.1; done
    sh -c "echo \$\$ > $CG/$who/cgroup.procs && exec ip netns exec fl-demo-a $UDP send 192.0.2.2 $port $N" >/dev/null
    # The receiver counts until this end marker, sent from outside the faulted cgroup.
    ip netns exec fl-demo-a "$UDP" end 192.0.2.2 $port >/dev/null
    wait $rx
    local got
    got=$(awk '/received/ {print $2}' "$WORK/rx")
    printf -v "GOT_$who" '%s' "${got:-0}"
    out+=$(awk -v g="$got" -v n=$N 'BEGIN { printf "  %5d/%d received (%5.1f%% loss)", g, n, 100 * (n - g) / n }')
  done
  printf '%-8s%s\n' "$label" "$out"
}

echo
echo "== network: policies/udp-loss.yaml (30% egress UDP loss) on cgroup faultline-demo/target"
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 600); do "$FL" --socket "$SOCK" list >/dev/null 2>&1 && break; sleep 0.1; done
printf '%-8s  %-36s  %s\n' "" "target" "control (sibling cgroup)"
PROBLEMS=()
expect_all() { # label: both workloads must have lost nothing
  [ "$GOT_target" = $N ] && [ "$GOT_control" = $N ] || PROBLEMS+=("$1: a workload lost datagrams with no fault applied")
}
round before
expect_all before
"$FL" --socket "$SOCK" apply -f policies/udp-loss.yaml >/dev/null || { echo "apply failed"; exit 1; }
round during
# The demo checks what it shows: the target's loss within the binomial 99.9% bound of 30%.
awk -v k=$((N - GOT_target)) -v n=$N 'BEGIN { m = n * 0.3; sd = sqrt(n * 0.3 * 0.7); exit !(k >= m - 3.29 * sd && k <= m + 3.29 * sd) }' ||
  PROBLEMS+=("during: the target lost $((N - GOT_target))/$N, outside the 99.9% bound of 30%")
[ "$GOT_control" = $N ] || PROBLEMS+=("during: the control lost datagrams")
echo "faultlined's own counters:"
"$FL" --socket "$SOCK" status udp-loss | sed 's/^/  /'
"$FL" --socket "$SOCK" stop udp-loss >/dev/null
round after
expect_all after

echo
echo "== file: policies/disk-eio.yaml through \`faultline exec\` (no daemon)"
if "$FL" doctor --require lsm >/dev/null || "$FL" doctor --require fmod_ret_security >/dev/null; then
  mkdir -p /tmp/faultline-disk && echo data >/tmp/faultline-disk/f
  "$FL" exec -p policies/disk-eio.yaml -q -- cat /tmp/faultline-disk/f >"$WORK/file.out" 2>&1
  sed 's/^/  under the policy:  /' "$WORK/file.out"
  grep -q "Input/output error" "$WORK/file.out" || PROBLEMS+=("file: the open under the policy did not fail with EIO")
  echo "  outside it:        $(cat /tmp/faultline-disk/f)"
else
  echo "  this kernel cannot inject file faults:"
  "$FL" doctor | grep -A1 '^  file\.' | sed 's/^ */  /'
  echo "  (scripts/demo.sh --vm shows them on a Debian kernel)"
fi
echo
if [ ${#PROBLEMS[@]} -gt 0 ]; then
  printf 'demo FAILED: %s\n' "${PROBLEMS[@]}"
  exit 1
fi
echo "demo done: every figure is as expected; everything it made is being removed"
