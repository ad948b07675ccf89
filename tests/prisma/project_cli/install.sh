#!/usr/bin/env bash
# Install the Prisma 7 CLI and dotenv into this folder (node_modules is ignored by git),
# exactly as package-lock.json pins them. Only the first run needs the registry. No engine
# is downloaded from Prisma's servers: the tests give the CLI a stand-in that records how
# it was started (record-engine.cjs).
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.installed-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json node_modules/.installed-lock.json
fi
