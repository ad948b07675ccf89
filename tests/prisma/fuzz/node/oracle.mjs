// Prisma as a long-running oracle: the WebAssembly modules of an installed Prisma CLI,
// driven the way the CLI drives them, answering one JSON request per line on stdin with
// one JSON answer per line on stdout. Starting the CLI costs a second or two of Node per
// call; this pays it once.
//
//   node oracle.mjs CLI_DIR [ENGINE_GLUE_DIR]
//
// CLI_DIR holds node_modules/prisma (the CLI) and the driver adapters. The schema checks
// (`prisma validate`) run the CLI's prisma_schema_build_bg.wasm through the wasm-bindgen
// glue the CLI bundles, taken from the bundle's own text, and in the CLI's order: lint
// (the warnings), validate, get_config. `db push` runs the CLI's schema_engine_bg.wasm
// through the glue of @prisma/schema-engine-wasm in ENGINE_GLUE_DIR (a package of the same
// engine; the CLI bundles its copy in a form that cannot be taken out), with the driver
// adapter bound as the CLI binds it; without ENGINE_GLUE_DIR only validate answers.
//
// Requests:
//   {"id", "op": "version"}
//   {"id", "op": "validate", "files": [[path, text]...], "env": {...}}
//   {"id", "op": "push", "files", "url", "force"}   prisma db push onto url's database
//   {"id", "op": "plan", "files", "url"}            the SQL a push onto url's database runs
//   {"id", "op": "script", "files", "url"}          the SQL from an empty database
// Each answer carries the id, and "error" when the request itself failed.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

const [cliDir, engineGlueDir] = process.argv.slice(2);
const fromCli = createRequire(path.join(path.resolve(cliDir), "package.json"));
const build = path.join(path.dirname(fromCli.resolve("prisma/package.json")), "build");
const version = fromCli("prisma/package.json").version;
const major = Number(version.split(".")[0]);

// The CLI reports a panic through this registry; the message is all the oracle keeps.
let panicMessage = "";
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    panicMessage = message;
  },
};

function schemaWasm() {
  // The glue is one CommonJS module of the bundle: `P((exports, module) => {"use strict";
  // var imports = {}; imports.__wbindgen_placeholder__ = module.exports; ... })`, ending
  // where it instantiates prisma_schema_build_bg.wasm.
  const file = ["cli.js", "index.js"].map((f) => path.join(build, f)).find(fs.existsSync);
  const text = fs.readFileSync(file, "utf8");
  const at = text.indexOf("prisma_schema_build_bg.wasm");
  const start = text.lastIndexOf('{"use strict";var ', at);
  const header = /=P\(\((\w+),(\w+)\)=>$/.exec(text.slice(start - 40, start));
  const end = text.indexOf("__wbindgen_start()});", at) + "__wbindgen_start()".length;
  if (at < 0 || start < 0 || !header || end < at) {
    throw new Error(`the schema wasm glue was not found in ${file}`);
  }
  const body = text.slice(start + 1, end);
  const module = { exports: {} };
  const load = new Function(header[1], header[2], "require", "__dirname", body);
  load(module.exports, module, fromCli, build);
  return module.exports;
}

const wasm = schemaWasm();

async function engineClass() {
  const glue = await import(path.join(path.resolve(engineGlueDir), "schema_engine_bg.js"));
  const bytes = fs.readFileSync(path.join(build, "schema_engine_bg.wasm"));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    "./schema_engine_bg.js": glue,
  });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue.SchemaEngine;
}

let SchemaEngine = null;

