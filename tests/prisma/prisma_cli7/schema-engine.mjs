#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary, which the Prisma 7 CLI downloads
// from Prisma's servers (out of reach here and in CI). The CLI runs whatever
// PRISMA_SCHEMA_ENGINE_BINARY names through the binary's interface; this answers it with
// the same engine, the WebAssembly build the prisma package ships (its wasm-bindgen glue
// comes from @prisma/schema-engine-wasm), reaching the database through a driver adapter:
// libSQL for a `file:` URL, pg for a PostgreSQL one.
//
//   schema-engine --version
//   schema-engine --datasource JSON cli can-connect-to-database|create-database|drop-database
//   schema-engine [--datamodels FILE]... [--datasource JSON] ...   (JSON-RPC on stdin/stdout)
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));

function parseArgs(argv) {
  const out = { datamodels: [], datasource: {}, cli: null, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "-V") out.version = true;
    else if (arg === "--datamodels") out.datamodels.push(argv[++i]);
    else if (arg === "--datasource") out.datasource = JSON.parse(argv[++i]);
    else if (arg === "cli") out.cli = argv[++i];
    else if (arg.startsWith("--")) i++; // --enabled-preview-features, --extension-types
  }
  return out;
}

function loadEngine() {
  const wasm = new URL("./node_modules/prisma/build/schema_engine_bg.wasm", import.meta.url);
  const module = new WebAssembly.Module(readFileSync(wasm));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

// PostgreSQL's catalog type `"char"` (18), which the engine's queries return and
// adapter-pg cannot label: its text is what the engine wants, so it is passed on labelled
// as text (25), and its array (1002) as text[] (1009), as the Prisma 6 config does.
const AS_TEXT = { 18: 25, 1002: 1009 };

function postgresFactory(url) {
  const pg = require("pg");
  const { PrismaPg } = require("@prisma/adapter-pg");
  const pool = new pg.Pool({ connectionString: url, allowExitOnIdle: true });
  const query = pool.query.bind(pool);
  pool.query = async (...rest) => {
    const result = await query(...rest);
    for (const field of result?.fields ?? []) {
      field.dataTypeID = AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
    }
    return result;
  };
  // ?schema= names the default schema, as in Prisma's own URLs.
  const schema = /[?&]schema=([^&]*)/.exec(url)?.[1];
  return new PrismaPg(pool, { schema: schema ? decodeURIComponent(schema) : undefined });
}

// The engine reads a partial index's predicate with `… AND name = "Index_name"`, a
// double-quoted string that the native engine's SQLite takes as a literal (its default
// DQS setting). The SQLite inside libSQL does not (it is built without DQS) and fails on
// it, so that query is given single quotes, the literal it means.
const DQS_QUERY = /^(SELECT sql FROM sqlite_master WHERE type = 'index' AND name = )"((?:[^"]|"")*)"/;

function singleQuoted(query) {
  const found = DQS_QUERY.exec(query.sql);
  if (!found) return query;
  const literal = found[2].replaceAll('""', '"').replaceAll("'", "''");
  return { ...query, sql: query.sql.replace(DQS_QUERY, `$1'${literal}'`) };
}

function sqliteFactory(url) {
  const { PrismaLibSql } = require("@prisma/adapter-libsql");
  const factory = new PrismaLibSql({ url });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = (query) => queryRaw(singleQuoted(query));
    return adapter;
  };
  return factory;
}

function isSqlite(url) {
  return url.startsWith("file:");
}

function adapterFactory(url) {
  const { bindMigrationAwareSqlAdapterFactory } = require("@prisma/driver-adapter-utils");
  return bindMigrationAwareSqlAdapterFactory(isSqlite(url) ? sqliteFactory(url) : postgresFactory(url));
}

function sqlitePath(url) {
  return url.slice("file:".length).split("?")[0];
}

// The CLI reads errors from stderr as the native binary's JSON log lines (for `cli`
// commands, the lines after the first).
function fail(code, message) {
  process.stderr.write("schema-engine (WebAssembly stand-in)\n");
  const line = { level: "ERROR", target: "schema_engine::logger", fields: { message, error_code: code } };
  process.stderr.write(JSON.stringify(line) + "\n");
  process.exit(1);
}

async function onPostgres(url, run) {
  const pg = require("pg");
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await run(client);
  } catch (error) {
    if (error.code === "3D000") fail("P1003", `Database does not exist: ${error.message}`);
    fail("P1001", `Can't reach database server: ${error.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function cli(command, url) {
  if (!url) fail("P1012", "No datasource URL given");
  if (isSqlite(url)) {
    const path = sqlitePath(url);
    if (command === "can-connect-to-database" && !existsSync(path)) {
      fail("P1003", `Database ${path} does not exist`);
    } else if (command === "create-database") {
      const adapter = await sqliteFactory(url).connect();
      await adapter.executeScript("SELECT 1");
      await adapter.dispose();
    } else if (command === "drop-database") {
      rmSync(path, { force: true });
    }
    return;
  }
  if (command === "can-connect-to-database") return onPostgres(url, (c) => c.query("SELECT 1"));
  // The database is created (or dropped) from the server's maintenance database.
  const [, server, name, rest] = /^([^:]+:\/\/[^/]*\/)([^?]*)(.*)$/.exec(url);
  const verb = command === "create-database" ? "CREATE" : "DROP";
  const quoted = `"${decodeURIComponent(name).replaceAll('"', '""')}"`;
  return onPostgres(`${server}postgres${rest}`, (c) => c.query(`${verb} DATABASE ${quoted}`));
}

// The JSON-RPC method names of the native binary that the WebAssembly engine spells
// differently.
const METHODS = { getDatabaseVersion: "version" };

// The engine's glue hands the message of a Rust panic here before the wasm traps.
let panicMessage = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => (panicMessage = message) };

function rpcError(error) {
  const panic = error instanceof WebAssembly.RuntimeError;
  const message = (panic && panicMessage) || String(error?.message ?? error);
  const data = { is_panic: panic, message };
  if (error && typeof error === "object" && "code" in error) {
    data.error_code = error.code;
    data.meta = error.meta;
  }
  const summary = panic ? message : "An error happened. Check the data field for details.";
  return { code: 4466, message: summary, data };
}

async function serve() {
  const engineModule = loadEngine();
  const datamodels = args.datamodels.map((path) => [path, readFileSync(path, "utf8")]);
  const log = () => {};
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    log,
    adapterFactory(args.datasource.url ?? ""),
  );
  const reply = (message) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line);
    queue = queue.then(async () => {
      const method = METHODS[request.method] ?? request.method;
      try {
        if (typeof engine[method] !== "function") throw new Error(`Unknown method: ${request.method}`);
        const result = await engine[method](request.params);
        reply({ id: request.id, result: result ?? {} });
      } catch (error) {
        reply({ id: request.id, error: rpcError(error) });
      }
    });
  });
  // The CLI closes stdin when it is done; nothing is left to answer.
  lines.on("close", () => queue.then(() => process.exit(0)));
}

if (args.version) {
  process.stdout.write(`schema-engine-cli ${loadEngine().version()}\n`);
} else if (args.cli) {
  await cli(args.cli, args.datasource.url).catch((error) => fail(undefined, String(error?.message ?? error)));
} else {
  await serve().catch((error) => fail(undefined, String(error?.message ?? error)));
}
