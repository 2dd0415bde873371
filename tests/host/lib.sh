# Shared by the end-to-end shell tests: a private veth pair between two network namespaces,
# target and control cgroups, assertions, and cleanup that runs however the test ends.
# Usage: source lib.sh BUILD_DIR TAG
set -uo pipefail
BUILD=$(cd "$1" && pwd)
# The source tree, for scripts that live in a family's folder (userspace/faults/<family>/tests/).
FL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TAG=$2
FL=$BUILD/userspace/faultline
FLD=$BUILD/userspace/faultlined
UDP=$BUILD/tests/fl_udp
NS_A=fl-$TAG-a
NS_B=fl-$TAG-b
ADDR_B=192.0.2.2
# The cgroup2 mount point: the field after " - " is the fstype (optional fields vary in number).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/cgroup.sh"
CG_ROOT=$(cgroup2_root)
CG=$CG_ROOT/faultline-$TAG-$$
WORK=$(mktemp -d /tmp/faultline-$TAG-XXXXXX)
FAILURES=0
CHECKS=0
SKIPPED=0
STARTED_US=${EPOCHREALTIME/[.,]/}
CLEANUP_HOOKS=()

cleanup() {
  local i
  for hook in "${CLEANUP_HOOKS[@]}"; do eval "$hook" || true; done
  for d in "$CG/target" "$CG/control" "$CG"; do
    [ -d "$d" ] || continue
    for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    for ((i = 0; i < 50; i++)); do rmdir "$d" 2>/dev/null && break; nap 0.1; done
  done
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

setup_net() {
  ip netns del "$NS_A" 2>/dev/null; ip netns del "$NS_B" 2>/dev/null
  ip netns add "$NS_A" && ip netns add "$NS_B" &&
    ip link add flva netns "$NS_A" type veth peer name flvb netns "$NS_B" &&
    ip -n "$NS_A" addr add 192.0.2.1/24 dev flva && ip -n "$NS_B" addr add $ADDR_B/24 dev flvb &&
    ip -n "$NS_A" link set flva up && ip -n "$NS_B" link set flvb up &&
    ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up
}

setup_cgroups() { mkdir -p "$CG/target" "$CG/control"; }
# A free loopback TCP port: the kernel picks one for a throwaway listener.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# check's verdict lines go to the test's own output even from `check ... cmd >/dev/null`, where
# the redirection silences the command and would silence the line with it.
exec {CHECK_OUT}>&1
# The time since the test started, into AT: it leads each verdict line (where a slow case spends
# its minutes). Pure bash (a process start costs 160 ms in a TCG guest): EPOCHREALTIME in tenths.
since_start() {
  local now=${EPOCHREALTIME/[.,]/}
  now=$(((now - STARTED_US) / 100000))
  printf -v AT '%4d.%ds' $((now / 10)) $((now % 10))
}
check() { # description, command...: returns the command's verdict (for `check ... || show`)
  local what=$1; shift
  CHECKS=$((CHECKS + 1))
  local verdict=0
  "$@" || verdict=1
  since_start
  if [ $verdict = 0 ]; then echo "ok   $AT $what" >&"$CHECK_OUT"; return 0; fi
  echo "FAIL $AT $what" >&"$CHECK_OUT"
  FAILURES=$((FAILURES + 1))
  return 1
}
# A check this machine or kernel cannot run, with the reason: counted apart from the checks that
# ran (never as passed) and reported in finish's line, so a run that skipped something says so.
# One call per check, or per section of checks that the same missing feature rules out; name what
# is not verified and why: skip "io.max holds direct writes to 1 MiB/s: no loop device here".
skip() { # what and why
  SKIPPED=$((SKIPPED + 1))
  since_start
  echo "skip $AT $1" >&"$CHECK_OUT"
}

# A sleep without a process: each start of /bin/sleep costs 160 ms in a TCG guest, more than
# the sleep itself. read times out on a FIFO nobody writes (opened read-write, so the open does
# not block). A loop started with `bash -c` opens it for itself: exec may close what it inherits.
mkfifo "$WORK/.nap"
exec {NAP_FD}<>"$WORK/.nap"
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }
# Readiness is waited for, never slept for: every wait polls for its condition and gives up
# only after a bound generous enough for a loaded machine running a TCG guest.
wait_for() { # tenths-of-a-second command...
  local n=$1 i; shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; nap 0.1; done
  return 1
}
# Starts a receiver in NS_B on PORT; it counts until `received` sends the end marker.
start_receiver() {
  local port=$1
  ip netns exec "$NS_B" "$UDP" recv $ADDR_B "$port" >"$WORK/rx-$port" 2>&1 &
  wait_for 600 grep -qs ready "$WORK/rx-$port" # -s: the file appears with the receiver
}
received() { # port: ends the count with the end marker (sent from here, outside every faulted
             # cgroup, so no fault can drop it) and prints what the receiver got
  ip netns exec "$NS_A" "$UDP" end $ADDR_B "$1" >/dev/null
  wait_for 1300 grep -q 'received\|no end marker' "$WORK/rx-$1"
  awk '/received/ {print $2}' "$WORK/rx-$1"
}
# faultlined on $SOCK with its journal and log in $WORK (appended: a restart keeps the log);
# killed at cleanup. Sets DAEMON.
start_daemon() {
  "$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>>"$WORK/daemon.log" &
  DAEMON=$!
  CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
  wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
}
# A process that lives in CGROUP inside NS_A until cleanup: the target's network namespace is
# where device changes (fq, tc) must go.
start_resident() { # cgroup
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A sleep 1000" &
  wait_for 100 grep -q . "$1/cgroup.procs"
}
# $WORK/NAME.yaml: an experiment of one fault on one target. TARGET and FAULT_KEYS are flow
# style: "cgroup: $CG/target"; "network: {loss: 10%}, trigger: {times: 2}" (the fault's keys
# after its name). Each SPEC_KEY is one more spec line: "dryRun: true".
one_fault_policy() { # name duration target fault-name fault-keys [spec-key...]
  local name=$1 duration=$2 target=$3 fault_name=$4 fault=$5 key
  shift 5
  {
    printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: %s}\nspec:\n  duration: %s\n' \
      "$name" "$duration"
    for key in "$@"; do printf '  %s\n' "$key"; done
    printf '  targets: [{%s}]\n  faults:\n    - {name: %s, %s}\n' "$target" "$fault_name" "$fault"
  } >"$WORK/$name.yaml"
}
state_is() { # experiment state: its state in faultlined at $SOCK is STATE
  [ "$("$FL" --socket "$SOCK" --json status "$1" | jq -r .state)" = "$2" ]
}
wait_for_daemon() { # socket: until the API answers; gives up at once when faultlined exited
  # The socket file first, with builtins only: each `faultline list` is a process start (630 ms
  # in a TCG guest), and most of a start is spent before the socket exists.
  local i
  for ((i = 0; i < 1200; i++)); do
    if [ -S "$1" ]; then "$FL" --socket "$1" list >/dev/null 2>&1 && return 0; fi
    [ -n "${DAEMON:-}" ] && ! kill -0 "$DAEMON" 2>/dev/null && return 1
    nap 0.05
  done
  return 1
}
# Sends COUNT datagrams to PORT from a process in CGROUP (joined before entering the netns).
send_from() { # cgroup port count
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A $UDP send $ADDR_B $2 $3" >/dev/null
}
# Loss count within the two-sided binomial bound of n*p at z = 4.42 (a chance failure once in
# 100,000 checks): a CI run makes about a hundred such checks across its kernels, and at 99.9%
# (z = 3.29) one run in ten failed by chance alone (6.1-inject saw a 3.9 sigma EIO share once; four
# further runs of 3,000 calls gave 70.1%, 70.7%, 72.0%, 69.3% of a 70% weight). A broken rate or
# mix is off by far more.
within_binomial() { # lost n p
  awk -v k="$1" -v n="$2" -v p="$3" 'BEGIN { m = n * p; sd = sqrt(n * p * (1 - p)); exit !(k >= m - 4.42 * sd && k <= m + 4.42 * sd) }'
}
# A counter of a report (--report FILE): the first "KEY": N in it, exactly (no substring match).
count_of() { grep -o "\"$1\": [0-9]*" "$2" 2>/dev/null | head -1 | grep -o '[0-9]*$'; }
faultline_programs() { bpftool prog show 2>/dev/null | grep -oE 'fl_(skb|lsm|fmod|tc|sys|kprobe)_[a-z_0-9]*'; }
no_faultline_programs() { [ -z "$(faultline_programs)" ]; }

# The test's last line, "TAG: P of N checks passed" (", S skipped" when any were), which the VM
# cases' expectations and vmtests/guest/run-cases.sh read; its status is the test's. A test that
# ran no check fails whatever it skipped: it proved nothing.
finish() {
  local skipped=""
  [ "$SKIPPED" -gt 0 ] && skipped=", $SKIPPED skipped"
  echo "$TAG: $((CHECKS - FAILURES)) of $CHECKS checks passed$skipped"
  if [ "$CHECKS" -eq 0 ]; then
    echo "$TAG: FAIL: no check ran"
    return 1
  fi
  [ "$FAILURES" -eq 0 ]
}
