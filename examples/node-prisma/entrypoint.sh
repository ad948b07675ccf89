#!/bin/sh
# The container's entrypoint: trueup takes the push lock, backs the database up (reason
# "startup", into $TRUEUP_BACKUP_DIR), pushes the Prisma schema ($TRUEUP_SCHEMA), and then
# replaces itself with the app (exec): node is the container's main process and receives
# its signals. If the push fails or would lose data, the app does not start, and the
# container exits with trueup's code (1 error, 3 refused: nothing was changed).
#
# Settings come from the environment (the Dockerfile sets them): DATABASE_URL,
# TRUEUP_SCHEMA, TRUEUP_BACKUP_DIR, TRUEUP_BACKUP_KEEP; TRUEUP_ACCEPT_DATA_LOSS=1 allows
# a push that drops data, for one deploy.
set -eu
exec trueup start -- "$@"
