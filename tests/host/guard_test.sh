#!/usr/bin/env bash
# The blast-radius guard against the real daemon, starting from the symptoms found on main:
# `pid: 1`, `pid: 2`, the daemon's own pid and `cgroup: "."` used to arm the root cgroup. Each
# is refused with file:line:col and the reason, and the refusal leaves the kernel untouched.
# The explicit opt-in is accepted (as a dry run, which injects nothing) and journaled.
source "$(dirname "$0")/lib.sh" "$1" guard
SOCK=$WORK/fl.sock
setup_cgroups
mkdir -p "$CG/target/inner"
CLEANUP_HOOKS+=("rmdir $CG/target/inner 2>/dev/null")
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }

policy() { # file name target-line [extra spec lines]
  printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: %s}\nspec:\n  duration: 30s\n%s  targets:\n    - %s\n  faults:\n    - name: drop\n      network: {loss: 10%%}\n' \
    "$2" "${4:-}" "$3" >"$1"
}
kernel_state() { bpftool cgroup tree 2>/dev/null | grep -c 'fl_skb_'; }
before=$(kernel_state)
refused() { # description target-line expected-message-part
  policy "$WORK/p.yaml" refused "$2"
  "$FL" --socket "$SOCK" apply -f "$WORK/p.yaml" >/dev/null 2>"$WORK/err"
  local status=$?
  check "$1: refused" [ $status != 0 ]
  check "$1: message names p.yaml:7:7 and why" grep -q "p.yaml:7:7: target '.*': .*\($3\)" "$WORK/err"
}
refused "pid 1" "pid: 1" "holds init (pid 1)\|is the root cgroup"
refused "pid 2 (kthreadd)" "pid: 2" "is the root cgroup\|holds kernel threads"
refused "the daemon's own pid" "pid: $DAEMON" "holds faultline itself\|is the root cgroup\|holds init"
refused "cgroup \".\"" 'cgroup: "."' "is the root cgroup"
refused "cgroup \"/\" (the filesystem root, no cgroup)" 'cgroup: "/"' "is the root cgroup\|is not a cgroup v2 directory"
refused "cgroup with '..' that resolves to the root" "cgroup: \"$CG/target/../..\"" "is the root cgroup"
check "no refusal attached a program" [ "$(kernel_state)" = "$before" ]
check "no refusal created an experiment" bash -c "[ \"\$($FL --socket $SOCK --json list | jq length)\" = 0 ]"

policy "$WORK/p.yaml" noncg "cgroup: /proc"
"$FL" --socket "$SOCK" apply -f "$WORK/p.yaml" >/dev/null 2>"$WORK/err"
check "a path outside cgroup2 is refused" grep -q "/proc is not a cgroup v2 directory" "$WORK/err"

# Canonical resolution: "target/inner/.." and "target/" are the target itself, and a symlink
# to it resolves to it too.
ln -s "$CG/target" "$WORK/link"
policy "$WORK/p.yaml" canon "cgroup: \"$WORK/link/inner/../\""
"$FL" --socket "$SOCK" --json apply -f "$WORK/p.yaml" >"$WORK/canon.json" 2>"$WORK/err"
check "a symlinked, dotted, slashed path resolves to the cgroup" bash -c "jq -e '.targets[0].path == \"$CG/target\"' $WORK/canon.json >/dev/null"
"$FL" --socket "$SOCK" stop canon >/dev/null

policy "$WORK/p.yaml" hostwide 'cgroup: "."' $'  dryRun: true\n  safety: {allowHostWide: true}\n'
"$FL" --socket "$SOCK" apply -f "$WORK/p.yaml" >/dev/null 2>"$WORK/err"
check "allowHostWide (as a dry run) is accepted" [ $? = 0 ]
"$FL" --socket "$SOCK" stop hostwide >/dev/null
check "the opt-in is journaled" bash -c "grep '\"event\":\"started\"' $WORK/journal.jsonl | grep hostwide | grep -q '\"allowHostWide\":true'"
kill -TERM $DAEMON; wait $DAEMON

# The operator's limits from faultlined's config: a protected cgroup (and what lies inside it)
# is refused even with the opt-in; more targets than maxTargets are refused.
printf 'protectedCgroups: [%s]\nmaxTargets: 1\n' "$CG/target" >"$WORK/faultlined.yaml"
"$FLD" --config "$WORK/faultlined.yaml" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
policy "$WORK/p.yaml" prot "cgroup: $CG/target/inner" $'  safety: {allowHostWide: true}\n'
"$FL" --socket "$SOCK" apply -f "$WORK/p.yaml" >/dev/null 2>"$WORK/err"
check "a cgroup inside a protected one is refused, opt-in or not" grep -q "which faultlined's config protects (protectedCgroups)" "$WORK/err"
printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: two}\nspec:\n  duration: 30s\n  targets:\n    - cgroup: %s\n    - cgroup: %s\n  faults:\n    - name: drop\n      network: {loss: 10%%}\n' "$CG/control" "$CG/target/inner" >"$WORK/two.yaml"
"$FL" --socket "$SOCK" apply -f "$WORK/two.yaml" >/dev/null 2>"$WORK/err"
check "more targets than maxTargets are refused" grep -q "2 cgroups selected, more than the 1 faultlined allows" "$WORK/err"
echo 'maxTargets: [1]' >"$WORK/bad.yaml"
"$FLD" --config "$WORK/bad.yaml" --socket "$WORK/bad.sock" 2>"$WORK/bad.err"
check "a bad daemon config stops the daemon" [ $? != 0 ]
check "... naming file:line:col" grep -q "bad.yaml:1:13: maxTargets" "$WORK/bad.err"
kill -TERM $DAEMON; wait $DAEMON
finish
