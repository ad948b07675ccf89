#!/bin/sh
# The container's entrypoint. trueup takes the push lock, backs the database up ("pre-push"
# when the schema changes, else "startup"), pushes the schema, and then replaces itself with
# the app (exec), so the app is the container's main process and receives its signals
# (SIGTERM on `docker stop`).
# If the push fails or would lose data, the app is not started and the container exits
# with trueup's code (1 error, 3 refused).
#
# Settings come from the environment (see the Dockerfile): DATABASE_URL, TRUEUP_SCHEMA,
# TRUEUP_BACKUP_DIR, and TRUEUP_ACCEPT_DATA_LOSS=1 to allow a push that drops data.
set -eu
exec trueup start -- "$@"
