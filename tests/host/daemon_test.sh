#!/usr/bin/env bash
# faultlined + faultline end to end: apply a loss policy to a target cgroup, measure the target's
# loss and the untouched sibling control, read counters through the CLI, follow its injection
# events (events + dropped = injected), refuse a bad policy without disturbing the live one,
# kill-switch everything, and shut down clean on SIGTERM.
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
# The socket's directory: an existing one keeps its mode; one the daemon creates is 0750.
mkdir -p "$WORK/existing" && chmod 755 "$WORK/existing"
"$FLD" --socket "$WORK/existing/fl.sock" --journal "$WORK/journal2.jsonl" 2>"$WORK/daemon2.log" &
D2=$!
CLEANUP_HOOKS+=("kill -9 $D2 2>/dev/null")
wait_for_daemon "$WORK/existing/fl.sock"
check "an existing socket directory keeps its mode (0755)" [ "$(stat -c %a "$WORK/existing")" = 755 ]
kill -TERM $D2; wait $D2
"$FLD" --socket "$WORK/made/here/fl.sock" --journal "$WORK/journal3.jsonl" 2>"$WORK/daemon3.log" &
D3=$!
CLEANUP_HOOKS+=("kill -9 $D3 2>/dev/null")
wait_for_daemon "$WORK/made/here/fl.sock"
check "a socket directory the daemon creates is 0750" [ "$(stat -c %a "$WORK/made/here")" = 750 ]
check "its socket is 0600" [ "$(stat -c %a "$WORK/made/here/fl.sock")" = 600 ]
kill -TERM $D3; wait $D3
# Limits: a body over 1 MiB is refused with 413; a client that sends nothing is cut off (408).
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$WORK/big"
check "a 2 MiB body gets 413" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" --data-binary @"$WORK/big" http://x/v1/experiments)" = 413 ]
python3 - "$SOCK" >"$WORK/silent.out" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
t = time.time()
s.settimeout(60)
data = s.recv(64)
print(f"{time.time() - t:.1f} {data[:12].decode()}")
PY
check "a silent client gets 408 within the 5 s request timeout ($(cat "$WORK/silent.out"))" awk '$2 == "HTTP/1.1" && $1 < 15 {ok=1} END {exit !ok}' "$WORK/silent.out"
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
# Every injection becomes an event (or is counted as dropped): the follower prints them as JSON
# lines and ends by itself once the experiment has ended.
"$FL" --socket "$SOCK" events --follow daemon-loss >"$WORK/events.jsonl" 2>"$WORK/events.err" &
FOLLOW=$!
CLEANUP_HOOKS+=("kill $FOLLOW 2>/dev/null")

start_receiver 9301 && start_receiver 9302
send_from "$CG/target" 9301 $N
send_from "$CG/control" 9302 $N
t=$(received 9301); c=$(received 9302)
check "target loss $((N - t))/$N within the binomial bound of 25%" within_binomial $((N - t)) $N 0.25
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
check "events --follow ends once its experiment has ended" wait_for 100 bash -c "! kill -0 $FOLLOW 2>/dev/null"
wait $FOLLOW
check "  with status 0" [ $? = 0 ]
injected=$("$FL" --socket "$SOCK" --json status daemon-loss | jq '.faults[0].injected')
dropped=$(curl -s --unix-socket "$SOCK" 'http://x/v1/events?max=1' | jq .droppedInKernel)
events=$(grep -c '"experiment":"daemon-loss"' "$WORK/events.jsonl")
check "events $events + dropped $dropped = injected $injected" [ $((events + dropped)) = "${injected:-x}" ]
check "an event names pid, comm, cgroup, experiment, fault and effect" bash -c "head -n 1 '$WORK/events.jsonl' |
  jq -e '(.time | test(\"^20[0-9-]+T[0-9:.]+Z\$\")) and .fault == \"drop\" and .effect == \"drop\" and
    .where == \"net egress\" and (.cgroup > 0) and (.pid | type) == \"number\" and (.comm | type) == \"string\"' >/dev/null" ||
  head -n 2 "$WORK/events.jsonl" "$WORK/events.err"
check "events without --follow prints the same events and returns" bash -c \
  "[ \$(timeout 30 $FL --socket $SOCK events daemon-loss | wc -l) = $events ]"
check "events of an experiment never run: exit 1 with the reason" bash -c \
  "! $FL --socket $SOCK events nosuch 2>$WORK/nosuch.err && grep -q 'nosuch' $WORK/nosuch.err"

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
check "the journal records who asked for each change (uid 0, a pid)" bash -c "grep '\"event\":\"request\"' $WORK/journal.jsonl | grep '\"method\":\"POST\"' | grep -q '\"caller\":{\"pid\":[1-9][0-9]*,\"uid\":0}'"
finish
