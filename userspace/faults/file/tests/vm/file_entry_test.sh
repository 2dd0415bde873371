#!/usr/bin/env bash
# File faults on directory entries (VM: BPF-LSM path_* hooks, and fmod_ret on security_path_*),
# under `faultline exec`: truncate (truncate, ftruncate, open with O_TRUNC), unlink, rename and
# mkdir of entries under the prefix fail with exactly the calls the trigger picks, judged by the
# resolved path: through a symlink, relative to the working directory and across a mount below
# the prefix they fail too, while a sibling that only shares the prefix's characters, a mount
# elsewhere and a process outside the target are untouched. A rename fails when either end is
# under the prefix.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" entry
source "$(dirname "$0")/file_lib.sh"
SYS=$BUILD/tests/fl_sys
DATA=$WORK/app
SIB=$WORK/application
mkdir -p "$DATA/mnt" "$SIB" "$WORK/elsewhere"
ln -s "$DATA" "$WORK/link"
echo data >"$DATA/f"
echo data >"$SIB/f"
# A mount below the prefix (the walk crosses into it) and one outside it.
mount -t tmpfs fl-entry "$DATA/mnt" && CLEANUP_HOOKS+=("umount '$DATA/mnt'")
mount -t tmpfs fl-entry "$WORK/elsewhere" && CLEANUP_HOOKS+=("umount '$WORK/elsewhere'")

# `faultline exec` of a shell line; each fl_sys inside writes its own file.
run() { # name shell-line
  "$FL" exec -p "$WORK/$1.yaml" --report "$WORK/$1.json" -- sh -c "$2" 2>"$WORK/$1.err"
  [ $? = 0 ] || sed 's/^/    | /' "$WORK/$1.err"
}
outcome() { tr '\n' ' ' <"$1" | sed 's/ $//'; }
all() { # errno file n: all n lines end in errno
  [ "$(grep -c " $1\$" "$2")" = "$3" ] && [ "$(wc -l <"$2")" = "$3" ]
}

# unlink: exact triggers; the mount below the prefix fails, the sibling and the other mount do not.
policy unlink "{path: $DATA, ops: [unlink], errno: EROFS}" "{after: 1, times: 2}"
run unlink "'$SYS' unlink '$DATA/u' 5 >'$WORK/u.out'; '$SYS' unlink '$SIB/u' 3 >'$WORK/u-sib.out';
  '$SYS' unlink '$WORK/elsewhere/u' 3 >'$WORK/u-else.out'"
check "unlink under the prefix: calls 2-3 fail with EROFS ($(outcome "$WORK/u.out"))" \
  [ "$(outcome "$WORK/u.out")" = "1 ok 2 EROFS 3 EROFS 4 ok 5 ok" ]
check "unlink in the sibling /application: 3 of 3 ok" all ok "$WORK/u-sib.out" 3
check "unlink in a mount outside the prefix: 3 of 3 ok" all ok "$WORK/u-else.out" 3
check "report: 5 unlinks matched ($(count_of matched "$WORK/unlink.json"))" [ "$(count_of matched "$WORK/unlink.json")" = 5 ]
check "report: 2 injected" [ "$(count_of injected "$WORK/unlink.json")" = 2 ]
policy unmnt "{path: $DATA, ops: [unlink], errno: EIO}" "{}"
run unmnt "'$SYS' unlink '$DATA/mnt/x' 3 >'$WORK/u-mnt.out'"
check "unlink in a tmpfs mounted below the prefix: 3 of 3 EIO (the walk crosses the mount)" all EIO "$WORK/u-mnt.out" 3

# mkdir by the resolved path: through a symlink and relative to the working directory.
policy mkdirs "{path: $DATA, ops: [mkdir], errno: EACCES}" "{}"
run mkdirs "'$SYS' mkdir '$WORK/link/d' 2 >'$WORK/m-link.out'; cd '$DATA' && '$SYS' mkdir rel 2 >'$WORK/m-rel.out';
  '$SYS' mkdir '$SIB/d' 2 >'$WORK/m-sib.out'"
