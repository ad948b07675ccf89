#!/usr/bin/env bash
# Install the Prisma 7 CLI, the driver adapters and the WebAssembly schema engine's glue
# into this folder (node_modules is ignored by git), exactly as package-lock.json pins
# them. npm keeps its downloads in its own cache, and node_modules stays until
# package-lock.json changes, so only the first run needs the registry. Nothing is
# downloaded from Prisma's servers: schema-engine.mjs stands in for the native engine.
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.installed-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json node_modules/.installed-lock.json
fi
