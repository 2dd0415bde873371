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
check "loss $((N - got))/$N within the binomial bound of 30%" within_binomial $((N - got)) $N 0.30
check "report counts every datagram as matched" grep -q "\"matched\": $N" "$WORK/report.json"
check "report's injected count equals the measured loss" grep -q "\"injected\": $((N - got))" "$WORK/report.json"
check "no exec cgroup left behind" bash -c "! ls -d $CG_ROOT/faultline.exec/run-* 2>/dev/null"
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
# Ending faultline ends the command and removes its cgroup.
command_in_run_cgroup() { # faultline-pid: waits until its run cgroup holds the command; prints its pid
  local procs=$CG_ROOT/faultline.exec/run-$1/cgroup.procs
  wait_for 600 grep -q . "$procs" 2>/dev/null && head -1 "$procs"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
for sig in INT TERM HUP PIPE; do
  "$FL" exec -p "$POLICY" -q -- sleep 1000 2>/dev/null &
  fl=$!
  cmd=$(command_in_run_cgroup $fl)
  if [ -n "$cmd" ]; then
    kill -$sig $fl
    wait $fl
    status=$?
    check "SIG$sig of faultline exec: exits $((128 + $(kill -l $sig)))" [ $status = $((128 + $(kill -l $sig))) ]
    check "SIG$sig of faultline exec: the command is gone" wait_for 100 gone "$cmd"
    check "SIG$sig of faultline exec: its cgroup is removed" [ ! -d "$CG_ROOT/faultline.exec/run-$fl" ]
  else
    check "SIG$sig: the command started in its run cgroup" false
    kill -9 $fl 2>/dev/null
  fi
done

# A reader that goes away: `| head -1` closes the pipe; nothing may keep running. The command
# runs under a marker name (exec -a) that starts its command line, so ^marker finds only it.
marker=fl-exec-yes-$$
timeout 60 bash -c "'$FL' exec -p '$POLICY' -q -- bash -c 'exec -a $marker yes' 2>/dev/null | head -1 >/dev/null"
check "exec | head -1 returns" [ $? != 124 ]
check "exec | head -1: the command is gone" wait_for 100 bash -c "! pgrep -f '^$marker' >/dev/null"
check "exec | head -1: no run cgroup is left" wait_for 100 bash -c "! ls -d $CG_ROOT/faultline.exec/run-* 2>/dev/null"

# SIGKILL of faultline: the command dies with it (PR_SET_PDEATHSIG), the stale cgroup is swept
# by the next exec.
"$FL" exec -p "$POLICY" -q -- sleep 1000 2>/dev/null &
fl=$!
cmd=$(command_in_run_cgroup $fl)
if [ -n "$cmd" ]; then
  kill -9 $fl
  wait $fl 2>/dev/null
  check "SIGKILL of faultline exec: the command dies with it" wait_for 100 gone "$cmd"
  check "SIGKILL of faultline exec: its cgroup is left for the sweep" [ -d "$CG_ROOT/faultline.exec/run-$fl" ]
  "$FL" exec -p "$POLICY" -q -- true 2>/dev/null
  check "the next exec sweeps the stale cgroup" [ ! -d "$CG_ROOT/faultline.exec/run-$fl" ]
else
  check "SIGKILL: the command started in its run cgroup" false
  kill -9 $fl 2>/dev/null
fi
check "no faultline program left attached after all that" no_faultline_programs
finish
