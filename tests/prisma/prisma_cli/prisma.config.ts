// Prisma's JavaScript schema engine (WebAssembly, shipped inside the prisma package) with
// the libSQL driver adapter: no native engine has to be downloaded.
import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaLibSQL({ url: process.env.CONFORMANCE_DATABASE_URL ?? "file:./conformance.db" }),
});
