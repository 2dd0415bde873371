#!/usr/bin/env bash
# Style and static checks. --format-only: clang-format (fast, part of scripts/test.sh).
# Without it also clang-tidy over userspace/ and tests/tools/, each file alone, with the commands
# of build/compile_commands.json (a unity build's expanded per file).
# --fix rewrites files in place with clang-format.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=${1:-all}
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | grep -v '^bpf/vmlinux/')
if [ "$mode" = --fix ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
# README's Layout shows every top-level folder, core folder and fault family.
python3 scripts/lib/check_layout.py
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
[ "$mode" = --format-only ] && exit 0
[ -f build/compile_commands.json ] || scripts/build.sh release
# The product and the tools tests drive it. The gtest files (a third of the files, half of the
# time: 20 of CI's minutes went to this step) run under ASan and UBSan instead;
# FL_TIDY_TESTS=1 includes them (from a build/ that has them: scripts/build.sh release, not the
# one scripts/test.sh makes without the unit tests).
# A family's tests live in its folder (userspace/faults/<family>/tests/): gtest files like tests/.
patterns=('userspace/*.cpp' ':(exclude)userspace/faults/*/tests/*' 'tests/tools/*.cpp')
[ "${FL_TIDY_TESTS:-0}" = 1 ] && patterns+=('tests/*.cpp' 'userspace/faults/*/tests/*.cpp')
mapfile -t sources < <(git ls-files "${patterns[@]}")
# One file per process, on every core: the analyzer is the slow part of CI. Its shallow mode
# (callees of up to 4 blocks inlined, 75,000 nodes per function) takes a fifth less time than
# deep; FL_TIDY_DEEP=1 runs the deep one (100 blocks, 225,000 nodes).
mode_args=()
[ "${FL_TIDY_DEEP:-0}" = 1 ] ||
  mode_args=(--extra-arg=-Xclang --extra-arg=-analyzer-config --extra-arg=-Xclang --extra-arg=mode=shallow)
# A unity build's database names its batches, not the files (scripts/test.sh builds that way):
# one entry per file, each with its batch's command.
db=build/lint-db
python3 scripts/lib/unity_compile_db.py build "$db"
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$db" --quiet "${mode_args[@]}"
echo "clang-tidy: ${#sources[@]} files clean"
