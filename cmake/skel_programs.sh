#!/bin/sh
# The BPF programs of a skeleton as C++ constants (NAME.programs.hpp beside NAME.skel.h), so code
# names only programs the object really has: a typo, or a program removed from bpf/, is a compile
# error instead of a load-time "program not found". Usage: skel_programs.sh SKEL OUT
set -eu
skel=$1
out=$2
names=$(sed -n 's/^[[:space:]]*struct bpf_program \*\([A-Za-z0-9_]*\);$/\1/p' "$skel")
{
  echo "// Generated from $(basename "$skel") by cmake/skel_programs.sh: one constant per BPF program."
  echo "#pragma once"
  echo ""
  echo "#include <array>"
  echo ""
  echo "namespace faultline::program {"
  echo ""
  for n in $names; do echo "inline constexpr const char* $n = \"$n\";"; done
  echo ""
  echo "inline constexpr std::array all = {"
  for n in $names; do echo "    $n,"; done
  echo "};"
  echo ""
  echo "} // namespace faultline::program"
} >"$out.tmp"
mv "$out.tmp" "$out"
