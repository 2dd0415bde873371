#!/usr/bin/env bash
# `faultline observe`: the syscall errors a cgroup's processes meet on their own, counted from the
# raw sys_exit tracepoint. The target makes exactly 10 mkdirat calls on a directory that exists
# (EEXIST) and opens a missing file 10 times (ENOENT); a control in a sibling cgroup does the
# same 50 times each and must not be counted. Ctrl-C (SIGINT) ends the observation early and the counts
# are still reported. --policy writes a policy that amplifies what was seen; where this kernel can
# inject syscall errors (BPF-LSM: the Debian VM kernels) that policy is applied with `faultline
# exec` and the open errors it injects follow the amplified rate; where it cannot (this machine),
# no file is written and the reason is given.
source "$(dirname "$0")/lib.sh" "$1" observe
SYS=$BUILD/tests/fl_sys
setup_cgroups
mkdir -p "$WORK/exists"
: >"$WORK/present"

"$FL" observe --cgroup "$CG/target" --duration 10m --json --factor 2 --policy "$WORK/amplify.yaml" \
  >"$WORK/observe.json" 2>"$WORK/observe.err" &
observer=$!
CLEANUP_HOOKS+=("kill -9 $observer 2>/dev/null")
check "observe attaches and says so" wait_for 600 grep -qs '^observing' "$WORK/observe.err" ||
  sed 's/^/    /' "$WORK/observe.err"
# Each workload joins its cgroup first (a subshell writing its own pid), then runs.
(
  echo $BASHPID >"$CG/target/cgroup.procs"
  "$SYS" mkdir "$WORK/exists" 10 >"$WORK/t-mkdir.out"
  "$SYS" open "$WORK/missing" r 10 >"$WORK/t-missing.out"
  "$SYS" open "$WORK/present" r 90 >"$WORK/t-present.out"
)
(
  echo $BASHPID >"$CG/control/cgroup.procs"
  "$SYS" mkdir "$WORK/exists" 50 >"$WORK/c-mkdir.out"
  "$SYS" open "$WORK/missing" r 50 >"$WORK/c-missing.out"
)
check "the target met EEXIST 10 times" [ "$(grep -c ' EEXIST$' "$WORK/t-mkdir.out")" = 10 ]
kill -INT $observer
wait $observer
status=$?

# One python3 start for every number (each process start is costly in a TCG guest).
read -r mkdir_eexist open_enoent open_calls < <(python3 - "$WORK/observe.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
def errors(sc, e):
    return sum(r["errors"] for r in o["errors"] if r["syscall"] == sc and r["errno"] == e)
calls = {r["syscall"]: r["calls"] for r in o["errors"]}
print(errors("mkdirat", "EEXIST"), errors("openat", "ENOENT"), calls.get("openat", 0))
PY
)
check "SIGINT ends the observation and the table is printed" [ -n "${mkdir_eexist:-}" ] ||
  sed 's/^/    /' "$WORK/observe.json" "$WORK/observe.err"
check "mkdirat EEXIST: exactly the target's 10 (the control's 50 not counted)" [ "${mkdir_eexist:-}" = 10 ]
# The dynamic loader of a sanitizer build probes a few library paths that do not exist: at least
# the target's 10, never the control's 50 more.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; } # value, at least, below
check "openat ENOENT: the target's 10 (${open_enoent:-?}), not the control's" in_range "${open_enoent:-0}" 10 50
check "openat calls counted, failed or not (${open_calls:-?} >= 100)" [ "${open_calls:-0}" -ge 100 ]

if [ -f "$WORK/amplify.yaml" ]; then
  # This kernel can inject them: the policy applies as written (its target replaced by exec's).
  check "observe exits 0 having written the policy" [ "$status" = 0 ] || sed 's/^/    /' "$WORK/observe.err"
  check "the policy amplifies mkdirat EEXIST" grep -q 'syscall: {name: mkdirat, errno: {EEXIST: 100%}}' "$WORK/amplify.yaml"
  p=$(awk -v e="$open_enoent" -v c="$open_calls" 'BEGIN { p = 2 * e / c; if (p > 1) p = 1; printf "%.4f", p }')
  written=$(sed -n '/name: openat, errno: {ENOENT: 100%}/{n;s/.*probability: \([0-9.]*\)%.*/\1/p}' "$WORK/amplify.yaml")
  check "openat ENOENT at twice its rate: ${written:-?}% = 100 x $p" \
    awk -v w="${written:-x}" -v p="$p" 'BEGIN { exit !(w != "x" && (w / 100 - p) ^ 2 < 1e-8) }'
  N=400
  "$FL" exec -q -p "$WORK/amplify.yaml" -- "$SYS" open "$WORK/present" r $N >"$WORK/amp.out" 2>"$WORK/amp.err"
  got=$(grep -c ' ENOENT$' "$WORK/amp.out")
  check "under the policy, opens of a file that exists fail with ENOENT at that rate: $got of $N" \
    within_binomial "$got" $N "$p" || sed 's/^/    /' "$WORK/amp.err"
  check "and with nothing else: $got ENOENT + ok = $N" [ $((got + $(grep -c ' ok$' "$WORK/amp.out"))) = $N ]
else
  check "no policy written: observe exits 1" [ "$status" = 1 ]
  check "and says why (no backend can inject openat here)" grep -q 'openat: no backend can inject it here' "$WORK/observe.err" ||
    sed 's/^/    /' "$WORK/observe.err"
  skip "the amplifying policy as written and its injected ENOENT rate: no backend can inject openat on this kernel (the VM case observe_amplify runs them)"
fi
finish