check "mkdir through a symlink into the prefix: 2 of 2 EACCES" all EACCES "$WORK/m-link.out" 2
check "mkdir of a relative path inside the prefix: 2 of 2 EACCES" all EACCES "$WORK/m-rel.out" 2
check "mkdir in the sibling: 2 of 2 ok" all ok "$WORK/m-sib.out" 2
check "report: 4 mkdirs matched, 4 injected" \
  [ "$(count_of matched "$WORK/mkdirs.json")/$(count_of injected "$WORK/mkdirs.json")" = 4/4 ]

# rename: either end under the prefix fails; both ends outside do not.
policy renames "{path: $DATA, ops: [rename], errno: EPERM}" "{}"
run renames "'$SYS' rename '$SIB/r' '$DATA/r' 2 >'$WORK/r-in.out'; '$SYS' rename '$DATA/s' '$SIB/s' 2 >'$WORK/r-out.out';
  '$SYS' rename '$SIB/a' '$SIB/b' 2 >'$WORK/r-sib.out'"
check "rename into the prefix: 2 of 2 EPERM" all EPERM "$WORK/r-in.out" 2
check "rename out of the prefix: 2 of 2 EPERM" all EPERM "$WORK/r-out.out" 2
check "rename within the sibling: 2 of 2 ok" all ok "$WORK/r-sib.out" 2

# truncate: by path, by descriptor, and by open with O_TRUNC (6.2+ passes file_truncate for the
# last two, older kernels path_truncate: one rule covers both).
policy truncs "{path: $DATA, ops: [truncate], errno: EIO}" "{}"
run truncs "'$SYS' truncate '$DATA/f' 2 >'$WORK/t-path.out'; '$SYS' ftruncate '$DATA/t' 2 >'$WORK/t-fd.out';
  '$SYS' open '$DATA/f' t 2 >'$WORK/t-open.out'; '$SYS' truncate '$SIB/f' 2 >'$WORK/t-sib.out'"
check "truncate(2) under the prefix: 2 of 2 EIO" all EIO "$WORK/t-path.out" 2
check "ftruncate under the prefix: 2 of 2 EIO" all EIO "$WORK/t-fd.out" 2
check "open with O_TRUNC under the prefix: 2 of 2 EIO" all EIO "$WORK/t-open.out" 2
check "truncate in the sibling: 2 of 2 ok" all ok "$WORK/t-sib.out" 2
check "the file under the prefix kept its data" grep -q data "$DATA/f"

# Blast radius: a process outside the exec'd command unlinks under the prefix while it is live.
policy scoped "{path: $DATA, ops: [unlink], errno: EIO}" "{}"
FL_SYS_GATE=$WORK "$FL" exec -p "$WORK/scoped.yaml" -- "$SYS" unlink "$DATA/g" 2 >"$WORK/scoped.out" 2>"$WORK/scoped.err" &
fl=$!
if wait_for 600 test -e "$WORK/ready"; then
  "$SYS" unlink "$DATA/c" 5 >"$WORK/control.out" 2>&1
  check "control process outside the target: 5 of 5 unlinks ok" all ok "$WORK/control.out" 5
else
  check "the exec'd command started" false
fi
touch "$WORK/go"
wait $fl
check "the target's unlinks fail (2 of 2 EIO)" all EIO "$WORK/scoped.out" 2

# The fmod_ret backend (security_path_*), chosen when file.lsm's own open program is refused.
# exec loads only the programs of the operations its policy names, so the policy has an open
# fault too, on a folder nothing here opens (fl_sys creates each file it unlinks: under $DATA
# that open would fail first).
cat >"$WORK/fmod.yaml" <<YAML
apiVersion: faultline/v1
kind: Experiment
metadata: {name: fmod}
spec:
  duration: 300s
  targets: [{cgroup: unused}]
  faults:
    - {name: opens, file: {path: $WORK/elsewhere, ops: [open], errno: ENOSPC}}
    - {name: disk, file: {path: $DATA, ops: [unlink, mkdir], errno: ENOSPC}}
