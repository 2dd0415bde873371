#!/usr/bin/env bash
# The test harness itself, no kernel state: lib.sh's finish fails a test that ran no check and
# reports skipped checks apart ("TAG: P of N checks passed, S skipped"), never as passed; the VM
# guest's reading of a case's output (vmtests/guest/case_output.sh) fails "0 of 0" and counts
# what was skipped; every case's "checks passed" expectation refuses "0 of 0"; vmtests/run.sh
# collects cases beside their tests under tests/ and userspace/faults/ and refuses two of one name.
source "$(dirname "$0")/lib.sh" "$1" libtest
TOP=$(cd "$(dirname "$0")/../.." && pwd)
source "$TOP/vmtests/guest/case_output.sh"

# A test script of BODY on lib.sh, run with tag NAME: its output in $WORK/NAME.out, status in STATUS.
run_script() { # name body
  printf 'source %q %q %q\n%s\n' "$TOP/tests/host/lib.sh" "$BUILD" "$1" "$2" >"$WORK/$1.sh"
  bash "$WORK/$1.sh" >"$WORK/$1.out" 2>&1
  STATUS=$?
}
last_line_is() { [ "$(tail -n 1 "$WORK/$1.out")" = "$2" ]; } # name line
show() { sed 's/^/    | /' "$WORK/$1.out"; }
isnt() { ! "$@"; }

run_script none 'finish'
check "a test that ran no check fails (exit $STATUS)" [ "$STATUS" != 0 ] || show none
check "  and says so" grep -qx 'none: FAIL: no check ran' "$WORK/none.out" || show none
run_script onlyskip 'skip "io.max: no io controller here"; finish'
check "a test that only skipped fails too (exit $STATUS)" [ "$STATUS" != 0 ] || show onlyskip
check "  its count line: 0 of 0 checks passed, 1 skipped" grep -qx 'onlyskip: 0 of 0 checks passed, 1 skipped' "$WORK/onlyskip.out" ||
  show onlyskip
run_script plain 'check "true holds" true; finish'
check "a test whose checks passed passes (exit $STATUS)" [ "$STATUS" = 0 ] || show plain
check "  its last line: plain: 1 of 1 checks passed" last_line_is plain 'plain: 1 of 1 checks passed' || show plain
run_script skipped 'check "true holds" true; skip "io.max: no io controller here"; skip "memory.high: likewise"; finish'
check "a test with passed and skipped checks passes (exit $STATUS)" [ "$STATUS" = 0 ] || show skipped
check "  its last line counts the skipped apart: 1 of 1 checks passed, 2 skipped" \
  last_line_is skipped 'skipped: 1 of 1 checks passed, 2 skipped' || show skipped
check "  each skip prints its reason" grep -Eq '^skip +[0-9]+\.[0-9]s io\.max: no io controller here$' "$WORK/skipped.out" ||
  show skipped
run_script failing 'check "false holds" false; skip "elsewhere"; finish'
check "a failed check fails the test (exit $STATUS)" [ "$STATUS" != 0 ] || show failing
check "  its last line: 0 of 1 checks passed, 1 skipped" last_line_is failing 'failing: 0 of 1 checks passed, 1 skipped' ||
  show failing

# The guest's reading of a case's output.
check "case_ran_nothing: a lib.sh test that ran no check" case_ran_nothing "$WORK/none.out"
check "case_ran_nothing: one that only skipped" case_ran_nothing "$WORK/onlyskip.out"
check "case_ran_nothing: not one that ran a check" isnt case_ran_nothing "$WORK/skipped.out"
printf '[==========] 0 tests from 0 test suites ran. (0 ms total)\n[  PASSED  ] 0 tests.\n' >"$WORK/gtest0.out"
check "case_ran_nothing: a gtest filter that matched nothing" case_ran_nothing "$WORK/gtest0.out"
check "case_skipped: 2 from lib.sh's line" [ "$(case_skipped "$WORK/skipped.out")" = 2 ]
check "case_skipped: 0 when nothing was skipped" [ "$(case_skipped "$WORK/plain.out")" = 0 ]
cat "$WORK/skipped.out" "$WORK/failing.out" >"$WORK/two.out"
check "case_skipped: summed over two tests in one case (3)" [ "$(case_skipped "$WORK/two.out")" = 3 ]
printf '[  PASSED  ] 2 tests.\n[  SKIPPED ] 3 tests, listed below:\n[  SKIPPED ] A.b\n' >"$WORK/gtest3.out"
check "case_skipped: gtest's skipped tests (3)" [ "$(case_skipped "$WORK/gtest3.out")" = 3 ]

