#!/usr/bin/env bash
# Syscall errors under `faultline exec`, through whichever backend the kernel has: kprobe +
# bpf_override_return (VM kernel 6.1-inject) or BPF-LSM (Debian's 6.1 and 6.12, which lack
# CONFIG_BPF_KPROBE_OVERRIDE). fl_sys prints every call's outcome, so each check is exact:
# after/times/every pick exactly the calls they name, a probability and a weighted errno mix stay
# within their binomial bounds, open-flag and peer filters fail only the calls they select (a
# listening peer refused while another port connects), read and write stay apart though both
# pass file_permission, a process outside the target is untouched, and the counters equal what
# the command saw. Syscalls no LSM hook sees (fsync, getppid): failed exactly with kprobes,
# refused with the reason without them.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" syserr
SYS=$BUILD/tests/fl_sys
TCP=$BUILD/tests/fl_tcp
if "$FL" doctor | grep -qE '^  syscall\.kprobe +syscall +yes'; then BACKEND=kprobe; else BACKEND=lsm; fi
echo "# syscall backend: $BACKEND"

policy() { one_fault_policy "$1" 120s "cgroup: unused" err "syscall: $2, trigger: $3"; } # name syscall-body trigger
count() { grep -c " $1\$" "$2"; }
# After a failed check, what the command printed (the test's files are gone afterwards).
show() { [ $? = 0 ] || sed 's/^/    | /' "$@"; }

echo data >"$WORK/db"
# after: 2, times: 3 -> calls 3, 4 and 5 fail, the rest succeed.
policy window "{name: pread64, errno: EIO}" "{after: 2, times: 3}"
"$FL" exec -p "$WORK/window.yaml" --report "$WORK/window.json" -- "$SYS" read "$WORK/db" 8 >"$WORK/window.out" 2>"$WORK/window.err"
[ $? = 0 ] || sed 's/^/    /' "$WORK/window.err"
check "pread64 after 2, times 3: calls 3-5 fail with EIO, 1-2 and 6-8 succeed" \
  [ "$(tr '\n' ' ' <"$WORK/window.out")" = "1 ok 2 ok 3 EIO 4 EIO 5 EIO 6 ok 7 ok 8 ok " ]
show "$WORK/window.out" "$WORK/window.err"
check "report: 8 matched" [ "$(count_of matched "$WORK/window.json")" = 8 ]
check "report: 3 injected" [ "$(count_of injected "$WORK/window.json")" = 3 ]

# every: 4 -> calls 4, 8, 12 fail; a rule on pwrite64 leaves pread64 alone.
policy every "{name: pread64, errno: EAGAIN}" "{every: 4}"
"$FL" exec -p "$WORK/every.yaml" -- "$SYS" read "$WORK/db" 12 >"$WORK/every.out" 2>"$WORK/every.err"
check "every 4th pread64 fails: exactly calls 4, 8, 12" [ "$(grep -v ' ok$' "$WORK/every.out" | tr '\n' ' ')" = "4 EAGAIN 8 EAGAIN 12 EAGAIN " ]
show "$WORK/every.out" "$WORK/every.err"
policy wonly "{name: pwrite64, errno: ENOSPC}" "{}"
"$FL" exec -p "$WORK/wonly.yaml" -- sh -c "'$SYS' read '$WORK/db' 4; '$SYS' write '$WORK/db' 4" >"$WORK/wonly.out" 2>"$WORK/wonly.err"
check "a pwrite64 rule fails the writes (4 of 4) and no read" \
  [ "$(tr '\n' ' ' <"$WORK/wonly.out")" = "1 ok 2 ok 3 ok 4 ok 1 ENOSPC 2 ENOSPC 3 ENOSPC 4 ENOSPC " ]
show "$WORK/wonly.out" "$WORK/wonly.err"

# A weighted mix at 50%: the injected count and the EIO share within binomial bounds.
N=600
policy mix "{name: pwrite64, errno: {EIO: 70%, ENOSPC: 30%}}" "{probability: 50%}"
"$FL" exec -p "$WORK/mix.yaml" --report "$WORK/mix.json" -- "$SYS" write "$WORK/db" $N >"$WORK/mix.out" 2>"$WORK/mix.err"
eio=$(count EIO "$WORK/mix.out"); enospc=$(count ENOSPC "$WORK/mix.out"); ok=$(count ok "$WORK/mix.out")
check "pwrite64 at 50%: $((eio + enospc)) of $N failed, within the bound" within_binomial $((eio + enospc)) $N 0.5
check "pwrite64: nothing but ok, EIO, ENOSPC ($ok + $eio + $enospc = $N)" [ $((ok + eio + enospc)) = $N ]
check "pwrite64: EIO is $eio of $((eio + enospc)) failures, within the bound of 70%" within_binomial "$eio" $((eio + enospc)) 0.7
check "report: injected equals the failures the command saw" [ "$(count_of injected "$WORK/mix.json")" = $((eio + enospc)) ]

# fsync passes no LSM hook: exact with kprobes, refused with the reason without them.
policy sync "{name: [fsync, fdatasync], errno: EIO}" "{after: 1, times: 2}"
"$FL" exec -p "$WORK/sync.yaml" -- "$SYS" fsync "$WORK/db" 5 >"$WORK/sync.out" 2>"$WORK/sync.err"
status=$?
if [ $BACKEND = kprobe ]; then
  check "fsync after 1, times 2: calls 2-3 fail with EIO" [ "$(tr '\n' ' ' <"$WORK/sync.out")" = "1 ok 2 EIO 3 EIO 4 ok 5 ok " ]
