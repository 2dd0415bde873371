#!/usr/bin/env bash
# faultlined SIGKILLed mid-experiment and started again: the experiment that was running is
# recorded as aborted in the journal exactly once (also across a further restart), and status
# says so; one that ended before the kill and one that was refused are not; the target, whose
# rule left with the killed daemon's links, loses nothing afterwards.
source "$(dirname "$0")/lib.sh" "$1" restart
N=1000
SOCK=$WORK/fl.sock
JOURNAL=$WORK/journal.jsonl
setup_net || exit 1
setup_cgroups
start_daemon

policy() { # name: 50% UDP loss on the target for two minutes
  one_fault_policy "$1" 120s "cgroup: $CG/target" drop "network: {loss: 50%, protocol: udp}"
}
# The journal's records of one experiment and event.
records() { jq -c --arg n "$1" --arg e "$2" 'select(.name == $n and .event == $e)' "$JOURNAL"; }
count_records() { records "$1" "$2" | wc -l; }

# One experiment ends normally before the kill, one is refused (its target does not exist),
# one is running when the daemon dies.
policy finished
"$FL" --socket "$SOCK" apply -f "$WORK/finished.yaml" >/dev/null
"$FL" --socket "$SOCK" stop finished >/dev/null
one_fault_policy refused 120s "cgroup: $CG/nosuch" drop "network: {loss: 50%, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/refused.yaml" 2>/dev/null
check "a policy on a missing cgroup is refused" [ $? != 0 ]
policy killed
"$FL" --socket "$SOCK" apply -f "$WORK/killed.yaml" >"$WORK/apply.out"
check "the experiment runs" grep -q "experiment killed: running" "$WORK/apply.out"
start_receiver 9401
send_from "$CG/target" 9401 $N
before=$(received 9401)
check "the target loses packets while it runs ($((N - before))/$N within the bound of 50%)" \
  within_binomial $((N - before)) $N 0.5

kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
start_daemon
check "the restart journaled one aborted record for the experiment it cut short" \
  [ "$(count_records killed aborted)" = 1 ]
check "  saying why" grep -q "^the previous faultlined ended without stopping it" \
  <(records killed aborted | jq -r .reason)
check "none for the experiment that ended before the kill" [ "$(count_records finished aborted)" = 0 ]
check "none for the refused one" [ "$(count_records refused aborted)" = 0 ]
"$FL" --socket "$SOCK" status killed >"$WORK/status.out" 2>&1
check "status says it was aborted ($(head -n 1 "$WORK/status.out"))" \
  grep -q "experiment killed: aborted - the previous faultlined ended without stopping it" "$WORK/status.out"
check "  and so does its JSON" state_is killed aborted
start_receiver 9402
send_from "$CG/target" 9402 $N
check "the target loses nothing after the kill (its rule left with the daemon's links)" \
  [ "$(received 9402)" = $N ]

# A further restart, clean or not, records nothing more for it.
kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
start_daemon
kill -TERM $DAEMON; wait $DAEMON
check "the shutdown after it is clean" [ $? = 0 ]
start_daemon
check "two more restarts added no aborted record" [ "$(count_records killed aborted)" = 1 ]
kill -TERM $DAEMON; wait $DAEMON
check "no faultline program stays attached" no_faultline_programs
finish
