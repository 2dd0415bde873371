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
sources=(tests/fuzz/policy_fuzz.cpp userspace/util/*.cpp userspace/policy/*.cpp)
newest=$(ls -t "${sources[@]}" userspace/policy/*.hpp userspace/util/*.hpp | head -1)
if [ ! -x "$out/policy_fuzz" ] || [ "$newest" -nt "$out/policy_fuzz" ]; then
  echo "building $out/policy_fuzz with $CXX"
  "$CXX" "${flags[@]}" "${sources[@]}" -lyaml-cpp -lfmt -o "$out/policy_fuzz"
fi
# Seeds: every policy, and every YAML block of the docs.
cp policies/*.yaml "$out/corpus/"
n=0
for doc in docs/*.md; do
  awk '/^```yaml/ {on=1; next} /^```/ {on=0} on' "$doc" >"$out/corpus/doc-$((n++)).yaml"
done
cd "$out"
# -rss_limit_mb and -timeout turn memory blow-ups and hangs into failures too.
./policy_fuzz -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -max_len=65536 \
  -print_final_stats=1 corpus 2>&1 | tail -n 25
