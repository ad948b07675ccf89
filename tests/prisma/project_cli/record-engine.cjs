#!/usr/bin/env node
// A stand-in for Prisma's schema engine binary (PRISMA_SCHEMA_ENGINE_BINARY): it writes
// the folder it was started in and its arguments (the schema files, the datasource URL)
// as one JSON line to $RECORD_ENGINE_LOG. It answers `--version` and the `cli` commands
// (can-connect-to-database, create-database) with success, and ends any other start at
// once: the CLI then stops, and what it would have pushed to is on record.
const fs = require("node:fs");
fs.appendFileSync(
  process.env.RECORD_ENGINE_LOG,
  JSON.stringify({ cwd: process.cwd(), argv: process.argv.slice(2) }) + "\n",
);
if (process.argv.includes("--version")) {
  console.log("schema-engine-cli d1b3f377ca835d73fd50954a5e22128b9ebdd6b8");
}
process.exit(process.argv.includes("cli") || process.argv.includes("--version") ? 0 : 3);