else
  check "fsync without kprobe override: refused (exit 125)" [ $status = 125 ]
  check "fsync without kprobe override: nothing ran" [ ! -s "$WORK/sync.out" ]
  check "fsync refusal names the reason (the kprobe backend cannot run here)" grep -q "syscall.kprobe: this kernel cannot run it" "$WORK/sync.err"
  skip "fsync after 1, times 2 fails exactly calls 2-3: no kprobe override on this kernel (6.1-inject runs it)"
fi

# openat filtered on write access: reads open, writes fail.
echo data >"$WORK/file"
policy ro "{name: openat, errno: EROFS, flags: [O_WRONLY, O_RDWR]}" "{}"
"$FL" exec -p "$WORK/ro.yaml" -- sh -c "'$SYS' open '$WORK/file' r 3; '$SYS' open '$WORK/file' w 3; '$SYS' open '$WORK/file' rw 3" >"$WORK/ro.out" 2>"$WORK/ro.err"
check "openat for writing: EROFS; for reading: opens" \
  [ "$(tr '\n' ' ' <"$WORK/ro.out")" = "1 ok 2 ok 3 ok 1 EROFS 2 EROFS 3 EROFS 1 EROFS 2 EROFS 3 EROFS " ]
show "$WORK/ro.out" "$WORK/ro.err"

# connect to one peer port refused though it listens; another port of the same peer connects.
setup_net || exit 1
for port in 7001 7002; do
  ip netns exec "$NS_B" "$TCP" serve $ADDR_B $port >"$WORK/serve-$port" 2>&1 &
  CLEANUP_HOOKS+=("kill $! 2>/dev/null")
  check "server on port $port ready" wait_for 300 grep -q ready "$WORK/serve-$port"
done
policy refuse "{name: connect, errno: ECONNREFUSED, peer: $ADDR_B/32, port: 7001}" "{}"
"$FL" exec -p "$WORK/refuse.yaml" --report "$WORK/refuse.json" -- ip netns exec "$NS_A" sh -c \
  "'$SYS' connect $ADDR_B 7001 5; '$SYS' connect $ADDR_B 7002 5" >"$WORK/refuse.out" 2>"$WORK/refuse.err"
check "connect to the filtered peer port: ECONNREFUSED 5 of 5" [ "$(head -5 "$WORK/refuse.out" | grep -c ' ECONNREFUSED$')" = 5 ]
check "connect to another port of the peer: 5 of 5 connect" [ "$(tail -5 "$WORK/refuse.out" | grep -c ' ok$')" = 5 ]
show "$WORK/refuse.out" "$WORK/refuse.err"
check "report: 5 matched (the other port does not match)" [ "$(count_of matched "$WORK/refuse.json")" = 5 ]
check "report: 5 injected (the refusals were faultline's, not the listening server's)" [ "$(count_of injected "$WORK/refuse.json")" = 5 ]

# A path filter on the path argument: under the prefix fails, a sibling sharing its first bytes
# (data vs database) and a relative path (the argument as written is compared) do not.
mkdir -p "$WORK/data" "$WORK/database"
policy paths "{name: [mkdir, mkdirat], errno: EROFS, path: $WORK/data}" "{}"
"$FL" exec -p "$WORK/paths.yaml" --report "$WORK/paths.json" -- sh -c \
  "'$SYS' mkdir '$WORK/data/d' 3; '$SYS' mkdir '$WORK/database/d' 3; cd '$WORK/data' && '$SYS' mkdir d 2" \
  >"$WORK/paths.out" 2>"$WORK/paths.err"
check "mkdir under the prefix: EROFS 3 of 3, a sibling and a relative path succeed (5 of 5)" \
  [ "$(tr '\n' ' ' <"$WORK/paths.out")" = "1 EROFS 2 EROFS 3 EROFS 1 ok 2 ok 3 ok 1 ok 2 ok " ]
show "$WORK/paths.out" "$WORK/paths.err"
check "report: 3 matched, 3 injected (the other paths do not match)" \
  [ "$(count_of matched "$WORK/paths.json") $(count_of injected "$WORK/paths.json")" = "3 3" ]

# Blast radius: a process outside the exec'd command's cgroup, while the fault is live.
policy scoped "{name: pread64, errno: EPERM}" "{}"
FL_SYS_GATE=$WORK "$FL" exec -p "$WORK/scoped.yaml" -- "$SYS" read "$WORK/db" 3 >"$WORK/scoped.out" 2>"$WORK/scoped.err" &
fl=$!
if wait_for 600 test -e "$WORK/ready"; then
  "$SYS" read "$WORK/db" 20 >"$WORK/control.out" 2>&1
  check "control process outside the target: all 20 calls succeed" [ "$(count ok "$WORK/control.out")" = 20 ]
else
  check "the exec'd command started" false
fi
touch "$WORK/go"
wait $fl
check "the target's own calls fail with EPERM (3 of 3)" [ "$(count EPERM "$WORK/scoped.out")" = 3 ]
show "$WORK/scoped.out" "$WORK/scoped.err"
check "no faultline program left attached" wait_for 100 no_faultline_programs
finish
