#!/usr/bin/env bash
# Bad input against the real daemon: malformed API payloads, hostile policies and dangerous
# targets are each refused with a 4xx and a message, and none changes the kernel: the same
# programs attached to cgroups, the same rule table and config, the same links and cgroups.
source "$(dirname "$0")/lib.sh" "$1" bad
SOCK=$WORK/fl.sock
setup_cgroups
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }

kernel_state() {
  bpftool cgroup tree 2>/dev/null | grep fl_
  bpftool link show 2>/dev/null | grep -c cgroup
  for m in fl_rules fl_config fl_hooks; do bpftool map dump name $m 2>/dev/null | grep -v '^Found'; done
  find "$CG" -type d | sort
  "$FL" --socket "$SOCK" --json list | jq -c '[.[] | {name, state}]'
}
kernel_state >"$WORK/before"

post() { # status-file body-file [content-type]: prints the HTTP status
  curl -s -o "$1" -w '%{http_code}' --unix-socket "$SOCK" -H "Content-Type: application/json" \
    --data-binary @"$2" http://x/v1/experiments
}
n=0
refused() { # description expected-status body-file
  n=$((n + 1))
  local status
  status=$(post "$WORK/r$n" "$3")
  check "$1: $2" [ "$status" = "$2" ]
  check "$1: says why" says_why "$WORK/r$n"
}
# Builtins only where it is easy (a process start costs 160 ms to 1.4 s in a TCG guest).
says_why() { local body; body=$(<"$1"); [[ $body == *'"error":"'[^\"]* ]]; }
payload() { printf '%s' "$1" >"$WORK/p$((n + 1))"; echo "$WORK/p$((n + 1))"; }
json_string() { # text: as a JSON string (the policies here hold no control characters but newlines)
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}
as_request() { printf '{"policy": %s, "file": "bad.yaml"}' "$(json_string "$(<"$1")")" >"$1.json"; echo "$1.json"; }
nested() { # depth open close: OPEN depth times, then CLOSE depth times (by doubling: fast)
  local open=$2 close=$3
  while ((${#open} < $1)); do open+=$open; close+=$close; done
  printf '%s%s' "${open:0:$1}" "${close:0:$1}"
}
policy() { printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: bad}\nspec:\n  duration: 30s\n  targets:\n    - %s\n  faults:\n    - name: f\n      network: {%s}\n' "$1" "$2" >"$WORK/pol$n.yaml"; as_request "$WORK/pol$n.yaml"; }

# Payloads.
refused "not JSON" 400 "$(payload '{')"
refused "truncated JSON" 400 "$(payload '{"policy": "apiVersion: fault')"
refused "a JSON array" 400 "$(payload '[]')"
refused "policy is a number" 400 "$(payload '{"policy": 5}')"
refused "policy is null" 400 "$(payload '{"policy": null}')"
refused "no policy" 400 "$(payload '{"file": "x.yaml"}')"
refused "file is a number" 400 "$(payload '{"policy": "a: 1", "file": 7}')"
refused "an unknown field" 400 "$(payload '{"policy": "a: 1", "extra": true}')"
refused "a number past double" 400 "$(payload '{"policy": 1e400}')"
refused "NaN" 400 "$(payload '{"policy": NaN}')"
nested 400000 '[' ']' >"$WORK/deep.json"
refused "JSON nested 400,000 deep" 400 "$WORK/deep.json"
head -c 4096 /dev/urandom >"$WORK/binary"
refused "binary bytes" 400 "$WORK/binary"
head -c $((3 * 1024 * 1024)) /dev/zero >"$WORK/huge"
refused "a 3 MiB body" 413 "$WORK/huge"
# Hostile policies.
policy "cgroup: $CG/target" 'loss: 1%' >/dev/null && sed -i 's/30s/-30s/' "$WORK/pol$n.yaml"
refused "negative duration" 400 "$(as_request "$WORK/pol$n.yaml")"
refused "NaN loss" 400 "$(policy "cgroup: $CG/target" 'loss: .nan')"
refused "loss past 100%" 400 "$(policy "cgroup: $CG/target" 'loss: 250%')"
refused "rate past uint64" 400 "$(policy "cgroup: $CG/target" 'rate: 99999999999999999999999gbit')"
refused "port 70000" 400 "$(policy "cgroup: $CG/target" 'loss: 1%, port: 70000')"
refused "peer /33" 400 "$(policy "cgroup: $CG/target" 'loss: 1%, peer: 10.0.0.1/33')"
printf 'a: %s\n' "$(nested 5000 '[' ']')" >"$WORK/deep.yaml"
refused "YAML nested 5,000 deep" 400 "$(as_request "$WORK/deep.yaml")"
printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: bomb\n  labels:\n    a: &a [x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n    c: [*b, *b, *b, *b, *b, *b, *b, *b]\n' >"$WORK/bomb.yaml"
refused "an alias bomb" 400 "$(as_request "$WORK/bomb.yaml")"
# Dangerous targets: refused by the safety guard.
refused "pid 1" 403 "$(policy 'pid: 1' 'loss: 1%')"
refused "cgroup ." 403 "$(policy 'cgroup: "."' 'loss: 1%')"
refused "a path resolving to the root" 403 "$(policy "cgroup: \"$CG/target/../..\"" 'loss: 1%')"
refused "the daemon's own pid" 403 "$(policy "pid: $DAEMON" 'loss: 1%')"
refused "a cgroup that does not exist" 404 "$(policy "cgroup: $CG/nope" 'loss: 1%')"

kernel_state >"$WORK/after"
check "after $n refusals the kernel is exactly as before" diff "$WORK/before" "$WORK/after"
check "the daemon still answers" bash -c "curl -sf --unix-socket $SOCK http://x/v1/health | grep -q ok"
# The snapshot does see a change when there is one: a good policy changes it.
n=$((n + 1))
check "a good policy is accepted (201)" [ "$(post "$WORK/ok" "$(policy "cgroup: $CG/target" 'loss: 1%')")" = 201 ]
kernel_state >"$WORK/applied"
check "and the snapshot sees what it changed" bash -c "! diff -q $WORK/before $WORK/applied >/dev/null"
kill -TERM $DAEMON; wait $DAEMON
check "and shuts down cleanly" [ $? = 0 ]
finish
