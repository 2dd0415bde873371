# Shared by the file fault VM tests (sourced after tests/host/lib.sh): a one-fault policy for
# `faultline exec` and the helpers that read fl_sys's one-line-per-call output.
policy() { one_fault_policy "$1" 300s "cgroup: unused" disk "file: $2, trigger: $3"; } # name file-body trigger
count() { grep -c " $1\$" "$2"; } # calls of fl_sys output FILE that ended in ERRNO (or ok)
# After a failed check, what the command printed (the test's files are gone afterwards).
show() { [ $? = 0 ] || sed 's/^/    | /' "$@"; }
