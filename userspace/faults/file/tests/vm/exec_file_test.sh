#!/usr/bin/env bash
# `faultline exec` with a file fault (VM: needs BPF-LSM or fmod_ret): the command gets EIO
# opening files under the prefix, other paths open, processes outside are untouched.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" execfile
POLICY=$FL_TOP/policies/disk-eio.yaml
mkdir -p /tmp/faultline-disk && echo data >/tmp/faultline-disk/f && echo data >"$WORK/other"
CLEANUP_HOOKS+=("rm -rf /tmp/faultline-disk")

"$FL" exec -p "$POLICY" --report "$WORK/r.json" -- cat /tmp/faultline-disk/f >"$WORK/out" 2>"$WORK/err"
status=$?
check "the command fails (cat exits 1)" [ "$status" = 1 ]
check "with EIO under the prefix" grep -q "Input/output error" "$WORK/err"
check "the report counts one injection" grep -q '"injected": 1' "$WORK/r.json"
"$FL" exec -p "$POLICY" -q -- cat "$WORK/other" >"$WORK/out2"
check "paths outside the prefix open" [ "$(cat "$WORK/out2")" = data ]
check "processes outside the cgroup are untouched" [ "$(cat /tmp/faultline-disk/f)" = data ]
check "no faultline program left attached" no_faultline_programs
finish
