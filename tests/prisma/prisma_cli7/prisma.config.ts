// Prisma 7 reads the database URL from here (a schema's datasource may not have one):
// CONFORMANCE_DATABASE_URL, a `file:` URL or a PostgreSQL one. The schema engine is
// schema-engine.mjs beside this file (PRISMA_SCHEMA_ENGINE_BINARY), which picks the driver
// adapter from the URL.
import { defineConfig } from "prisma/config";

export default defineConfig({
  datasource: { url: process.env.CONFORMANCE_DATABASE_URL ?? "file:./conformance.db" },
});
