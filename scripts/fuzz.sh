#!/usr/bin/env bash
# Fuzzes the policy parser with libFuzzer (clang-14, ASan + UBSan), seeded from policies/ and the
# YAML examples in docs/. Usage: scripts/fuzz.sh [SECONDS]   (default 60; longer on demand)
# Fails on any crash, leak, timeout or sanitizer report; the input that caused it is kept in
# build-fuzz/ (crash-*, leak-*, timeout-*) to become a regression case.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"
CXX=$(command -v clang++-14 || command -v clang++)
flags=(-std=c++20 -gline-tables-only -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Iuserspace -Iinclude)
# Every family's section parser (pure: its block of a fault), listed from the family folders (in
# their alphabetical order, not the registry's: the parser's messages list the keys in the order
# given, which the fuzzer does not check), so a new family is fuzzed with no edit here.
shopt -s nullglob
families=()
for section in userspace/faults/*/section.hpp; do
  families+=("$(basename "$(dirname "$section")")")
done
{
  echo '#include "policy/fault_section.hpp"'
  echo 'namespace faultline::faults {'
  for f in "${families[@]}"; do echo "const policy::FaultSection& ${f}_section();"; done
  echo '} // namespace faultline::faults'
  echo 'faultline::policy::FaultSections fuzz_sections() {'
  echo '  return {'
  for f in "${families[@]}"; do echo "      &faultline::faults::${f}_section(),"; done
  echo '  };'
  echo '}'
} >"$out/fuzz_sections.cpp.new"
cmp -s "$out/fuzz_sections.cpp.new" "$out/fuzz_sections.cpp" || mv "$out/fuzz_sections.cpp.new" "$out/fuzz_sections.cpp"
rm -f "$out/fuzz_sections.cpp.new"
sources=(tests/fuzz/policy_fuzz.cpp "$out/fuzz_sections.cpp" userspace/util/*.cpp userspace/policy/*.cpp
         userspace/faults/*/section.cpp userspace/faults/*/*_spec.cpp)
newest=$(ls -t "${sources[@]}" userspace/policy/*.hpp userspace/util/*.hpp userspace/faults/*/*.hpp | head -1)
shopt -u nullglob
if [ ! -x "$out/policy_fuzz" ] || [ "$newest" -nt "$out/policy_fuzz" ]; then
  echo "building $out/policy_fuzz with $CXX"
  "$CXX" "${flags[@]}" "${sources[@]}" -lyaml-cpp -lfmt -o "$out/policy_fuzz"
fi
# Seeds: every policy, and every YAML block of the docs.
cp policies/*.yaml "$out/corpus/"
n=0
for doc in docs/*.md userspace/faults/*/README.md; do
  awk '/^```yaml/ {on=1; next} /^```/ {on=0} on' "$doc" >"$out/corpus/doc-$((n++)).yaml"
done
cd "$out"
# -rss_limit_mb and -timeout turn memory blow-ups and hangs into failures too.
./policy_fuzz -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -max_len=65536 \
  -print_final_stats=1 corpus 2>&1 | tail -n 25
