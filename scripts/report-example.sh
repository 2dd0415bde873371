#!/usr/bin/env bash
# Regenerates the README's report example (docs/report-example.svg and the text printed here): a
# real experiment on this machine. A "service" (python3 -m http.server) answers a health check; a
# client in the target cgroup sends UDP datagrams, 20% of which are dropped; after 4 s the
# health endpoint starts failing, the stop condition aborts the experiment after 3 failed checks,
# and the endpoint comes back, so the steady state recovers.
# Usage: scripts/report-example.sh   (root, a build: scripts/build.sh release)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FL=build/userspace/faultline
FLD=build/userspace/faultlined
source scripts/lib/cgroup.sh
cg=$(cgroup2_root)/faultline-example-$$
work=$(mktemp -d /tmp/faultline-example-XXXXXX)
mkdir -p "$cg" "$work/www"
echo ok >"$work/www/health"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
web=$!
"$FLD" --socket "$work/fl.sock" --journal "$work/journal.jsonl" 2>"$work/daemon.log" &
daemon=$!
cleanup() {
  kill "$web" "$daemon" "${client:-}" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  rmdir "$cg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do "$FL" --socket "$work/fl.sock" list >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" -o /dev/null && break; sleep 0.1; done
cat >"$work/checkout-db.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: checkout-db}
spec:
  duration: 30s
  targets: [{cgroup: $cg}]
  faults:
    - name: db-loss
      network: {loss: 20%, protocol: udp, port: 5432}
  steadyState:
    probes: [{name: checkout-ok, http: {url: "http://127.0.0.1:$port/health", maxLatency: 300ms}}]
    recoveryTimeout: 20s
  stopConditions:
    - name: checkout-up
      http: {url: "http://127.0.0.1:$port/health", status: 200}
      failures: 3
    - counter: {metric: injected, fault: db-loss, max: 50000}
POLICY
"$FL" --socket "$work/fl.sock" apply -f "$work/checkout-db.yaml" >/dev/null
bash -c "echo \$\$ >$cg/cgroup.procs; while :; do echo q >/dev/udp/127.0.0.1/5432; sleep 0.002; done" 2>/dev/null &
client=$!
sleep 4
rm "$work/www/health" # the service fails
until [ "$("$FL" --socket "$work/fl.sock" --json status checkout-db | jq -r .state)" = aborted ]; do sleep 0.05; done
sleep 1
echo ok >"$work/www/health" # and comes back
until "$FL" --socket "$work/fl.sock" report checkout-db | grep -q 'steady state: held before the start; after: recovered'; do
  sleep 0.1
done
"$FL" --socket "$work/fl.sock" report checkout-db --plot docs/report-example.svg | sed "s#$cg#/sys/fs/cgroup/checkout.slice#"