YAML
FAULTLINE_TEST_REFUSE=fl_lsm_file_open run fmod "'$SYS' unlink '$DATA/v' 2 >'$WORK/f-u.out'; '$SYS' mkdir '$DATA/w' 2 >'$WORK/f-m.out'"
check "fmod_ret: file.lsm was refused, so file.fmod_ret served" grep -q "going on without file.lsm" "$WORK/fmod.err"
check "fmod_ret: unlink under the prefix 2 of 2 ENOSPC" all ENOSPC "$WORK/f-u.out" 2
check "fmod_ret: mkdir under the prefix 2 of 2 ENOSPC" all ENOSPC "$WORK/f-m.out" 2

# A kernel that refuses one operation's program (optional) costs that operation only: an unlink
# fault is refused at start with the reason and runs nothing; mkdir faults still work.
policy nounlink "{path: $DATA, ops: [unlink], errno: EIO}" "{}"
FAULTLINE_TEST_REFUSE=fl_lsm_path_unlink "$FL" exec -p "$WORK/nounlink.yaml" -- "$SYS" unlink "$DATA/n" 1 >"$WORK/n.out" 2>"$WORK/nounlink.err"
status=$?
check "an unlink fault whose program the kernel refused: exec refuses it (exit $status)" [ "$status" != 0 ]
check "and runs nothing" [ ! -s "$WORK/n.out" ]
check "the refusal says why" grep -q "file unlink faults: none of the programs file.lsm attaches for them loaded" "$WORK/nounlink.err"
grep -q "file unlink faults" "$WORK/nounlink.err" || sed 's/^/    | /' "$WORK/nounlink.err"
# faultlined loads all of file.lsm's programs at its first file fault: there the refused unlink
# program costs unlink faults only, and a mkdir fault still works.
setup_cgroups
SOCK=$WORK/fl.sock
FAULTLINE_TEST_REFUSE=fl_lsm_path_unlink start_daemon
one_fault_policy stillmkdir 120s "cgroup: $CG/target" disk "file: {path: $DATA, ops: [mkdir], errno: EIO}"
"$FL" --socket "$SOCK" apply -f "$WORK/stillmkdir.yaml" >"$WORK/stillmkdir.out" 2>&1
check "faultlined without the unlink program applies a mkdir fault" [ $? = 0 ] || sed 's/^/    | /' "$WORK/stillmkdir.out"
check "faultlined said it went on without that program" \
  grep -q "refused the optional program fl_lsm_path_unlink" "$WORK/daemon.log"
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/target" "$SYS" mkdir "$DATA/x" 2 >"$WORK/x.out"
check "the same kernel still fails mkdir: 2 of 2 EIO" all EIO "$WORK/x.out" 2
"$FL" --socket "$SOCK" stop stillmkdir >/dev/null 2>&1
kill -TERM "$DAEMON"; wait "$DAEMON"
# Where the kernel refuses a program file.lsm cannot do without, faultlined's first file fault
# finds out when it loads file.lsm; it compiles the policy again and file.fmod_ret serves it.
FAULTLINE_TEST_REFUSE=fl_lsm_file_open start_daemon
one_fault_policy viafmod 120s "cgroup: $CG/target" disk "file: {path: $DATA, ops: [mkdir], errno: EROFS}"
"$FL" --socket "$SOCK" apply -f "$WORK/viafmod.yaml" >"$WORK/viafmod.out" 2>&1
check "faultlined whose kernel refuses file.lsm applies a mkdir fault" [ $? = 0 ] || sed 's/^/    | /' "$WORK/viafmod.out"
check "faultlined went on without file.lsm at that apply" grep -q "going on without file.lsm" "$WORK/daemon.log"
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/target" "$SYS" mkdir "$DATA/y" 2 >"$WORK/y.out"
check "file.fmod_ret fails mkdir: 2 of 2 EROFS" all EROFS "$WORK/y.out" 2
"$FL" --socket "$SOCK" stop viafmod >/dev/null 2>&1
kill -TERM "$DAEMON"; wait "$DAEMON"
check "no faultline program left attached" wait_for 100 no_faultline_programs
finish
