#!/usr/bin/env python3
"""README must show the house as it is: its Layout every top-level folder and every folder of the
userspace core, its Status table every fault family (a folder of userspace/faults/ with a
family.cpp), linked from the table's first column. Only the first column of the Layout block
counts: the names before column 25, each line's path built from its indentation (two spaces a
level), so a word in a description satisfies nothing. A new family adds its Status row, not a
Layout line. Prints what is missing and exits 1; run by scripts/lint.sh."""
import pathlib
import re
import subprocess
import sys

COLUMN = 25  # where descriptions start in the Layout block

top = pathlib.Path(__file__).resolve().parents[2]
readme = (top / "README.md").read_text()
match = re.search(r"^## Layout\n.*?```\n(.*?)```", readme, re.S | re.M)
if not match:
    print("README.md: no ## Layout section with a code block")
    sys.exit(1)

shown = set()  # paths the first column names, as "userspace/faults/network"
parents = []   # the folder at each indentation level above the current line
for line in match.group(1).splitlines():
    head = line[:COLUMN].rstrip()
    if not head.strip():
        continue  # a description carried on from the line above
    level = (len(head) - len(head.lstrip(" "))) // 2
    parents = parents[:level]
    folders = []
    for word in head.split():
        path = "/".join(parents + [word.rstrip("/")])
        shown.add(path)
        # "include/faultline/abi.h" also shows include/ and include/faultline/.
        parts = path.split("/")
        for i in range(1, len(parts)):
            shown.add("/".join(parts[:i]))
        if word.endswith("/"):
            folders.append(word.rstrip("/"))
    if len(folders) == 1:
        parents = parents + folders  # the next, deeper lines are inside it

tracked = subprocess.run(["git", "-C", str(top), "ls-files"], capture_output=True, text=True, check=True)
files = [f for f in tracked.stdout.splitlines() if f]
missing = []
for folder in sorted({f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}):
    if folder not in shown:
        missing.append(f"{folder}/")
for folder in sorted({"/".join(f.split("/")[:2]) for f in files if f.startswith("userspace/") and f.count("/") >= 2}):
    if folder not in shown:
        missing.append(f"{folder}/")
status = re.search(r"^## Status\n(.*?)^## ", readme, re.S | re.M)
listed = set(re.findall(r"^\| \[[^]]+\]\(userspace/faults/([^/)]+)/?\) \|", status.group(1), re.M)) if status else set()
families = sorted({f.split("/")[2] for f in files if re.match(r"userspace/faults/[^/]+/family\.cpp$", f)})
for family in families:
    if family not in listed:
        missing.append(f"a Status row for the fault family {family} (first column: [{family}](userspace/faults/{family}/))")
if missing:
    print("README.md is missing: " + ", ".join(missing))
    sys.exit(1)
print(f"README: every folder in its Layout, {len(families)} families in its Status table")
