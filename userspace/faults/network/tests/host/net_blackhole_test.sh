#!/usr/bin/env bash
# A blackholed port, through faultlined: the target's connect() to it gets no answer (still
# pending when given up after 3 s, every SYN dropped silently and counted), its connect() to
# another port of the same peer works at once, and the control cgroup connects to the
# blackholed port; after stop the target connects again.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" blackhole
SOCK=$WORK/fl.sock
TCP=$BUILD/tests/fl_tcp
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
start_daemon
for port in 7001 7002; do
  ip netns exec "$NS_B" "$TCP" serve $ADDR_B $port >"$WORK/serve-$port" 2>&1 &
  CLEANUP_HOOKS+=("kill $! 2>/dev/null")
  wait_for 300 grep -q ready "$WORK/serve-$port"
done
connect() { # cgroup port: prints "ok" (connected and echoed) or "no answer" (still pending after 3 s)
  if sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A timeout 3 $TCP probe $ADDR_B $2 1" \
    >"$WORK/probe" 2>&1; then
    echo ok
  else
    [ $? = 124 ] && echo "no answer" || { echo "error: $(cat "$WORK/probe")"; }
  fi
}
cat >"$WORK/bh.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: bh}
spec:
  duration: 120s
  targets:
    - cgroup: $CG/target
  faults:
    - name: db-port
      network: {blackhole: true, protocol: tcp, port: 7001}
POLICY
check "before: the target connects to port 7001" [ "$(connect "$CG/target" 7001)" = ok ]
"$FL" --socket "$SOCK" apply -f "$WORK/bh.yaml" >"$WORK/apply.out" 2>&1
check "apply a blackhole on port 7001" grep -q running "$WORK/apply.out"
syns() { # SYNs sent from NS_A so far: connection attempts plus SYN retransmissions
  ip netns exec "$NS_A" nstat -az TcpActiveOpens TcpExtTCPSynRetrans | awk '/^Tcp/ {n += $2} END {print n + 0}'
}
before=$(syns)
check "the target's connect to 7001 gets no answer" [ "$(connect "$CG/target" 7001)" = "no answer" ]
sent=$(($(syns) - before))
check "the target's connect to 7002 works" [ "$(connect "$CG/target" 7002)" = ok ]
check "the control connects to 7001" [ "$(connect "$CG/control" 7001)" = ok ]
"$FL" --socket "$SOCK" --json status bh >"$WORK/status.json"
check "every SYN it sent was dropped and counted ($(jq '.faults[0].injected' "$WORK/status.json") = $sent, >= 2)" \
  bash -c "[ $sent -ge 2 ] && jq -e '.faults[0].injected == $sent' '$WORK/status.json' >/dev/null"
"$FL" --socket "$SOCK" stop bh >/dev/null
check "after stop the target connects to 7001" [ "$(connect "$CG/target" 7001)" = ok ]
kill -TERM $DAEMON; wait $DAEMON
check "no faultline program stays attached" no_faultline_programs
finish
