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
import os
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
    if entry["command"].count(batch) != 1:
        sys.exit(f"unity_compile_db: the command for {batch} does not name it exactly once")
    # The object file stays the batch's: clang-tidy drops output arguments.
    return [
        {"directory": entry["directory"], "command": entry["command"].replace(batch, source), "file": source}
        for source in sources
    ]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    db = json.loads((build / "compile_commands.json").read_text())
    expanded = [e for entry in db for e in expand(entry)]
    out_dir.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a clang-tidy of another lint run never reads half a file.
    tmp = out_dir / f"compile_commands.json.{os.getpid()}"
    tmp.write_text(json.dumps(expanded, indent=1))
    tmp.replace(out_dir / "compile_commands.json")


if __name__ == "__main__":
    main()
