#!/usr/bin/env bash
# Process faults through the raw sys_enter tracepoint and bpf_send_signal, under `faultline
# exec`: a signal on exactly the n-th getppid (the process has printed n-1 results and dies of
# that signal), every n-th call with a limit, a probability within its binomial bound, dry run
# (counted, nothing sent), and a process outside the target cgroup left alone while the fault is
# live. fl_sys prints one line per call and counts the SIGUSR1s it catches.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" procsig
SYS=$BUILD/tests/fl_sys

policy() { # name signal trigger [dryRun]: a process fault on getppid
  one_fault_policy "$1" 120s "cgroup: unused" sig "process: {signal: $2, on: {syscall: getppid}}, trigger: $3" \
    "dryRun: ${4:-false}"
}
oks() { grep -c ' ok$' "$1"; }

policy nth SIGTERM "{after: 4, times: 1}"
"$FL" exec -p "$WORK/nth.yaml" --report "$WORK/nth.json" -- "$SYS" getppid 10 >"$WORK/nth.out" 2>"$WORK/nth.err"
status=$?
check "SIGTERM on the 5th getppid: the command dies of SIGTERM (143)" [ "$status" = 143 ] || sed 's/^/    /' "$WORK/nth.err"
check "SIGTERM on the 5th getppid: exactly 4 calls returned first" [ "$(oks "$WORK/nth.out")" = 4 ]
check "report: 5 calls matched" [ "$(count_of matched "$WORK/nth.json")" = 5 ]
check "report: 1 injected" [ "$(count_of injected "$WORK/nth.json")" = 1 ]

policy first SIGKILL "{times: 1}"
"$FL" exec -p "$WORK/first.yaml" -- "$SYS" getppid 10 >"$WORK/first.out" 2>/dev/null
status=$?
check "SIGKILL on the first getppid: status 137" [ "$status" = 137 ]
check "SIGKILL on the first getppid: no call returned" [ "$(oks "$WORK/first.out")" = 0 ]

policy every SIGUSR1 "{every: 3, times: 2}"
"$FL" exec -p "$WORK/every.yaml" -- "$SYS" getppid 10 >"$WORK/every.out" 2>/dev/null
status=$?
check "every 3rd call, at most 2: the command completes" [ "$status" = 0 ]
check "every 3rd call, at most 2: all 10 calls returned" [ "$(oks "$WORK/every.out")" = 10 ]
check "every 3rd call, at most 2: exactly 2 signals caught" grep -qx 'signals 2' "$WORK/every.out"

N=400
policy half SIGUSR1 "{probability: 50%}"
"$FL" exec -p "$WORK/half.yaml" --report "$WORK/half.json" -- "$SYS" getppid $N >"$WORK/half.out" 2>/dev/null
got=$(sed -n 's/^signals //p' "$WORK/half.out")
# Signals sent on consecutive calls may coalesce while one is pending; fl_sys's next syscall
# return delivers it, so each call sees at most one: counted on the injector side too.
injected=$(count_of injected "$WORK/half.json")
check "probability 50%: ${injected:-none} of $N injected, within the binomial bound" within_binomial "${injected:-0}" $N 0.5
check "probability 50%: the command caught every signal sent (${got:-0} = ${injected:-none})" [ "${got:-0}" = "${injected:-x}" ]

policy dry SIGKILL "{times: 1}" true
"$FL" exec -p "$WORK/dry.yaml" --report "$WORK/dry.json" -- "$SYS" getppid 10 >"$WORK/dry.out" 2>/dev/null
status=$?
check "dry run: the command completes (status 0)" [ "$status" = 0 ]
check "dry run: all 10 calls returned" [ "$(oks "$WORK/dry.out")" = 10 ]
check "dry run: the would-be signal is counted once" [ "$(count_of injected "$WORK/dry.json")" = 1 ]

