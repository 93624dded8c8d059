import { PrismaPg } from "@prisma/adapter-pg";
import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI runs offline with the Wasm schema engine driven through the pg adapter.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  // eslint-disable-next-line no-restricted-properties -- the Prisma CLI's own config, outside any app
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "" }),
});
