#!/usr/bin/env python3
"""README's Layout must show the house as it is: every top-level folder, every folder of the
userspace core and every fault family (a folder of userspace/faults/ with a family.cpp). Prints what is missing and exits 1; run by scripts/lint.sh."""
import pathlib
import re
import subprocess
import sys

top = pathlib.Path(__file__).resolve().parents[2]
readme = (top / "README.md").read_text()
match = re.search(r"^## Layout\n.*?```\n(.*?)```", readme, re.S | re.M)
if not match:
    print("README.md: no ## Layout section with a code block")
    sys.exit(1)
layout = match.group(1)
# Each entry of the block is its first column: "name/" or "  name/" (several on a line allowed).
names = set()
for line in layout.splitlines():
    head = line.strip().split("   ")[0]
    for word in head.split():
        names.update(part for part in word.split("/") if part)

tracked = subprocess.run(["git", "-C", str(top), "ls-files"], capture_output=True, text=True, check=True)
files = [f for f in tracked.stdout.splitlines() if f]
missing = []
for folder in sorted({f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}):
    if folder not in names:
        missing.append(f"top-level folder {folder}/")
for folder in sorted({f.split("/")[1] for f in files if f.startswith("userspace/") and f.count("/") >= 2}):
    if folder not in names:
        missing.append(f"userspace/{folder}/")
families = sorted({f.split("/")[2] for f in files if re.match(r"userspace/faults/[^/]+/family\.cpp$", f)})
for family in families:
    if family not in names:
        missing.append(f"fault family userspace/faults/{family}/")
if missing:
    print("README.md's Layout is missing: " + ", ".join(missing))
    sys.exit(1)
print(f"README layout: {len(families)} families and every folder shown")
