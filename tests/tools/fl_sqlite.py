#!/usr/bin/env python3
"""A database under storage faults, for the file and syscall fault tests.

  fl_sqlite.py write DB N     N transactions, each inserting row i and committing; prints
                              "acked i" once COMMIT returned, "failed i ERR" when a statement
                              failed (the connection is reopened and the loop goes on)
  fl_sqlite.py verify DB IDS  integrity_check, then every id in file IDS (one per line) must be
                              in the table; prints "integrity ok", "missing K" and exits 0 only
                              when the database is intact and nothing acknowledged is missing

WAL is off (rollback journal, synchronous=FULL): every commit writes and syncs the database and
its journal, so injected write/fsync errors land inside commits."""
import sqlite3
import sys


def connect(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=5)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    return db


def write(path, n):
    db = None
    for i in range(1, n + 1):
        try:
            if db is None:
                db = connect(path)
            db.execute("BEGIN")
            db.execute("INSERT INTO t VALUES (?, ?)", (i, "x" * 200))
            db.execute("COMMIT")
            print(f"acked {i}", flush=True)
        except sqlite3.Error as e:
            print(f"failed {i} {e}", flush=True)
            try:
                if db is not None:
                    db.close()
            except sqlite3.Error:
                pass
            db = None
    return 0


def verify(path, ids_file):
    db = sqlite3.connect(path)
    result = db.execute("PRAGMA integrity_check").fetchone()[0]
    print(f"integrity {result}")
    present = {row[0] for row in db.execute("SELECT id FROM t")}
    with open(ids_file) as f:
        acked = [int(line) for line in f if line.strip()]
    missing = [i for i in acked if i not in present]
    print(f"acked {len(acked)} present {len(present)} missing {len(missing)}")
    return 0 if result == "ok" and not missing else 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "verify"):
        sys.exit(__doc__)
    if sys.argv[1] == "write":
        sys.exit(write(sys.argv[2], int(sys.argv[3])))
    sys.exit(verify(sys.argv[2], sys.argv[3]))
