#!/usr/bin/env bash
# Stop conditions through faultlined: a command condition breached mid-experiment aborts it
# (state aborted, the condition and what it saw in the reason and the journal) and the target's
# traffic flows again; a counter condition aborts once the injected count passes its max; an HTTP
# condition aborts when the service's health endpoint starts failing; reports (`report`, `run
# --report --plot`) give the verdict, the timeline and a valid SVG plot; a steady state that does
# not hold first refuses the start, and one back after the end makes the verdict "held". (Consecutive failures:
# tests/unit/watchdog_test.cpp. Abort latency: bench/stop/.)
source "$(dirname "$0")/lib.sh" "$1" stop
SOCK=$WORK/fl.sock
setup_net || exit 1
setup_cgroups
start_daemon
flows_again() { # port: the target's datagrams all arrive
  start_receiver "$1"
  send_from "$CG/target" "$1" 100
  [ "$(received "$1")" = 100 ]
}

# A command condition, checked every 20 ms. (Commands get a 20 s timeout here: on a starved
# machine a shell start can pass the 1 s default, a failure these checks are not about.)
one_fault_policy guarded 120s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "stopConditions: [{name: healthy, command: 'test ! -e $WORK/breach', interval: 20ms, timeout: 20s}]"
"$FL" --socket "$SOCK" apply -f "$WORK/guarded.yaml" >"$WORK/apply.out" 2>&1
check "a policy with a stop condition applies" grep -q "experiment guarded: running" "$WORK/apply.out" ||
  cat "$WORK/apply.out"
start_receiver 9401
send_from "$CG/target" 9401 100
check "while the condition holds the target loses everything" [ "$(received 9401)" = 0 ]
check "and the experiment runs on" state_is guarded running
breach_us=${EPOCHREALTIME/[.,]/}
touch "$WORK/breach"
check "breached: the experiment is aborted" wait_for 100 state_is guarded aborted
"$FL" --socket "$SOCK" --json status guarded >"$WORK/guarded.json"
check "the reason names the condition and what it saw" \
  jq -e '.reason | test("^stop condition .healthy. breached: exit status 1 in [0-9]+ ms$")' "$WORK/guarded.json" >/dev/null ||
  jq .reason "$WORK/guarded.json"
echo "    (aborted $(($(jq .endedAtMs "$WORK/guarded.json") - breach_us / 1000)) ms after the breach; bench/stop measures it)"
check "the target's traffic flows again" flows_again 9402
check "the journal records the abort and why" \
  grep -q '"event":"aborted".*stop condition .healthy. breached' "$WORK/journal.jsonl"

# Its report: the verdict, the failed check in the timeline, a plot that is an SVG naming it.
"$FL" --socket "$SOCK" report guarded --plot "$WORK/guarded.svg" >"$WORK/report.txt"
check "the report's verdict is the abort and why" \
  grep -q "^  verdict: aborted: stop condition 'healthy' breached: exit status 1" "$WORK/report.txt" ||
  cat "$WORK/report.txt"
"$FL" --socket "$SOCK" --json report guarded >"$WORK/report.json"
check "its timeline holds the failed check and counter samples" jq -e \
  '([.timeline.checks[] | select(.condition == "healthy" and (.healthy | not))] | length) >= 1 and
   (.timeline.samples | length) >= 1' "$WORK/report.json" >/dev/null
check "the plot is an SVG document that names the experiment" python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
assert "guarded" in root.find("{http://www.w3.org/2000/svg}title").text
assert root.findall(".//{http://www.w3.org/2000/svg}polyline")' "$WORK/guarded.svg"

# A condition that holds: `run` waits for the end and writes the report and its plot.
one_fault_policy held 2s "cgroup: $CG/target" drop "network: {loss: 10%, protocol: udp}" \
  "stopConditions: [{name: fine, command: 'true', timeout: 20s}]"
timeout 60 "$FL" --socket "$SOCK" run "$WORK/held.yaml" --report "$WORK/held.json" --plot "$WORK/held.svg" \
  >"$WORK/held.out" 2>&1
check "run: a condition that holds lets it complete, verdict held" \
  grep -q "^  verdict: held: no stop condition was breached (completed)" "$WORK/held.out" || cat "$WORK/held.out"
check "run --report writes the JSON report with its checks" \
  jq -e '.verdict == "held: no stop condition was breached (completed)" and ([.timeline.checks[] | select(.healthy)] | length) >= 1' \
  "$WORK/held.json" >/dev/null
