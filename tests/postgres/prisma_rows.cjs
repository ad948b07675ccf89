// Rows of one DateTime column written and read through Prisma's own libSQL driver adapter
// (installed with the Prisma CLI in tests/prisma/prisma_cli), so that a SQLite file holds
// exactly what Prisma stores:
//   node prisma_rows.cjs NODE_MODULES write FILE TABLE COLUMN FORMAT ID=STAMP...
//     inserts a row per ID=STAMP (the table's "id" and COLUMN; other columns take their
//     defaults). FORMAT is the adapter's timestampFormat: "iso8601" (its default) or
//     "unixepoch-ms" (what Prisma's native engine stores); STAMP is an ISO 8601 instant.
//   node prisma_rows.cjs NODE_MODULES read FILE TABLE COLUMN
//     prints the column as the adapter hands it to Prisma, one JSON value a line, by id.
const { createRequire } = require("module");

async function main() {
  const [modules, action, file, table, column, format, ...stamps] = process.argv.slice(2);
  const { PrismaLibSQL } = createRequire(modules + "/")("@prisma/adapter-libsql");
  const factory = new PrismaLibSQL({ url: `file:${file}` }, { timestampFormat: format });
  const adapter = await factory.connect();
  const quoted = (name) => `"${name.replaceAll('"', '""')}"`;
  try {
    if (action === "write") {
      for (const pair of stamps) {
        const [id, stamp] = pair.split("=");
        await adapter.executeRaw({
          sql: `INSERT INTO ${quoted(table)} ("id", ${quoted(column)}) VALUES (?, ?)`,
          args: [Number(id), stamp],
          argTypes: [
            { scalarType: "int", arity: "scalar" },
            { scalarType: "datetime", arity: "scalar" },
          ],
        });
      }
    } else {
      const result = await adapter.queryRaw({
        sql: `SELECT ${quoted(column)} FROM ${quoted(table)} ORDER BY "id"`,
        args: [],
        argTypes: [],
      });
      for (const row of result.rows) process.stdout.write(JSON.stringify(row[0]) + "\n");
    }
  } finally {
    await adapter.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
