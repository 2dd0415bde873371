#!/usr/bin/env bash
# DNS faults by name, through faultlined: the target's queries for names under *.db.internal are
# dropped (the query times out), other names resolve, the control cgroup resolves everything,
# case does not matter, the counters equal the dropped queries; where sch_fq exists a delayed name
# answers late and others at once; nxdomain and servfail answers come back at once in place of the
# server's, over IPv4 and IPv6, and glibc's resolver takes them.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" dns
SOCK=$WORK/fl.sock
DNS="python3 $FL_TOP/tests/tools/fl_dns.py"
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
ADDR6_B=2001:db8::2
ip -n "$NS_A" addr add 2001:db8::1/64 dev flva nodad && ip -n "$NS_B" addr add $ADDR6_B/64 dev flvb nodad
ip netns exec "$NS_B" $DNS serve $ADDR_B $ADDR6_B >"$WORK/dns-server" 2>"$WORK/dns-queries" &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
wait_for 300 grep -q ready "$WORK/dns-server"
ask() { # cgroup name [timeout [server]]: prints "answer MS", "nxdomain MS", ... or "timeout"
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A $DNS query ${4:-$ADDR_B} $2 ${3:-2}"
}
# glibc's resolver in CGROUP with the test server as its only nameserver (bound over resolv.conf
# in a private mount namespace); prints getent's exit status (0 found, 2 not found).
echo "nameserver $ADDR_B" >"$WORK/resolv.conf"
echo "options timeout:1 attempts:1" >>"$WORK/resolv.conf"
resolve() { # cgroup name
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A unshare -m sh -c \
    'mount --bind $WORK/resolv.conf /etc/resolv.conf && getent ahostsv4 $2 >/dev/null; echo \$?'"
}
policy() { one_fault_policy "$1" 120s "cgroup: $CG/target" dns "network: {dns: $2}"; } # name dns-block
check "before: the target resolves pg.db.internal" bash -c "[[ '$(ask "$CG/target" pg.db.internal)' == answer* ]]"

policy drop '{names: ["*.db.internal", "api.example.com"], action: drop}'
"$FL" --socket "$SOCK" apply -f "$WORK/drop.yaml" >"$WORK/apply.out" 2>&1
check "apply a dns drop" grep -q running "$WORK/apply.out"
check "the target's query for pg.db.internal is dropped" [ "$(ask "$CG/target" pg.db.internal)" = timeout ]
check "case does not matter: PG.DB.Internal is dropped" [ "$(ask "$CG/target" PG.DB.Internal)" = timeout ]
check "the exact name api.example.com is dropped" [ "$(ask "$CG/target" api.example.com)" = timeout ]
check "other names resolve (www.example.com)" bash -c "[[ '$(ask "$CG/target" www.example.com)' == answer* ]]"
check "a sibling name resolves (x.api.example.com: exact names match exactly)" \
  bash -c "[[ '$(ask "$CG/target" x.api.example.com)' == answer* ]]"
check "the wildcard's own domain resolves (db.internal)" bash -c "[[ '$(ask "$CG/target" db.internal)' == answer* ]]"
check "a lookalike resolves (pg.db.internal.evil)" bash -c "[[ '$(ask "$CG/target" pg.db.internal.evil)' == answer* ]]"
check "the control resolves pg.db.internal" bash -c "[[ '$(ask "$CG/control" pg.db.internal)' == answer* ]]"
"$FL" --socket "$SOCK" --json status drop >"$WORK/status.json"
check "status counts the 3 dropped queries" bash -c "jq -e '[.faults[].injected] | add == 3' '$WORK/status.json' >/dev/null"
"$FL" --socket "$SOCK" stop drop >/dev/null
check "after stop the target resolves pg.db.internal" bash -c "[[ '$(ask "$CG/target" pg.db.internal)' == answer* ]]"

# Failure answers: the query never reaches the server; the answer comes back at once with the
# question echoed, over IPv4 and IPv6, and a real resolver (glibc, through getent) takes it.
policy nx '{names: ["*.db.internal"], action: nxdomain}'
start_resident "$CG/target" # tc goes on the devices of the namespaces the target is in at apply
seen=$(wc -l <"$WORK/dns-queries") # queries the server has logged so far
"$FL" --socket "$SOCK" apply -f "$WORK/nx.yaml" >"$WORK/apply.out" 2>&1
check "apply a dns nxdomain" grep -q running "$WORK/apply.out"
check "the target's query for pg.db.internal is answered NXDOMAIN" \
  bash -c "[[ '$(ask "$CG/target" pg.db.internal)' == nxdomain* ]]"
check "over IPv6 too" bash -c "[[ '$(ask "$CG/target" pg.db.internal 2 $ADDR6_B)' == nxdomain* ]]"
check "other names resolve (www.example.com)" bash -c "[[ '$(ask "$CG/target" www.example.com)' == answer* ]]"
check "the control resolves pg.db.internal" bash -c "[[ '$(ask "$CG/control" pg.db.internal)' == answer* ]]"
check "glibc's resolver reports pg.db.internal missing (getent exit 2)" [ "$(resolve "$CG/target" pg.db.internal)" = 2 ]
check "glibc's resolver resolves www.example.com" [ "$(resolve "$CG/target" www.example.com)" = 0 ]
"$FL" --socket "$SOCK" --json status nx >"$WORK/status.json"
check "status counts the 3 answered queries" bash -c "jq -e '[.faults[].injected] | add == 3' '$WORK/status.json' >/dev/null"
server_saw() { tail -n +$((seen + 1)) "$WORK/dns-queries" | grep -cx "$1"; }
check "the server saw none of the answered queries (only the control's)" [ "$(server_saw pg.db.internal)" = 1 ]
"$FL" --socket "$SOCK" stop nx >/dev/null
check "after stop the server answers pg.db.internal" bash -c "[[ '$(ask "$CG/target" pg.db.internal)' == answer* ]]"
check "and the server saw it" [ "$(server_saw pg.db.internal)" = 2 ]

policy sf '{names: ["api.example.com"], action: servfail}'
"$FL" --socket "$SOCK" apply -f "$WORK/sf.yaml" >/dev/null 2>&1
check "a servfail answer for api.example.com" bash -c "[[ '$(ask "$CG/target" api.example.com)' == servfail* ]]"
check "and none for www.example.com" bash -c "[[ '$(ask "$CG/target" www.example.com)' == answer* ]]"
"$FL" --socket "$SOCK" stop sf >/dev/null

if [ -d /sys/module/sch_fq ]; then
  policy slow '{names: ["*.db.internal"], action: delay, delay: 500ms}'
  "$FL" --socket "$SOCK" apply -f "$WORK/slow.yaml" >/dev/null
  slow=$(ask "$CG/target" pg.db.internal 5 | awk '{print $2}')
  fast=$(ask "$CG/target" www.example.com 5 | awk '{print $2}')
  "$FL" --socket "$SOCK" stop slow >/dev/null
  check "a delayed name answers after the delay ($slow ms >= 475)" awk -v t="$slow" 'BEGIN { exit !(t >= 475 && t < 2000) }'
  check "other names answer at once ($fast ms < 100)" awk -v t="$fast" 'BEGIN { exit !(t != "" && t < 100) }'
else
  skip "a delayed name answers after the delay: no sch_fq in this kernel (the VM case net_dns runs it)"
  skip "other names answer at once beside a delayed one: no sch_fq in this kernel"
fi

kill -TERM $DAEMON; wait $DAEMON
check "no faultline program stays attached" no_faultline_programs
finish
