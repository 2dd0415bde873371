#!/usr/bin/env bash
# `faultline exec` end to end, no daemon: CMD runs in a fresh cgroup under the loss policy, the
# receiver sees the configured loss, CMD's exit status comes back, a bad policy is refused with
# file:line:col and loads nothing, and nothing is left behind.
source "$(dirname "$0")/lib.sh" "$1" exec
N=2000
setup_net || exit 1
POLICY=$(cd "$(dirname "$0")/../.." && pwd)/policies/udp-loss.yaml

start_receiver 9201
"$FL" exec -p "$POLICY" --report "$WORK/report.json" -- ip netns exec "$NS_A" "$UDP" send $ADDR_B 9201 $N >"$WORK/out" 2>"$WORK/err"
status=$?
got=$(received 9201)
check "exec returns the command's status (0)" [ "$status" = 0 ]
check "loss $((N - got))/$N within the 99.9% bound of 30%" within_binomial $((N - got)) $N 0.30
check "report counts every datagram as matched" grep -q "\"matched\": $N" "$WORK/report.json"
check "report's injected count equals the measured loss" grep -q "\"injected\": $((N - got))" "$WORK/report.json"
check "no exec cgroup left behind" bash -c "! ls -d $CG_ROOT/faultline-exec-* 2>/dev/null"
check "no faultline program left attached" no_faultline_programs

"$FL" exec -p "$POLICY" -- sh -c 'exit 7' 2>/dev/null
check "exec propagates a non-zero status (7)" [ $? = 7 ]
"$FL" exec -p "$POLICY" -- /nonexistent/cmd 2>/dev/null
check "exec reports a command that cannot run as 127" [ $? = 127 ]

sed 's/loss: 30%/loss: 30 percent/' "$POLICY" >"$WORK/bad.yaml"
"$FL" exec -p "$WORK/bad.yaml" -- true 2>"$WORK/bad.err"
status=$?
check "a bad policy exits 125" [ "$status" = 125 ]
check "a bad policy names file:line:col and the field" grep -q "$WORK/bad.yaml:15:57: spec.faults\[0\].network.loss: '30 percent' is not a percentage" "$WORK/bad.err"
check "a bad policy loads no program" no_faultline_programs
finish
