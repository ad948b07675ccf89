#!/usr/bin/env bash
# Install the Prisma CLI used by the conformance tests into this folder (node_modules is
# ignored by git). Only the npm registry is needed: the schema engine is the WebAssembly
# build shipped in the prisma package, so nothing is downloaded from Prisma's servers.
set -euo pipefail
cd "$(dirname "$0")"
want=$(node -p 'require("./package.json").dependencies.prisma')
have=$(node -p 'try { require("./node_modules/prisma/package.json").version } catch { "" }')
if [ "$want" != "$have" ]; then
  npm install --no-audit --no-fund --no-save --loglevel=error >&2
fi
# The CLI insists on a query engine library file before any command, although db push with
# a driver adapter never loads it; an empty stand-in satisfies the check.
touch dummy-query-engine.so.node
