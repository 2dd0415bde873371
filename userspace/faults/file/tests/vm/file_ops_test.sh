#!/usr/bin/env bash
# File faults beyond open (VM: BPF-LSM and fmod_ret), under `faultline exec`: reads, writes and
# mmaps of files under the prefix fail with exactly the calls the trigger picks, a sibling path
# that only shares the prefix's characters is untouched, a read rule leaves writes alone, a
# process outside the target reads the same file untouched, and a real database (SQLite, rollback
# journal) under write EIO, killed mid-run, keeps every commit it acknowledged.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" fileops
source "$(dirname "$0")/file_lib.sh"
SYS=$BUILD/tests/fl_sys
SQLITE=$FL_TOP/tests/tools/fl_sqlite.py
DATA=$WORK/app
mkdir -p "$DATA" "$WORK/application"
echo data >"$DATA/f"
echo data >"$WORK/application/f"

policy reads "{path: $DATA, ops: [read], errno: EIO}" "{after: 2, times: 2}"
"$FL" exec -p "$WORK/reads.yaml" --report "$WORK/reads.json" -- "$SYS" read "$DATA/f" 6 >"$WORK/reads.out" 2>"$WORK/reads.err"
[ $? = 0 ] || sed 's/^/    /' "$WORK/reads.err"
check "reads under the prefix: calls 3-4 fail with EIO" [ "$(tr '\n' ' ' <"$WORK/reads.out")" = "1 ok 2 ok 3 EIO 4 EIO 5 ok 6 ok " ]
show "$WORK/reads.out" "$WORK/reads.json"
check "report: 6 reads matched" [ "$(count_of matched "$WORK/reads.json")" = 6 ]
check "report: 2 injected" [ "$(count_of injected "$WORK/reads.json")" = 2 ]

policy rw "{path: $DATA, ops: [write], errno: {ENOSPC: 50%, EDQUOT: 50%}}" "{}"
"$FL" exec -p "$WORK/rw.yaml" -- sh -c "'$SYS' read '$DATA/f' 3; '$SYS' write '$DATA/f' 100; '$SYS' write '$WORK/application/f' 3" >"$WORK/rw.out" 2>"$WORK/rw.err"
check "a write rule leaves reads alone (3 of 3 ok)" [ "$(head -3 "$WORK/rw.out" | grep -c ' ok$')" = 3 ]
show "$WORK/rw.out" "$WORK/rw.err"
enospc=$(sed -n 4,103p "$WORK/rw.out" | grep -c ' ENOSPC$'); edquot=$(sed -n 4,103p "$WORK/rw.out" | grep -c ' EDQUOT$')
check "writes under the prefix: all 100 fail ($enospc ENOSPC + $edquot EDQUOT)" [ $((enospc + edquot)) = 100 ]
check "the errno mix: ENOSPC $enospc of 100 within the bound of 50%" within_binomial "$enospc" 100 0.5
check "a sibling path sharing the prefix's characters (/app vs /application): 3 of 3 writes ok" \
  [ "$(tail -3 "$WORK/rw.out" | grep -c ' ok$')" = 3 ]

policy maps "{path: $DATA, ops: [mmap], errno: EACCES}" "{every: 2}"
"$FL" exec -p "$WORK/maps.yaml" -- "$SYS" mmap "$DATA/f" 4 >"$WORK/maps.out" 2>"$WORK/maps.err"
check "mmap of a file under the prefix: every 2nd fails with EACCES" [ "$(tr '\n' ' ' <"$WORK/maps.out")" = "1 ok 2 EACCES 3 ok 4 EACCES " ]
show "$WORK/maps.out" "$WORK/maps.err"

# Blast radius: a process outside the exec'd command reads the same file while the fault is live.
policy scoped "{path: $DATA, ops: [read], errno: EIO}" "{}"
FL_SYS_GATE=$WORK "$FL" exec -p "$WORK/scoped.yaml" -- "$SYS" read "$DATA/f" 3 >"$WORK/scoped.out" 2>"$WORK/scoped.err" &
fl=$!
if wait_for 600 test -e "$WORK/ready"; then
  "$SYS" read "$DATA/f" 20 >"$WORK/control.out" 2>&1
  check "control process outside the target: 20 of 20 reads ok" [ "$(count ok "$WORK/control.out")" = 20 ]
else
  check "the exec'd command started" false
fi
touch "$WORK/go"
wait $fl
check "the target's reads fail (3 of 3 EIO)" [ "$(count EIO "$WORK/scoped.out")" = 3 ]

# SQLite under write EIO, killed mid-run: after recovery (its hot journal rolled back on the next
# open), every commit it acknowledged is there and the file is intact.
policy db "{path: $DATA, ops: [write], errno: EIO}" "{probability: 10%}"
"$FL" exec -p "$WORK/db.yaml" --report "$WORK/db.json" -- python3 "$SQLITE" write "$DATA/test.db" 100000 >"$WORK/db.out" 2>"$WORK/db.err" &
fl=$!
check "sqlite: 200 commits acknowledged under write EIO" wait_for 1200 bash -c "[ \$(grep -c '^acked' '$WORK/db.out') -ge 200 ]"
# Only the database: the faultline exec that runs it has the same words in its command line.
pkill -9 -f "^python3 $SQLITE write $DATA/test.db"
wait $fl
acked=$(grep -c '^acked' "$WORK/db.out"); failed=$(grep -c '^failed' "$WORK/db.out")
injected=$(count_of injected "$WORK/db.json")
check "sqlite under 10% write EIO: ${injected:-0} writes failed" [ "${injected:-0}" -gt 0 ]
check "sqlite: $failed transactions failed" [ "$failed" -gt 0 ]
sed -n 's/^acked //p' "$WORK/db.out" >"$WORK/acked"
python3 "$SQLITE" verify "$DATA/test.db" "$WORK/acked" >"$WORK/verify.out" 2>&1
check "sqlite after SIGKILL: integrity_check ok" grep -q '^integrity ok' "$WORK/verify.out"
check "sqlite after SIGKILL: all $acked acknowledged commits present ($(tail -1 "$WORK/verify.out"))" grep -q 'missing 0$' "$WORK/verify.out"
check "no faultline program left attached" wait_for 100 no_faultline_programs
finish
