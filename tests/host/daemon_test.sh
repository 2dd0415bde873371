#!/usr/bin/env bash
# faultlined + faultline end to end: apply a loss policy to a target cgroup, measure the target's
# loss and the untouched sibling control, read counters through the CLI, refuse a bad policy
# without disturbing the live one, kill-switch everything, and shut down clean on SIGTERM.
source "$(dirname "$0")/lib.sh" "$1" daemon
N=2000
SOCK=$WORK/fl.sock
setup_net || exit 1
setup_cgroups
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
check "socket is root-only (0600)" [ "$(stat -c %a "$SOCK")" = 600 ]
check "health answers over the Unix socket" bash -c "curl -sf --unix-socket $SOCK http://x/v1/health | grep -q ok"

cat >"$WORK/loss.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: daemon-loss}
spec:
  duration: 120s
  targets:
    - cgroup: $CG/target
  faults:
    - name: drop
      network: {loss: 25%, protocol: udp}
POLICY
"$FL" --socket "$SOCK" apply -f "$WORK/loss.yaml" >"$WORK/apply.out"
check "apply succeeds" grep -q "experiment daemon-loss: running" "$WORK/apply.out"

start_receiver 9301 && start_receiver 9302
send_from "$CG/target" 9301 $N
send_from "$CG/control" 9302 $N
t=$(received 9301); c=$(received 9302)
check "target loss $((N - t))/$N within the 99.9% bound of 25%" within_binomial $((N - t)) $N 0.25
check "control lost nothing ($c/$N)" [ "$c" = "$N" ]
"$FL" --socket "$SOCK" --json status daemon-loss >"$WORK/status.json"
check "status counts the injected drops" grep -q "\"injected\": $((N - t))" "$WORK/status.json"

sed 's/protocol: udp/protocol: udpp/' "$WORK/loss.yaml" | sed 's/daemon-loss/other/' >"$WORK/bad.yaml"
curl -s --unix-socket "$SOCK" -X POST -d "$(jq -n --rawfile p "$WORK/bad.yaml" '{policy: $p, file: "bad.yaml"}')" \
  http://x/v1/experiments >"$WORK/bad.out"
check "a bad policy is refused with file:line:col" grep -q "bad.yaml:10:38: spec.faults\[0\].network.protocol: unknown protocol 'udpp'" "$WORK/bad.out"
check "the bad policy created no experiment" bash -c "! $FL --socket $SOCK list | grep -q other"
"$FL" --socket "$SOCK" apply -f "$WORK/loss.yaml" 2>"$WORK/dup.err"
check "applying a running name again is refused" grep -q "already running" "$WORK/dup.err"
start_receiver 9303
send_from "$CG/target" 9303 $N
t2=$(received 9303)
check "the live experiment still drops after the refusals" within_binomial $((N - t2)) $N 0.25

"$FL" --socket "$SOCK" stop --all >"$WORK/stop.out"
check "stop --all reports the stopped experiment" grep -q "1 experiment" "$WORK/stop.out"
start_receiver 9304
send_from "$CG/target" 9304 $N
check "after stop --all nothing is dropped" [ "$(received 9304)" = "$N" ]
"$FL" --socket "$SOCK" status daemon-loss >"$WORK/final.out"
check "the stopped experiment keeps its final counters" grep -q "daemon-loss: stopped" "$WORK/final.out"

sed -e 's/daemon-loss/short/' -e 's/120s/2s/' "$WORK/loss.yaml" >"$WORK/short.yaml"
timeout 30 "$FL" --socket "$SOCK" run "$WORK/short.yaml" >"$WORK/run.out"
check "run waits for the deadline and reports completion" grep -q "experiment short: completed - duration elapsed" "$WORK/run.out"

"$FL" --socket "$SOCK" apply -f "$WORK/loss.yaml" >/dev/null
kill -TERM $DAEMON
wait $DAEMON
check "SIGTERM shuts the daemon down cleanly" [ $? = 0 ]
check "the socket is removed" [ ! -e "$SOCK" ]
check "no faultline program stays attached" no_faultline_programs
check "the journal recorded start and stop" bash -c "grep -q '\"event\":\"started\"' $WORK/journal.jsonl && grep -q '\"event\":\"stopped\"' $WORK/journal.jsonl"
finish
