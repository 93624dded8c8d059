import path from "node:path";

import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The schema's `url = env("DATABASE_URL")` must resolve for the CLI to pick the
// offline engine, even for `generate`, which never connects.
process.env.DATABASE_URL ??= "postgresql://localhost:5432/wharf";

// The CLI runs offline with the Wasm schema engine driven through the pg adapter.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: () => Promise.resolve(new PrismaPg({ connectionString: process.env.DATABASE_URL })),
});
