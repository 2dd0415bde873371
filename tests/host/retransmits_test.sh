#!/usr/bin/env bash
# A stop condition on the target's TCP retransmits (counter: {metric: tcpRetransmits}), counted
# by the kernel per socket cgroup (bpf/retransmits.bpf.c). The server's cgroup drops every TCP
# packet it receives (another experiment, on ingress: the clients' retransmissions leave their
# host, as on a lossy network; the tracepoint counts only those), so connects to it retransmit
# their SYNs. The control's retransmits leave the guarded experiment running; the target's first
# one aborts it, and the reason gives the count.
source "$(dirname "$0")/lib.sh" "$1" rtx
SOCK=$WORK/fl.sock
TCP=$BUILD/tests/fl_tcp
setup_net || exit 1
setup_cgroups
mkdir -p "$CG/server"
start_daemon
sh -c "echo \$\$ > $CG/server/cgroup.procs && exec ip netns exec $NS_B $TCP serve $ADDR_B 7001" >"$WORK/serve" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null; for i in \$(seq 50); do rmdir $CG/server 2>/dev/null && break; nap 0.1; done")
wait_for 300 grep -q ready "$WORK/serve"
connect() { # cgroup: a connect to the silent server, given up after 3 s (SYNs resent meanwhile)
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A timeout 3 $TCP probe $ADDR_B 7001 1" >/dev/null 2>&1
}
syn_retrans() { ip netns exec "$NS_A" nstat -az TcpExtTCPSynRetrans | awk '/^TcpExt/ {print $2 + 0}'; }

one_fault_policy silent 120s "cgroup: $CG/server" deaf "network: {direction: ingress, blackhole: true, protocol: tcp}"
one_fault_policy guarded 120s "cgroup: $CG/target" drop "network: {loss: 1%, protocol: udp, port: 9}" \
  "stopConditions: [{name: tcp, counter: {metric: tcpRetransmits, max: 0}, interval: 20ms}]"
"$FL" --socket "$SOCK" apply -f "$WORK/silent.yaml" >/dev/null 2>&1
"$FL" --socket "$SOCK" apply -f "$WORK/guarded.yaml" >"$WORK/apply.out" 2>&1
check "a policy with a tcpRetransmits condition applies" grep -q "experiment guarded: running" "$WORK/apply.out" ||
  cat "$WORK/apply.out"
before=$(syn_retrans)
connect "$CG/control"
control=$(($(syn_retrans) - before))
check "the control's SYNs to the silent server were retransmitted ($control)" [ "$control" -ge 1 ]
check "  and the guarded experiment runs on: not its target's" state_is guarded running
before=$(syn_retrans)
connect "$CG/target"
target=$(($(syn_retrans) - before))
check "the target's were too ($target)" [ "$target" -ge 1 ]
check "  and the guarded experiment is aborted" wait_for 100 state_is guarded aborted
"$FL" --socket "$SOCK" --json status guarded >"$WORK/guarded.json"
check "the reason gives the count: the target's retransmits (at most $target)" jq -e --argjson n "$target" \
  '.reason | capture("^stop condition .tcp. breached: TCP retransmits (?<c>[0-9]+) > max 0$").c | tonumber |
   . >= 1 and . <= $n' "$WORK/guarded.json" >/dev/null || jq .reason "$WORK/guarded.json"
check "the server's experiment runs on" state_is silent running

one_fault_policy calm 120s "cgroup: $CG/target" drop "network: {loss: 1%, protocol: udp, port: 9}" \
  "steadyState: {probes: [{name: quiet, counter: {metric: tcpRetransmits, max: 0, window: 5s}}], recoveryTimeout: 30s}"
# A connect from the target resends its SYN at about 1, 3 and 7 s: a 5 s window opened after the
# first resend (whenever the apply gets there, up to 7 s) sees another.
before=$(syn_retrans)
sh -c "echo \$\$ > $CG/target/cgroup.procs && exec ip netns exec $NS_A timeout 12 $TCP probe $ADDR_B 7001 1" >/dev/null 2>&1 &
client=$!
resent_since() { [ "$(syn_retrans)" -gt "$1" ]; }
wait_for 100 resent_since "$before"
"$FL" --socket "$SOCK" apply -f "$WORK/calm.yaml" >"$WORK/calm.out" 2>&1
check "a target retransmitting within the probe's window is not started" grep -Eq \
  "experiment calm not started: its steady state does not hold: probe 'quiet': TCP retransmits [1-9][0-9]* in 5 s > max 0" \
  "$WORK/calm.out" || cat "$WORK/calm.out"
check "  and nothing runs under its name" bash -c "! '$FL' --socket '$SOCK' list | grep -q calm"
kill "$client" 2>/dev/null; wait "$client" 2>/dev/null
sed -i 's/window: 5s/window: 1s/' "$WORK/calm.yaml"
"$FL" --socket "$SOCK" apply -f "$WORK/calm.yaml" >"$WORK/calm.out" 2>&1
check "quiet, it starts" grep -q "experiment calm: running" "$WORK/calm.out" || cat "$WORK/calm.out"
"$FL" --socket "$SOCK" stop calm >/dev/null 2>&1
recovered() { "$FL" --socket "$SOCK" --json status calm | jq -e '.recovery | startswith("recovered in")' >/dev/null; }
check "after the stop it has recovered" wait_for 300 recovered || "$FL" --socket "$SOCK" --json status calm
check "  after a whole quiet window (1 s) at least" \
  [ "$("$FL" --socket "$SOCK" --json status calm | jq -r '.recovery | capture("in (?<ms>[0-9]+) ms").ms')" -ge 1000 ]
kill -TERM "$DAEMON"; wait "$DAEMON"
check "faultlined shuts down cleanly" [ $? = 0 ]
check "no faultline program stays attached" no_faultline_programs
finish
