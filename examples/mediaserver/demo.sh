#!/usr/bin/env bash
# The demo's steps, with the `trueup` and `python` found on PATH, in the current folder:
# push version 1 of the example schema into demo/media.db, add rows, show the diff to
# version 2, push it, push again (nothing to do), and show that every row is kept.
# scripts/demo runs it from the repository; it runs as well beside an installed trueup:
#
#   examples/mediaserver/demo.sh [prisma|sql]
set -euo pipefail
example="$(dirname "${BASH_SOURCE[0]}")"
case "${1:-prisma}" in
    prisma) v1=$example/prisma/schema.prisma v2=$example/prisma-v2/schema.prisma ;;
    sql) v1=$example/schema.sql v2=$example/schema-v2.sql ;;
    *) echo "usage: $0 [prisma|sql]" >&2; exit 1 ;;
esac
rm -rf demo && mkdir demo
db="file:./demo/media.db"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step trueup push --schema "$v1" --url $db
trueup push --schema "$v1" --url $db
python - "$example/seed.sql" <<'PY'
import sqlite3, sys
conn = sqlite3.connect("demo/media.db")
conn.executescript(open(sys.argv[1]).read())
conn.commit()
print("\nAdded rows:", conn.execute("SELECT count(*) FROM media").fetchone()[0], "media,",
      conn.execute("SELECT count(*) FROM users").fetchone()[0], "users")
PY

step trueup diff --schema "$v2" --url $db
trueup diff --schema "$v2" --url $db || [ $? -eq 2 ]

step trueup push --schema "$v2" --url $db
trueup push --schema "$v2" --url $db

step trueup push --schema "$v2" --url $db "   # again: nothing to do"
trueup push --schema "$v2" --url $db

step "SELECT id, title, year, rating FROM media   # every row kept"
python - <<'PY'
import sqlite3
for row in sqlite3.connect("demo/media.db").execute("SELECT id, title, year, rating FROM media"):
    print(row)
PY
