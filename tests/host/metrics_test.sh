#!/usr/bin/env bash
# faultlined --metrics: Prometheus text at /metrics over TCP, equal to what `status` shows for
# the same experiment (matched and injected per fault, its state), the kernel's own counters,
# 404 elsewhere, and a bad or taken address refused at start with the reason.
source "$(dirname "$0")/lib.sh" "$1" metrics
SOCK=$WORK/fl.sock
setup_net || exit 1
setup_cgroups
PORT=$(free_port)
ADDR=127.0.0.1:$PORT
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" --metrics "$ADDR" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
scrape() { curl -s -D "$WORK/headers" "http://$ADDR/metrics" >"$WORK/metrics"; }

check "/metrics answers with no experiment (the kernel counters)" bash -c \
  "curl -sf http://$ADDR/metrics | grep -qx 'faultline_events_dropped_total [0-9]*'"
scrape
check "in Prometheus' text format" grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers"
check "another path gets 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/v1/experiments")" = 404 ]
check "another method gets 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://$ADDR/metrics")" = 405 ]

one_fault_policy scraped 120s "cgroup: $CG/target" drop "network: {loss: 30%, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/scraped.yaml" >"$WORK/apply.out" 2>&1
check "apply succeeds" grep -q "experiment scraped: running" "$WORK/apply.out"
start_receiver 9311
send_from "$CG/target" 9311 400
received 9311 >/dev/null
scrape
check "while it runs: state running is 1" \
  grep -qx 'faultline_experiment_state{experiment="scraped",state="running"} 1' "$WORK/metrics"
"$FL" --socket "$SOCK" stop scraped >/dev/null 2>&1
# Stopped, its counters no longer move: status and /metrics must say the same numbers.
"$FL" --socket "$SOCK" --json status scraped >"$WORK/status.json"
scrape
matched=$(jq '.faults[] | select(.name == "drop") | .matched' "$WORK/status.json")
injected=$(jq '.faults[] | select(.name == "drop") | .injected' "$WORK/status.json")
check "the target's datagrams were matched (matched $matched)" \
  [ "${matched:-0}" -ge 400 ] && check "and some dropped (injected $injected)" [ "${injected:-0}" -gt 0 ]
check "faultline_matched_total equals status ($matched)" grep -qx \
  "faultline_matched_total{experiment=\"scraped\",fault=\"drop\",family=\"network\"} $matched" "$WORK/metrics"
check "faultline_injected_total equals status ($injected)" grep -qx \
  "faultline_injected_total{experiment=\"scraped\",fault=\"drop\",family=\"network\"} $injected" "$WORK/metrics"
check "stopped: state stopped is 1, running 0" bash -c "
  grep -qx 'faultline_experiment_state{experiment=\"scraped\",state=\"stopped\"} 1' '$WORK/metrics' &&
  grep -qx 'faultline_experiment_state{experiment=\"scraped\",state=\"running\"} 0' '$WORK/metrics'"
grep -q 'faultline_matched_total{experiment="scraped"' "$WORK/metrics" || sed 's/^/    | /' "$WORK/metrics"

# Refused at start, before anything is loaded: a taken port, a bad port, a name for an address.
refused() { # description expected-message --metrics-value
  "$FLD" --socket "$WORK/other.sock" --journal "$WORK/other.jsonl" --metrics "$3" 2>"$WORK/refused.err"
  local status=$?
  check "$1: exit 1 ($status)" [ $status = 1 ]
  check "$1: says '$2'" grep -qF "$2" "$WORK/refused.err" || sed 's/^/    | /' "$WORK/refused.err"
}
refused "a port in use" "metrics: cannot listen on $ADDR" "$ADDR"
refused "port 70000" "port '70000' is not 1-65535" "127.0.0.1:70000"
refused "a host name" "'localhost' is not an IPv4 address" "localhost:9464"
check "the running daemon still serves metrics" bash -c "curl -sf http://$ADDR/metrics | grep -q faultline_injected_total"
kill -TERM $DAEMON; wait $DAEMON
check "and shuts down cleanly" [ $? = 0 ]
check "the metrics port is closed with it" bash -c "! curl -s -o /dev/null http://$ADDR/metrics"
finish
