#!/bin/sh
# The start script trueup replaces (entrypoint.sh), as many Prisma apps ship it. Kept
# here to compare; the image does not use it.
#
# - `cp` of a live SQLite file can copy a torn database (a write in progress, or pages
#   still in the -wal file), and nothing checks the copy; backups pile up for ever.
# - `--accept-data-loss` drops a column or a table as soon as the schema no longer has
#   it: a renamed field loses its data on the next deploy, with no question asked.
# - Nothing stops two replicas from pushing at once, and a push that fails halfway on
#   PostgreSQL can leave part of it applied.
# - The image has to carry the Prisma CLI and its engines (a dev dependency) to run it.
set -e
if [ -f /data/app.db ]; then
    mkdir -p /data/backups
    cp /data/app.db "/data/backups/app.db.$(date +%Y%m%d%H%M%S)"
fi
npx prisma db push --accept-data-loss --skip-generate
exec node server.js
