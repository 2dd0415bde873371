# shellcheck shell=bash
# What a VM case's output says beyond its exit status and expectation; sourced by
# vmtests/guest/run-cases.sh (and by tests/host/lib_test.sh, which checks these readings).
# The output is tests/host/lib.sh's "TAG: P of N checks passed[, S skipped]" or GoogleTest's.

# The checks its tests skipped, summed over every summary line (a case may run several tests).
case_skipped() { # log
  awk '/: [0-9]+ of [0-9]+ checks passed, [0-9]+ skipped$/ { s += $(NF - 1) }
       /^\[  SKIPPED \] [0-9]+ tests?,/ { s += $4 }
       END { print s + 0 }' "$1"
}
# True when a test in it ran no check at all: such a case proved nothing, whatever it expects.
case_ran_nothing() { # log
  grep -Eq ': 0 of 0 checks passed|^\[  PASSED  \] 0 tests' "$1"
}
