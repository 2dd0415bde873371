#!/usr/bin/env bash
# Process freeze (process.freeze) through faultlined and `faultline exec`: a counter loop in the
# target cgroup stops counting while it is frozen (cgroup.events "frozen 1") and counts again
# after the freeze's duration, while the same loop in a control cgroup never stops. It thaws at
# once on `faultline stop`, at the experiment's deadline, on SIGTERM of faultlined, and at the next
# start of faultlined after a SIGKILL (from freeze.log). Refused, changing nothing: the root
# cgroup, a cgroup holding faultlined itself (even with allowHostWide), a cgroup frozen by someone
# else, a second experiment freezing the same cgroup. A dry run freezes nothing. `faultline exec`
# freezes its command for the window and thaws it at the deadline and on SIGTERM.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" frz
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
T=$CG/target
C=$CG/control
HOME_CG=$CG/home # faultlined's own cgroup, inside $CG

policy() { # name duration cgroup freeze [trigger] [spec key]
  one_fault_policy "$1" "$2" "cgroup: $3" pause "process: {freeze: $4}${5:+, trigger: $5}" ${6:+"$6"}
}
apply() { "$FL" --socket "$SOCK" apply -f "$WORK/$1.yaml" >"$WORK/$1.out" 2>"$WORK/$1.err"; }
freeze_knob() { cat "$1/cgroup.freeze"; }
frozen() { grep -qx "frozen 1" "$1/cgroup.events" 2>/dev/null; }
thawed() { grep -qx "frozen 0" "$1/cgroup.events"; }
# A loop in CGROUP that writes an ever-growing count to FILE, builtins only: under TCG a loop
# that starts processes keeps the guest's CPUs busy and slows everything else in the case.
start_counter() { # cgroup file
  bash -c "echo \$\$ > $1/cgroup.procs; exec 3<>$WORK/.nap; i=0; while :; do i=\$((i + 1)); echo \$i > $2; read -r -t 0.02 -u 3 _; done" \
    >/dev/null 2>&1 &
  CLEANUP_HOOKS+=("kill -9 $! 2>/dev/null")
  wait_for 100 test -s "$2"
}
# One write(2) per count, so a read sees the whole number or, between the truncation and the
# write, nothing: then it reads again (a loop frozen there reads as 0, and stays 0).
count() {
  local v='' i
  for ((i = 0; i < 5; i++)); do
    read -r v <"$1" 2>/dev/null
    [ -n "$v" ] && break
    nap 0.01
  done
  echo "${v:-0}"
}
grown() { [ "$(count "$1")" -ge $(($2 + $3)) ]; } # file base by
# The target made no progress while the control counted 3 more (the control is the clock).
target_stands_still() {
  local t0 c0
  t0=$(count "$WORK/t.count"); c0=$(count "$WORK/c.count")
  wait_for 300 grown "$WORK/c.count" "$c0" 3 && [ "$(count "$WORK/t.count")" = "$t0" ]
}
target_counts() { local t0; t0=$(count "$WORK/t.count"); wait_for 300 grown "$WORK/t.count" "$t0" 5; }

