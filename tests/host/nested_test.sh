#!/usr/bin/env bash
# Nested targets are exact: a process is subject to each matching rule once, however targets
# nest. One experiment on a and a/b at 50% loss drops 50% for a process in a/b (not 75%); two
# experiments, 50% on a and 50% on a/b, compose to 1 - 0.5 * 0.5 = 75% there and 50% in a.
source "$(dirname "$0")/lib.sh" "$1" nested
N=2000
SOCK=$WORK/fl.sock
setup_net || exit 1
mkdir -p "$CG/a/b" "$CG/control"
CLEANUP_HOOKS+=("rmdir $CG/a/b 2>/dev/null; rmdir $CG/a 2>/dev/null")
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }

policy() { # name loss target...
  local name=$1 loss=$2; shift 2
  printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: %s}\nspec:\n  duration: 300s\n  targets:\n' "$name"
  for t in "$@"; do printf '    - cgroup: %s\n' "$t"; done
  printf '  faults:\n    - name: drop\n      network: {loss: %s, protocol: udp}\n' "$loss"
}
measure() { # cgroup port: prints the datagrams lost out of N
  start_receiver "$2" || { echo "receiver on $2 not ready" >&2; echo -1; return; }
  send_from "$1" "$2" $N
  echo $((N - $(received "$2")))
}

policy nest-one 50% "$CG/a" "$CG/a/b" >"$WORK/one.yaml"
"$FL" --socket "$SOCK" apply -f "$WORK/one.yaml" >/dev/null
inner=$(measure "$CG/a/b" 9401); outer=$(measure "$CG/a" 9402); ctl=$(measure "$CG/control" 9403)
check "one experiment on a and a/b: a/b loses $inner/$N, within the bound of 50% (not 75%)" within_binomial "$inner" $N 0.5
check "one experiment on a and a/b: a loses $outer/$N, within the bound of 50%" within_binomial "$outer" $N 0.5
check "control untouched ($ctl lost)" [ "$ctl" = 0 ]
"$FL" --socket "$SOCK" stop nest-one >/dev/null

policy nest-parent 50% "$CG/a" >"$WORK/parent.yaml"
policy nest-child 50% "$CG/a/b" >"$WORK/child.yaml"
"$FL" --socket "$SOCK" apply -f "$WORK/parent.yaml" >/dev/null
"$FL" --socket "$SOCK" apply -f "$WORK/child.yaml" >/dev/null
inner=$(measure "$CG/a/b" 9404); outer=$(measure "$CG/a" 9405); ctl=$(measure "$CG/control" 9406)
check "experiments on a and a/b: a/b loses $inner/$N, within the bound of 1-0.5*0.5 = 75%" within_binomial "$inner" $N 0.75
check "experiments on a and a/b: a loses $outer/$N, within the bound of 50%" within_binomial "$outer" $N 0.5
check "control untouched ($ctl lost)" [ "$ctl" = 0 ]
"$FL" --socket "$SOCK" --json status nest-child >"$WORK/child.json"
"$FL" --socket "$SOCK" --json status nest-parent >"$WORK/parent.json"
child_inj=$(jq '[.faults[].injected] | add' "$WORK/child.json")
parent_inj=$(jq '[.faults[].injected] | add' "$WORK/parent.json")
# The child rule sees only a/b's datagrams; the parent rule sees a/b's and a's. Each counts its
# own decisions, so the child's count is about N/2 and the parent's about N.
check "child rule injected $child_inj times, within the bound of 50% of $N" within_binomial "$child_inj" $N 0.5
check "parent rule injected $parent_inj times, within the bound of 50% of $((2 * N))" within_binomial "$parent_inj" $((2 * N)) 0.5

"$FL" --socket "$SOCK" stop nest-child >/dev/null
inner=$(measure "$CG/a/b" 9407)
check "after stopping the child experiment, a/b loses $inner/$N, within the bound of 50%" within_binomial "$inner" $N 0.5
"$FL" --socket "$SOCK" stop --all >/dev/null
inner=$(measure "$CG/a/b" 9408)
check "after stop --all nothing is lost ($inner)" [ "$inner" = 0 ]
kill -TERM $DAEMON; wait $DAEMON
finish