# Blast radius: while the fault is live on the exec'd command, a process outside its cgroup
# makes the same calls and is not touched.
policy scoped SIGKILL "{}"
FL_SYS_GATE=$WORK "$FL" exec -p "$WORK/scoped.yaml" -- "$SYS" getppid 3 >"$WORK/scoped.out" 2>/dev/null &
fl=$!
if wait_for 600 test -e "$WORK/ready"; then
  "$SYS" getppid 20 >"$WORK/control.out" 2>&1
  check "control process outside the target: all 20 calls returned" [ "$(oks "$WORK/control.out")" = 20 ]
else
  check "the exec'd command started" false
fi
touch "$WORK/go"
wait $fl
status=$?
check "the target itself was killed (137)" [ $status = 137 ]
check "the target was killed on its first getppid" [ "$(oks "$WORK/scoped.out")" = 0 ]
# A kernel that refuses the tracepoint program (simulated): process faults are refused with the
# reason, and faultline still loads and runs everything else.
FAULTLINE_TEST_REFUSE=fl_sys_enter_signal "$FL" exec -p "$WORK/nth.yaml" -- "$SYS" getppid 3 >"$WORK/refused.out" 2>"$WORK/refused.err"
status=$?
check "refused program: the process fault is refused (exit 125), nothing ran" [ $status = 125 ]
check "refused program: the reason names it" grep -q "process.signal: this kernel cannot run it: this kernel refused its program fl_sys_enter_signal" "$WORK/refused.err"
cat >"$WORK/net.yaml" <<YAML
apiVersion: faultline/v1
kind: Experiment
metadata: {name: net}
spec:
  duration: 60s
  targets: [{cgroup: unused}]
  faults:
    - name: loss
      network: {loss: 10%}
YAML
FAULTLINE_TEST_REFUSE=fl_sys_enter_signal "$FL" exec -p "$WORK/net.yaml" --report "$WORK/net.json" -- "$SYS" getppid 3 >"$WORK/net.out" 2>"$WORK/net.err"
check "refused program: other faults still run (exit 0)" [ $? = 0 ]
check "refused program: the network fault was applied (in the report)" grep -q '"family": "network"' "$WORK/net.json"
# faultlined loads a backend's programs when a fault first needs them: there the refused
# program costs process faults from then on, with the same reason, and the daemon goes on
# serving the rest.
setup_cgroups
SOCK=$WORK/fl.sock
FAULTLINE_TEST_REFUSE=fl_sys_enter_signal start_daemon
check "faultlined started without loading a fault program" no_faultline_programs
one_fault_policy dsig 60s "cgroup: $CG/target" sig "process: {signal: SIGKILL, on: {syscall: getppid}}"
apply_quietly() { "$FL" --socket "$SOCK" apply -f "$1" >/dev/null 2>&1; }
one_fault_policy dnet 60s "cgroup: $CG/target" loss "network: {loss: 10%}"
"$FL" --socket "$SOCK" apply -f "$WORK/dsig.yaml" >"$WORK/dsig.out" 2>&1
check "faultlined: the process fault is refused at its first apply" [ $? != 0 ]
check "faultlined: the reason names the program" \
  grep -q "process.signal: this kernel cannot run it: this kernel refused its program fl_sys_enter_signal" "$WORK/dsig.out" ||
  sed 's/^/    | /' "$WORK/dsig.out"
"$FL" --socket "$SOCK" apply -f "$WORK/dsig.yaml" >"$WORK/dsig2.out" 2>&1
check "faultlined: ... and at the next, without loading it again" \
  [ $? != 0 -a "$(grep -c "going on without process.signal" "$WORK/daemon.log")" = 1 ]
check "faultlined: no experiment was left" [ "$("$FL" --socket "$SOCK" --json list)" = "[]" ]
check "faultlined: a network fault still applies" apply_quietly "$WORK/dnet.yaml"
check "faultlined: ... and loaded the packet programs for it, nothing else" \
  [ "$(faultline_programs | sort | tr '\n' ' ')" = "fl_skb_egress fl_skb_ingress " ]
"$FL" --socket "$SOCK" stop dnet >/dev/null 2>&1
kill -TERM "$DAEMON"; wait "$DAEMON"
check "no faultline program left attached" wait_for 100 no_faultline_programs
finish
