#!/usr/bin/env python3
"""Writes a compile database with one entry per source file from one made by a unity build.

A unity build (CMAKE_UNITY_BUILD) lists the generated unity_N_cxx.cxx batches in
compile_commands.json instead of the files they include, so clang-tidy would have no command
for userspace/x.cpp and guess one from a neighbour (wrong include paths for another library).
Each batch's command is exactly the command of each file it includes, so every included file
gets the batch's command with the file in its place.

Usage: unity_compile_db.py BUILD_DIR OUT_DIR   (writes OUT_DIR/compile_commands.json)
"""
import json
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^#include "(?P<path>[^"]+)"$')


def expand(entry):
    batch = entry["file"]
    if "/Unity/unity_" not in batch:
        return [entry]
    sources = [m["path"] for line in Path(batch).read_text().splitlines() if (m := INCLUDE.match(line))]
    if not sources:
        sys.exit(f"unity_compile_db: {batch} includes no source file")
    out = []
    for source in sources:
        obj = Path(source).name + ".o"
        command = entry["command"].replace(batch, source)
        command = re.sub(r"-o \S+", f"-o {obj}", command, count=1)
        out.append({"directory": entry["directory"], "command": command, "file": source})
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    db = json.loads((build / "compile_commands.json").read_text())
    expanded = [e for entry in db for e in expand(entry)]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "compile_commands.json").write_text(json.dumps(expanded, indent=1))


if __name__ == "__main__":
    main()
