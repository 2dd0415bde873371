#!/usr/bin/env bash
# PromQL checks against a real Prometheus (Debian's package, on loopback, scraping faultlined's
# /metrics every 250 ms): a stop condition on the experiment's own injected count, as Prometheus
# sees it, aborts the experiment once the count passes the threshold, and the target's traffic
# flows again; a steady-state probe whose query finds no samples keeps an experiment from
# starting. (Each answer shape: tests/unit/prometheus_check_test.cpp.)
source "$(dirname "$0")/lib.sh" "$1" prom
SOCK=$WORK/fl.sock
PROMETHEUS=$(command -v prometheus || echo /usr/bin/prometheus)
[ -x "$PROMETHEUS" ] || { echo "prometheus is not installed (scripts/deps.sh installs it)"; exit 1; }
setup_net || exit 1
setup_cgroups
MPORT=$(free_port)
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" --metrics "127.0.0.1:$MPORT" 2>"$WORK/daemon.log" &
CLEANUP_HOOKS+=("kill -9 $! 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }

PPORT=$(free_port)
PROM=http://127.0.0.1:$PPORT
cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 250ms, scrape_timeout: 250ms, evaluation_interval: 1s}
scrape_configs:
  - job_name: faultline
    static_configs: [{targets: ['127.0.0.1:$MPORT']}]
YAML
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PPORT" >"$WORK/prometheus.log" 2>&1 &
CLEANUP_HOOKS+=("kill -9 $! 2>/dev/null")
promql() { curl -sf --get "$PROM/api/v1/query" --data-urlencode "query=$1"; }
scraped() { [ "$(promql 'up{job="faultline"}' | jq -r '.data.result[0].value[1]')" = 1 ]; }
check "Prometheus is ready" wait_for 600 curl -sf "$PROM/-/ready" -o /dev/null || tail "$WORK/prometheus.log"
check "and scrapes faultlined" wait_for 600 scraped || tail "$WORK/prometheus.log"

# Until the first scrape after the start the series does not exist: ifEmpty: healthy.
query='sum(faultline_injected_total{experiment="promguard"})'
one_fault_policy promguard 120s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "stopConditions: [{name: prom, prometheus: {url: '$PROM', query: '$query', max: 50, ifEmpty: healthy, timeout: 20s}, interval: 100ms}]"
"$FL" --socket "$SOCK" apply -f "$WORK/promguard.yaml" >"$WORK/apply.out" 2>&1
check "a policy with a PromQL stop condition applies" grep -q "experiment promguard: running" "$WORK/apply.out" ||
  cat "$WORK/apply.out"
start_receiver 9501
send_from "$CG/target" 9501 30
check "under the threshold (30 dropped) it runs on" [ "$(received 9501)" = 0 ]
prom_value_is() { [ "$(promql "$query" | jq -r '.data.result[0].value[1]')" = "$1" ]; }
check "Prometheus sees the 30" wait_for 600 prom_value_is 30
check "  and the experiment still runs" state_is promguard running
start_receiver 9502
send_from "$CG/target" 9502 100
received 9502 >/dev/null
check "past 50 as Prometheus sees it, the experiment is aborted" wait_for 600 state_is promguard aborted
"$FL" --socket "$SOCK" --json status promguard >"$WORK/promguard.json"
injected=$(jq '.faults[0].injected' "$WORK/promguard.json")
check "after more than 50 injections ($injected)" [ "${injected:-0}" -gt 50 ]
check "the reason gives the query, its value and the bound" jq -e \
  --arg p "stop condition 'prom' breached: $query: " --arg s " outside max 50" \
  '.reason | startswith($p) and endswith($s)' "$WORK/promguard.json" >/dev/null || jq .reason "$WORK/promguard.json"
check "the journal records the abort" grep -q '"event":"aborted".*stop condition .prom. breached' "$WORK/journal.jsonl"
start_receiver 9503
send_from "$CG/target" 9503 100
check "the target's traffic flows again" [ "$(received 9503)" = 100 ]

# A steady state on a query that finds nothing (ifEmpty defaults to unhealthy): not started.
one_fault_policy unready 60s "cgroup: $CG/target" drop "network: {loss: 100%, protocol: udp}" \
  "steadyState: {probes: [{name: web-up, prometheus: {url: '$PROM', query: 'up{job=\"web\"}', min: 1, timeout: 20s}}]}"
"$FL" --socket "$SOCK" apply -f "$WORK/unready.yaml" >"$WORK/unready.out" 2>&1
check "a PromQL steady state with no samples: apply refused (exit 1)" [ $? = 1 ]
check "  saying which probe and what it saw" \
  grep -qF "its steady state does not hold: probe 'web-up': up{job=\"web\"}: no samples" "$WORK/unready.out" ||
  cat "$WORK/unready.out"
check "  and nothing was started" bash -c "! $FL --socket $SOCK list | grep -q unready"
finish
