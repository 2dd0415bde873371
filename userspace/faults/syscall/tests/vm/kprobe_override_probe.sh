#!/usr/bin/env bash
# The 6.1-inject VM kernel has the whole kprobe override chain that Debian's kernels lack
# (CONFIG_FUNCTION_ERROR_INJECTION, CONFIG_BPF_KPROBE_OVERRIDE): the verifier offers
# bpf_override_return to kprobe programs, syscalls are on the error-injection allow list, our own
# probe loads and attaches a kprobe that calls the helper, and an override on __x64_sys_openat
# really changes what a syscall returns. On Debian's 6.1 kernel every check fails but the control
# (a task that did not opt in opens its file).
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" kprobe_override
debugfs=/sys/kernel/debug
fail_function=$debugfs/fail_function

bpftool -j feature probe kernel >"$WORK/features.json" 2>"$WORK/features.err"
kprobes_have_override() {
  jq -e '.helpers.kprobe_available_helpers | index("bpf_override_return") != null' \
    "$WORK/features.json" >/dev/null
}
check "bpftool: bpf_override_return is available to kprobe programs" kprobes_have_override

mountpoint -q "$debugfs" || mount -t debugfs none "$debugfs"
check "the kernel has fail_function (debugfs)" [ -f "$fail_function/injectable" ]
# ALLOW_ERROR_INJECTION on the syscall wrappers is what lets a kprobe on them be overridden.
check "__x64_sys_openat is error-injectable (ERRNO)" \
  grep -qE '^__x64_sys_openat[[:space:]]+ERRNO' "$fail_function/injectable"

check "faultline doctor: the kprobe_override feature probe passes" \
  "$FL" doctor --require kprobe_override

# The override itself, through the kernel's own kprobe-based injector (the same
# override_function_with_return path bpf_override_return takes): openat fails with ENOSPC for a
# task that opted in with make-it-fail, and only for it.
# The filter goes first and the probability last: from that write on, every openat that passes
# the filter fails, and without it that is every task in the guest, PID 1 included.
injected=0
if echo Y >"$fail_function/task-filter" 2>/dev/null &&
  echo __x64_sys_openat >"$fail_function/inject" 2>/dev/null; then
  injected=1
  CLEANUP_HOOKS+=("echo '!__x64_sys_openat' >$fail_function/inject 2>/dev/null")
  echo 0 >"$fail_function/verbose"  # no stack dump per failure on the console run.sh watches
  echo 1 >"$fail_function/interval"
  echo -1 >"$fail_function/times"
  printf '%#x\n' -28 >"$fail_function/__x64_sys_openat/retval"
  echo 100 >"$fail_function/probability"
fi
check "fail_function accepts __x64_sys_openat" [ $injected = 1 ]
echo data >"$WORK/file"
bash -c 'echo 1 >/proc/self/make-it-fail && read -r line <"$1" && echo "read $line"' _ "$WORK/file" \
  >"$WORK/target.out" 2>&1
check "the opted-in task's openat fails with ENOSPC" grep -q "No space left on device" "$WORK/target.out"
check "a task that did not opt in opens the same file" [ "$(cat "$WORK/file")" = data ]
[ $injected = 1 ] && echo '!__x64_sys_openat' >"$fail_function/inject"
check "removing the injection restores openat for the opted-in kind of task" \
  bash -c 'echo 1 >/proc/self/make-it-fail && read -r line <"$1" && [ "$line" = data ]' _ "$WORK/file"
for f in features.err target.out; do sed "s/^/  $f: /" "$WORK/$f"; done
finish