remove_home() {
  for d in "$HOME_CG"; do
    [ -d "$d" ] || continue
    for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    for _ in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
  done
}
# Thaws whatever a failed check left frozen, before the cleanup kills and removes the cgroups.
thaw_all() { for d in "$T" "$C" "$CG"; do [ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze"; done; }
CLEANUP_HOOKS+=(thaw_all remove_home)
setup_cgroups
mkdir -p "$HOME_CG"
# faultlined inside $CG/home, so that $CG holds it (the test shell stays where it is).
start_daemon_at_home() {
  sh -c "echo \$\$ > $HOME_CG/cgroup.procs && exec $FLD --socket $SOCK --journal $WORK/journal.jsonl" \
    2>>"$WORK/daemon.log" &
  DAEMON=$!
  CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
  wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
}
start_daemon_at_home
start_counter "$T" "$WORK/t.count"
start_counter "$C" "$WORK/c.count"

# Refusals: each leaves cgroup.freeze as it was and nothing in the ledger.
policy zero 60s "$T" 0s
apply zero
check "freeze: 0s is refused with file:line:col ($(cat "$WORK/zero.err"))" \
  grep -q "$WORK/zero.yaml:8:39: spec.faults\[0\].process.freeze: '0s' freezes nothing" "$WORK/zero.err"
policy root 60s "$CG_ROOT" 5s "" "safety: {allowHostWide: true}"
apply root
check "the root cgroup is refused ($(cat "$WORK/root.err"))" grep -q "is the root cgroup, which cannot be frozen" "$WORK/root.err"
policy init 60s "$CG_ROOT" 5s "" "safety: {allowHostWide: true}"
sed -i "s|cgroup: $CG_ROOT|pid: 1|" "$WORK/init.yaml"
apply init
check "init's cgroup is refused ($(cat "$WORK/init.err"))" grep -qE "holds init|is the root cgroup" "$WORK/init.err"
policy self 60s "$CG" 5s
apply self
check "a cgroup holding faultlined is refused by the guard ($(cat "$WORK/self.err"))" grep -q "holds faultline itself" "$WORK/self.err"
policy selfwide 60s "$CG" 5s "" "safety: {allowHostWide: true}"
apply selfwide
check "... and by the freeze itself, even with allowHostWide ($(cat "$WORK/selfwide.err"))" \
  grep -q "holds faultline itself ($HOME_CG): frozen, it could never thaw the target; no opt-in overrides this" "$WORK/selfwide.err"
echo 1 >"$T/cgroup.freeze"
wait_for 100 frozen "$T"
policy theirs 60s "$T" 5s
apply theirs
check "a cgroup frozen by someone else is refused ($(cat "$WORK/theirs.err"))" \
  grep -q "$T is already frozen (cgroup.freeze is 1), by someone other than faultline" "$WORK/theirs.err"
check "... and stays theirs: still frozen" [ "$(freeze_knob "$T")" = 1 ]
echo 0 >"$T/cgroup.freeze"
check "the refusals froze nothing, the control least of all" bash -c "[ $(freeze_knob "$CG") = 0 ] && [ $(freeze_knob "$C") = 0 ]"
check "the refusals journaled nothing" [ ! -s "$FAULTLINE_STATE_DIR/freeze.log" ]
check "the target counts before any freeze" target_counts

# A dry run reports and freezes nothing.
policy dry 60s "$T" 5s "" "dryRun: true"
apply dry
check "a dry run reports what it would set" grep -q "pause: $T: cgroup.freeze: would set '1' (now '0')" "$WORK/dry.out"
check "a dry run freezes nothing" target_counts
"$FL" --socket "$SOCK" stop dry >/dev/null

# The window: frozen from +1 s for 8 s (time for the control to count under TCG), then thawed
# while the experiment runs on.
policy window 60s "$T" 8s "{start: 1s}"
apply window
check "apply with a start offset" grep -q running "$WORK/window.out"
check "status shows the freeze waiting for its offset" grep -q "pause: $T: cgroup.freeze at +1000 ms" "$WORK/window.out"
check "frozen at its start offset (cgroup.events frozen 1)" wait_for 300 frozen "$T"
t_frozen=$(date +%s%N)
check "the old value was journaled before the write" grep -q '"knob":"cgroup.freeze".*"old":"0"' "$FAULTLINE_STATE_DIR/freeze.log"
check "while frozen the target's counter stands still, the control's runs" target_stands_still
check "the control was never frozen" thawed "$C"
check "thawed after the freeze's duration" wait_for 300 thawed "$T"
t_thawed=$(date +%s%N)
frozen_ms=$(((t_thawed - t_frozen) / 1000000))
check "frozen for about 8 s ($frozen_ms ms, 6000..20000)" [ "$frozen_ms" -ge 6000 -a "$frozen_ms" -le 20000 ]
check "the target counts again" target_counts
"$FL" --socket "$SOCK" status window >"$WORK/window.status"
check "the experiment runs on" grep -q "experiment window: running" "$WORK/window.status"
check "its report keeps the freeze and when it ended" grep -q "pause: $T: cgroup.freeze '1' (was '0') (put back at +9000 ms)" "$WORK/window.status"
"$FL" --socket "$SOCK" stop window >/dev/null

# Stop mid-freeze thaws at once; a second experiment on the same cgroup is refused meanwhile.
policy stopped 120s "$T" 60s
apply stopped
check "frozen from the start" wait_for 100 frozen "$T"
policy second 120s "$T" 5s
apply second
check "a second freeze of the same cgroup is refused ($(cat "$WORK/second.err"))" \
  grep -q "$T: cgroup.freeze is already changed by experiment stopped, fault pause" "$WORK/second.err"
"$FL" --socket "$SOCK" stop stopped >/dev/null
check "stop thaws at once (cgroup.freeze 0 when stop returns)" [ "$(freeze_knob "$T")" = 0 ]
check "... and the target counts again" target_counts

# The deadline clips the freeze: 1 h asked, the experiment lasts 3 s.
policy deadline 3s "$T" 1h
apply deadline
check "frozen for the deadline's experiment" wait_for 100 frozen "$T"
check "the deadline thaws it" wait_for 300 thawed "$T"
"$FL" --socket "$SOCK" status deadline >"$WORK/deadline.status"
check "the experiment completed" grep -q "experiment deadline: completed" "$WORK/deadline.status"

# SIGKILL of faultlined mid-freeze: nothing thaws while no faultline runs; the next start does.
policy killed 120s "$T" 60s
apply killed
check "frozen before the kill" wait_for 100 frozen "$T"
kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
check "still frozen while no faultline runs (documented: the freezer has no in-kernel deadline)" target_stands_still
start_daemon_at_home
check "the next start thawed it from the ledger" [ "$(freeze_knob "$T")" = 0 ]
check "the daemon logged it" grep -q "process.freeze: restored $T: cgroup.freeze back to '0'" "$WORK/daemon.log"
check "the target counts again after the restart" target_counts

# SIGTERM of faultlined mid-freeze: the shutdown thaws.
policy term 120s "$T" 60s
apply term
check "frozen before SIGTERM" wait_for 100 frozen "$T"
kill -TERM $DAEMON; wait $DAEMON
check "after shutdown: thawed" [ "$(freeze_knob "$T")" = 0 ]
check "the control was never frozen" [ "$(freeze_knob "$C")" = 0 ]
ledger_balanced() { awk '/"op":"set"/ {s++} /"op":"restored"/ {r++} END {exit s != r}' "$FAULTLINE_STATE_DIR/freeze.log"; }
check "the ledger holds nothing open (every set has its restore)" ledger_balanced

# faultline exec: the command's own cgroup frozen for the window; faultline exec is outside it,
# so its watchdog thaws on time. Timestamps every 50 ms show the gap. The window opens 3 s in and
# the loop runs past it even when each stamp takes 150 ms (a loaded host under TCG: with the
# window at 0.5 s, the freeze once came before the loop's first stamp).
policy execwin 30s /ignored 1500ms "{start: 3s}"
"$FL" exec -p "$WORK/execwin.yaml" -q -- \
  bash -c "exec 3<>$WORK/.nap; for ((i = 0; i < 120; i++)); do echo \${EPOCHREALTIME/[.,]/} >> $WORK/stamps; read -r -t 0.05 -u 3 _ || :; done" 2>"$WORK/execwin.err"
status=$?
check "exec with a freeze runs its command to the end (exit $status)" [ "$status" = 0 -a "$(wc -l <"$WORK/stamps")" = 120 ]
gap=$(awk 'NR > 1 && $1 - p > g {g = $1 - p} {p = $1} END {print int(g / 1000)}' "$WORK/stamps") # microseconds
check "the command stood still for about 1.5 s (longest gap $gap ms, 1200..8000)" [ "$gap" -ge 1200 -a "$gap" -le 8000 ]
policy execdeadline 2s /ignored 1h
t0=$(date +%s%N)
"$FL" exec -p "$WORK/execdeadline.yaml" -q -- sh -c "date +%s%N > $WORK/ran" 2>"$WORK/execdeadline.err"
status=$?
ran_after=$((($(cat "$WORK/ran" 2>/dev/null || echo "$t0") - t0) / 1000000))
check "exec: frozen from the start, the command ran only after the deadline thawed it (+$ran_after ms, >= 1500), exit $status" \
  [ "$status" = 0 -a "$ran_after" -ge 1500 ]
policy execterm 120s /ignored 1h
"$FL" exec -p "$WORK/execterm.yaml" -q -- sleep 1000 2>/dev/null &
fl=$!
run=$CG_ROOT/faultline.exec/run-$fl
check "exec: the command's cgroup is frozen" wait_for 300 frozen "$run"
t0=$(date +%s%N)
kill -TERM $fl; wait $fl
status=$?
took=$((($(date +%s%N) - t0) / 1000000))
check "SIGTERM of exec mid-freeze: the command thawed and took its SIGTERM (exit $status, $took ms < 1500)" \
  [ "$status" = 143 -a "$took" -lt 1500 ]
check "... and its cgroup is removed" [ ! -d "$run" ]
finish