function validate({ files, env }) {
  // As `prisma validate`: the lint warnings, then validate, then get_config.
  const warnings = JSON.parse(wasm.lint(JSON.stringify(files)))
    .filter((d) => d.is_warning)
    .map((d) => d.text);
  try {
    wasm.validate(JSON.stringify({ prismaSchema: files, noColor: true }));
  } catch (error) {
    return { valid: false, errors: panicOr(error), warnings };
  }
  const request =
    major >= 7
      ? { prismaSchema: files }
      : { prismaSchema: files, datasourceOverrides: {}, ignoreEnvVarErrors: false, env };
  let config;
  try {
    config = JSON.parse(wasm.get_config(JSON.stringify(request)));
  } catch (error) {
    return { valid: false, errors: panicOr(error), warnings };
  }
  if (config.errors.length > 0) {
    const errors = config.errors.map((e) => e.message ?? JSON.stringify(e)).join("\n");
    return { valid: false, errors, warnings };
  }
  return { valid: true, errors: null, warnings };
}

function panicOr(error) {
  const text = String(error?.message ?? error);
  return panicMessage ? `panic: ${panicMessage}\n${text}` : text;
}

// PostgreSQL catalog types the schema engine reads and adapter-pg cannot label (`name`,
// `"char"` and their arrays), passed on as text: as the conformance config does.
const AS_TEXT = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };

async function adapterFactory(url) {
  if (url.startsWith("file:")) {
    const libsql = fromCli("@prisma/adapter-libsql");
    const Factory = libsql.PrismaLibSQL ?? libsql.PrismaLibSql; // 6's name, 7's name
    return new Factory({ url });
  }
  const { PrismaPg } = fromCli("@prisma/adapter-pg");
  const pg = fromCli("pg");
  const pool = new pg.Pool({ connectionString: url, allowExitOnIdle: true });
  const query = pool.query.bind(pool);
  pool.query = async (...args) => {
    const result = await query(...args);
    for (const field of result?.fields ?? []) {
      field.dataTypeID = AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
    }
    return result;
  };
  const schema = /[?&]schema=([^&]*)/.exec(url)?.[1];
  const factory = new PrismaPg(pool, { schema: schema ? decodeURIComponent(schema) : undefined });
  factory.__pool = pool;
  return factory;
}

async function withEngine(files, url, work) {
  if (!engineGlueDir) throw new Error("no schema engine glue given: validate only");
  SchemaEngine ??= await engineClass();
  const { bindMigrationAwareSqlAdapterFactory } = fromCli("@prisma/driver-adapter-utils");
  const made = await adapterFactory(url);
  const adapter = bindMigrationAwareSqlAdapterFactory(made);
  const engine = await SchemaEngine.new({ datamodels: files }, () => {}, adapter);
  try {
    return await work(engine);
  } finally {
    engine.free();
    await made.__pool?.end();
  }
}

const FILTERS = { externalTables: [], externalEnums: [] };

function schemaFiles(files) {
  return { files: files.map(([p, content]) => ({ path: p, content })) };
}

async function push({ files, url, force }) {
  return withEngine(files, url, async (engine) => {
    try {
      const out = await engine.schemaPush({ schema: schemaFiles(files), force, filters: FILTERS });
      return { pushed: true, ...out };
    } catch (error) {
      return { pushed: false, failure: engineError(error) };
    }
  });
}

async function plan({ files, url }) {
  return diff(files, url, { tag: "schemaDatasource", ...schemaFiles(files), configDir: "." });
}

async function script({ files, url }) {
  return diff(files, url, { tag: "empty" });
}

async function diff(files, url, from) {
  return withEngine(files, url, async (engine) => {
    try {
      const out = await engine.diff({
        from,
        to: { tag: "schemaDatamodel", ...schemaFiles(files) },
        script: true,
        shadowDatabaseUrl: null,
        exitCode: null,
        filters: FILTERS,
      });
      return { sql: out.stdout ?? "" };
    } catch (error) {
      return { sql: null, failure: engineError(error) };
    }
  });
}

function engineError(error) {
  const code = error?.code ? `${error.code} ` : "";
  return code + panicOr(error);
}

const OPS = { version: async () => ({ version }), validate, push, plan, script };

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  panicMessage = "";
  let answer;
  try {
    answer = await OPS[request.op](request);
  } catch (error) {
    answer = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(`${JSON.stringify({ id: request.id, ...answer })}\n`);
}
process.exit(0);
