// Prisma's JavaScript schema engine (WebAssembly, shipped inside the prisma package) with a
// driver adapter, so no native engine has to be downloaded. CONFORMANCE_ADAPTER picks it:
// "libsql" (the default) for SQLite, "pg" for PostgreSQL; CONFORMANCE_DATABASE_URL is the
// database either way. Each adapter is imported only when it is used.
import { defineConfig } from "prisma/config";

const url = process.env.CONFORMANCE_DATABASE_URL ?? "file:./conformance.db";

// Types of PostgreSQL's catalog that the schema engine's queries return and adapter-pg
// cannot label: `name` (19) and `"char"` (18), and their arrays. Their text is what the
// engine wants, so they are passed on labelled as text (25) and text[] (1009).
const AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };

async function postgres() {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { default: pg } = await import("pg");
  // allowExitOnIdle: an idle pool must not keep the CLI alive once the push is done.
  const pool = new pg.Pool({ connectionString: url, allowExitOnIdle: true });
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  (pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result?.fields ?? []) {
      field.dataTypeID = AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
    }
    return result;
  };
  // ?schema= names the default schema, as in Prisma's own URLs.
  const schema = /[?&]schema=([^&]*)/.exec(url)?.[1];
  return new PrismaPg(pool, { schema: schema ? decodeURIComponent(schema) : undefined });
}

async function sqlite() {
  const { PrismaLibSQL } = await import("@prisma/adapter-libsql");
  return new PrismaLibSQL({ url });
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: () => (process.env.CONFORMANCE_ADAPTER === "pg" ? postgres() : sqlite()),
});