# Every case expecting lib.sh's count line refuses "0 of 0" and accepts checks run with some skipped.
bad_expectations() { # folder...: prints each case whose expectation would pass a test that ran no check
  local f expect tag
  while IFS= read -r f; do
    expect=$(grep -m 1 '^expect=' "$f")
    expect=${expect#expect=}
    [[ $expect == *"checks passed"* ]] || continue
    tag=${expect%%:*}
    # grep -E, as the guest reads them (vmtests/guest/run-cases.sh).
    if grep -Eq -- "$expect" <<<"$tag: 0 of 0 checks passed" ||
      ! grep -Eq -- "$expect" <<<"$tag: 3 of 3 checks passed, 1 skipped"; then
      echo "$f: expect=$expect"
    fi
  done < <(find "$@" -name '*.case' 2>/dev/null)
}
mkdir -p "$WORK/old"
printf 'expect=old: ([0-9]+) of \\1 checks passed\n' >"$WORK/old/old.case"
check "an expectation of ([0-9]+) of \\1 would pass 0 of 0: flagged" [ -n "$(bad_expectations "$WORK/old")" ]
bad=$(bad_expectations "$TOP/tests" "$TOP/userspace/faults")
check "every case's \"checks passed\" expectation needs at least one check ($bad)" [ -z "$bad" ]

# vmtests/run.sh's collection, in a tree of its own (--list stops before anything boots).
T=$WORK/tree
mkdir -p "$T/vmtests" "$T/tests/host" "$T/userspace/faults/netw/tests"
cp "$TOP/vmtests/run.sh" "$T/vmtests/"
printf 'name=alpha\ncommand=true\nexpect=x\n' >"$T/tests/host/alpha.case"
printf 'command=true\nexpect=x\nkernels=6.12\n' >"$T/userspace/faults/netw/tests/beta.case"
bash "$T/vmtests/run.sh" --build "$BUILD" --list >"$WORK/list.out" 2>&1
check "run.sh collects cases under tests/ and userspace/faults/ ($(tr -s ' \n' ' ' <"$WORK/list.out"))" \
  bash -c "grep -Eq '^alpha +tests/host/alpha.case +6.1 6.12$' '$WORK/list.out' &&
    grep -Eq '^beta +userspace/faults/netw/tests/beta.case +6.12$' '$WORK/list.out' && [ \$(wc -l <'$WORK/list.out') = 2 ]"
printf 'command=true\nexpect=x\n' >"$T/userspace/faults/netw/alpha.case"
bash "$T/vmtests/run.sh" --build "$BUILD" --list >"$WORK/dup.out" 2>&1
status=$?
check "run.sh refuses two cases of one name (exit $status), naming both files" bash -c "[ $status = 2 ] &&
  grep -q 'case alpha twice: tests/host/alpha.case and userspace/faults/netw/alpha.case' '$WORK/dup.out'" || show dup
rm "$T/userspace/faults/netw/alpha.case"
printf 'name=gamma\ncommand=true\nexpect=x\n' >"$T/tests/host/delta.case"
bash "$T/vmtests/run.sh" --build "$BUILD" --list >"$WORK/misnamed.out" 2>&1
status=$?
check "run.sh refuses a case whose name= is not its file's name (exit $status)" bash -c "[ $status = 2 ] &&
  grep -q 'name=gamma, but a case is named by its file (delta)' '$WORK/misnamed.out'" || show misnamed
finish
