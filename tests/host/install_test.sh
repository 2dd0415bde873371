#!/usr/bin/env bash
# `cmake --install` into a fresh prefix: binaries, the systemd unit with that prefix's paths, the
# default config, policies and docs; systemd accepts the unit, and the unit's own ExecStart line
# starts a daemon the installed CLI talks to, which applies an installed policy and stops cleanly.
# Then the unit under systemd itself: systemd as PID 1 of a throwaway container on this machine's
# root starts faultlined.service, the CLI outside reaches it, and the container's shutdown stops
# it through the unit (its KillSignal) cleanly.
source "$(dirname "$0")/lib.sh" "$1" install
P=$WORK/prefix
cmake --install "$BUILD" --prefix "$P" >"$WORK/install.log" 2>&1
check "cmake --install succeeds" [ $? = 0 ] || tail -n 20 "$WORK/install.log"
check "faultlined in sbin, faultline in bin" [ -x "$P/sbin/faultlined" ] && [ -x "$P/bin/faultline" ]
UNIT=$P/lib/systemd/system/faultlined.service
check "the unit runs the installed daemon with the installed config" \
  grep -qx "ExecStart=$P/sbin/faultlined --config $P/etc/faultline/faultlined.yaml" "$UNIT"
check "the default config, policies and docs are installed" bash -c "[ -f '$P/etc/faultline/faultlined.yaml' ] &&
  [ -f '$P/share/faultline/policies/udp-loss.yaml' ] && [ -f '$P/share/doc/faultline/daemon.md' ]"
check "each family's pages are installed beside them (faults-<family>.md, faults-syscall-hooks.md)" bash -c "
  [ -f '$P/share/doc/faultline/faults-network.md' ] && [ -f '$P/share/doc/faultline/faults-syscall.md' ] &&
  [ -f '$P/share/doc/faultline/faults-syscall-hooks.md' ]"
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify accepts the unit" systemd-analyze verify "$UNIT" 2>"$WORK/verify.err" ||
    cat "$WORK/verify.err"
else
  skip "systemd-analyze verify accepts the unit: no systemd-analyze here"
fi
# The installed config, pointed at this test's socket and journal; then the unit's command line.
sed -i -e "s#^socket: .*#socket: $WORK/fl.sock#" -e "s#^journal: .*#journal: $WORK/journal.jsonl#" \
  "$P/etc/faultline/faultlined.yaml"
read -r -a start <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
"${start[@]}" 2>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$WORK/fl.sock"
check "the unit's ExecStart starts a daemon the installed CLI reaches" \
  bash -c "'$P/bin/faultline' --socket '$WORK/fl.sock' list >/dev/null" || cat "$WORK/daemon.log"
setup_cgroups
sed "s#cgroup: faultline-demo/target .*#cgroup: $CG/target#" "$P/share/faultline/policies/udp-loss.yaml" >"$WORK/udp.yaml"
check "an installed policy applies" bash -c "'$P/bin/faultline' --socket '$WORK/fl.sock' apply -f '$WORK/udp.yaml' |
  grep -q 'experiment udp-loss: running'"
kill -TERM $DAEMON
wait $DAEMON
check "SIGTERM (the unit's KillSignal) stops it cleanly" [ $? = 0 ]
check "no faultline program stays attached" no_faultline_programs

# systemd-nspawn --volatile=yes: a tmpfs root with /usr read-only from here, so nothing of this
# machine's /etc or services comes along; systemd starts the unit (bound in as installed) and what
# it needs, nothing else. Its seccomp filter is widened by bpf and perf_event_open only; the
# first-boot wizard would wait for a key. The unit's output goes to the container's console.
printf '[Service]\nStandardOutput=journal+console\nStandardError=journal+console\n' >"$WORK/console.conf"
rm -f "$WORK/fl.sock"
systemd-nspawn --keep-unit --register=no -D / --volatile=yes --capability=all \
  --system-call-filter='bpf perf_event_open' --bind="$WORK" \
  --bind-ro="$UNIT:/etc/systemd/system/faultlined.service" \
  --bind-ro="$WORK/console.conf:/etc/systemd/system/faultlined.service.d/console.conf" \
  --bind-ro=/dev/null:/etc/systemd/system/systemd-firstboot.service \
  -b -- --unit=faultlined.service >"$WORK/nspawn.log" 2>&1 &
DAEMON=$!
CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
wait_for_daemon "$WORK/fl.sock"
check "systemd (PID 1 of a container) starts the unit: the installed CLI reaches its daemon" \
  bash -c "'$P/bin/faultline' --socket '$WORK/fl.sock' list >/dev/null" || tail -n 30 "$WORK/nspawn.log"
check "  a daemon systemd runs (journald names its unit's process)" \
  grep -q "faultlined\[[0-9]*\]: faultline info: faultlined listening on $WORK/fl.sock" "$WORK/nspawn.log"
kill -TERM $DAEMON
wait $DAEMON
check "the container's shutdown stops the unit, and everything exits cleanly" [ $? = 0 ]
check "  faultlined removed every fault first (SIGTERM from systemd)" \
  grep -q "faultlined\[[0-9]*\]: faultline info: signal 15: removing every fault and shutting down" "$WORK/nspawn.log"
check "  and journaled it" bash -c "tail -n 1 '$WORK/journal.jsonl' | grep -q '\"reason\":\"faultlined shut down\"'"
check "no faultline program stays attached" no_faultline_programs
finish