check "run --plot writes the SVG" grep -q '<title>faultline experiment held</title>' "$WORK/held.svg"

# A counter condition: at most 50 injections.
one_fault_policy capped 120s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "stopConditions: [{counter: {metric: injected, fault: drop, max: 50}}]"
"$FL" --socket "$SOCK" apply -f "$WORK/capped.yaml" >/dev/null 2>&1
start_receiver 9403
send_from "$CG/target" 9403 200
received 9403 >/dev/null
check "past its max the experiment is aborted" wait_for 100 state_is capped aborted
"$FL" --socket "$SOCK" --json status capped >"$WORK/capped.json"
injected=$(jq '.faults[0].injected' "$WORK/capped.json")
check "after more than 50 injections ($injected)" [ "${injected:-0}" -gt 50 ]
check "the reason gives the count" \
  jq -e '.reason | test("^stop condition .counter-0. breached: injected by drop [0-9]+ > max 50$")' "$WORK/capped.json" >/dev/null ||
  jq .reason "$WORK/capped.json"
check "the target's traffic flows again" flows_again 9404

# An HTTP condition on a server whose health endpoint starts answering 404.
PORT=$(free_port)
mkdir -p "$WORK/www" && echo ok >"$WORK/www/health"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" "$PORT" >/dev/null 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
wait_for 300 curl -sf "http://127.0.0.1:$PORT/health" -o /dev/null
one_fault_policy served 120s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "stopConditions: [{name: web, http: {url: 'http://127.0.0.1:$PORT/health', status: 200, timeout: 20s}, interval: 50ms}]"
"$FL" --socket "$SOCK" apply -f "$WORK/served.yaml" >/dev/null 2>&1
check "while the endpoint answers 200 the experiment runs" state_is served running
rm "$WORK/www/health"
check "answering 404, the experiment is aborted" wait_for 100 state_is served aborted
"$FL" --socket "$SOCK" --json status served >"$WORK/served.json"
check "the reason quotes the status" jq -e --arg p \
  "stop condition 'web' breached: GET http://127.0.0.1:$PORT/health: HTTP 404 (expected 200) in " \
  '.reason | startswith($p)' "$WORK/served.json" >/dev/null || jq .reason "$WORK/served.json"
check "the target's traffic flows again" flows_again 9405

# A steady state: it must hold before anything is injected, and again after the end.
one_fault_policy unready 60s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "steadyState: {probes: [{name: web, http: {url: 'http://127.0.0.1:$PORT/health', timeout: 20s}}]}"
"$FL" --socket "$SOCK" apply -f "$WORK/unready.yaml" >"$WORK/unready.out" 2>&1
check "a steady state that does not hold first: apply refused (exit 1)" [ $? = 1 ]
check "  saying which probe and what it saw" grep -q \
  "not started: its steady state does not hold: probe 'web': GET http://127.0.0.1:$PORT/health: HTTP 404" \
  "$WORK/unready.out" || cat "$WORK/unready.out"
check "  and nothing was started" bash -c "! $FL --socket $SOCK list | grep -q unready"
echo ok >"$WORK/www/health"
one_fault_policy hypothesis 60s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "steadyState: {probes: [{name: web, http: {url: 'http://127.0.0.1:$PORT/health', timeout: 20s}}], recoveryTimeout: 20s}"
"$FL" --socket "$SOCK" apply -f "$WORK/hypothesis.yaml" >"$WORK/hypothesis.out" 2>&1
check "holding, the experiment starts" grep -q "experiment hypothesis: running" "$WORK/hypothesis.out" ||
  cat "$WORK/hypothesis.out"
rm "$WORK/www/health" # the service degrades, and is still down when the experiment ends
"$FL" --socket "$SOCK" stop hypothesis >/dev/null
check "ended, the report waits for the steady state" bash -c \
  "$FL --socket $SOCK report hypothesis | grep -q '^  verdict: checking: is the steady state back?'"
echo ok >"$WORK/www/health" # back
recovered() { "$FL" --socket "$SOCK" report hypothesis | grep -q "^  verdict: held: .* steady state recovered in"; }
check "back within the recovery timeout: the hypothesis held" wait_for 200 recovered ||
  "$FL" --socket "$SOCK" report hypothesis
check "the journal records the recovery" grep -q '"event":"recovery".*recovered in' "$WORK/journal.jsonl"

kill -TERM $DAEMON
wait $DAEMON
check "faultlined shuts down cleanly" [ $? = 0 ]
check "no faultline program stays attached" no_faultline_programs
finish
