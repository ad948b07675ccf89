#!/usr/bin/env bash
# Install the wasm-bindgen glue of Prisma 6.19.3's schema engine into this folder
# (node_modules is ignored by git), as package-lock.json pins it; oracle.mjs runs the
# engine of the CLI in ../../prisma_cli through it. Only the first run needs the registry.
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.installed-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json node_modules/.installed-lock.json
fi
