/**
 * Whether the migrations and prisma/schema.prisma describe the same database.
 * Prisma's own `migrate diff --from-migrations` needs a schema engine that
 * can describe a live database, which the offline (Wasm + driver adapter)
 * engine cannot; so this builds both and compares Postgres' catalogs: one
 * database migrated as deployments are, one made from the datamodel alone
 * (`migrate diff --from-empty --to-schema-datamodel`) plus the statements it
 * cannot express, declared in the schema as `// sql:` comments.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { createDb, type Db } from "@wharf/db";

import { childEnv, REPO_ROOT } from "./env";

const SCHEMA = path.join(REPO_ROOT, "prisma", "schema.prisma");

/** The DDL of the datamodel, then the schema's `// sql:` statements, one statement per entry (the CLI connects to `databaseUrl`, and only reads). */
export function datamodelStatements(databaseUrl: string): string[] {
  const script = execFileSync("npx", ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", SCHEMA, "--script"], {
    cwd: REPO_ROOT,
    env: childEnv({ DATABASE_URL: databaseUrl }),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const declared = [...readFileSync(SCHEMA, "utf8").matchAll(/^\s*\/\/ sql: (.+)$/gm)].map((match) => match[1] ?? "");
  // Prisma's DDL has no bodies with inner semicolons: a statement ends at a `;` that ends a line.
  const generated = script
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean);
  return [...generated, ...declared];
}

/** Columns, indexes, constraints and enums of the public schema, one sorted line each (Prisma's own bookkeeping left out). */
async function catalog(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ line: string }[]>(`
    SELECT format('column %s.%s %s %s default %s', table_name, column_name, udt_name, is_nullable, coalesce(column_default, '-')) AS line
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
    UNION ALL
    SELECT format('constraint %s.%s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
      FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.conrelid::regclass::text <> '"_prisma_migrations"' AND c.conrelid::regclass::text <> '_prisma_migrations'
    UNION ALL
    SELECT format('enum %s (%s)', t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder))
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`);
  return rows.map((row) => row.line).sort();
}

/**
 * The differences between a database the migrations made (`migratedUrl`) and
 * an empty one (`scratchUrl`) built from the schema; empty when they agree.
 */
export async function schemaDrift(migratedUrl: string, scratchUrl: string): Promise<string[]> {
  const migrated = createDb(migratedUrl);
  const scratch = createDb(scratchUrl);
  try {
    await scratch.$executeRawUnsafe("DROP SCHEMA public CASCADE");
    await scratch.$executeRawUnsafe("CREATE SCHEMA public");
    for (const statement of datamodelStatements(scratchUrl)) await scratch.$executeRawUnsafe(statement);
    const [fromMigrations, fromSchema] = await Promise.all([catalog(migrated), catalog(scratch)]);
    const inSchema = new Set(fromSchema);
    const inMigrations = new Set(fromMigrations);
    return [
      ...fromMigrations.filter((line) => !inSchema.has(line)).map((line) => `only in the migrations: ${line}`),
      ...fromSchema.filter((line) => !inMigrations.has(line)).map((line) => `only in schema.prisma: ${line}`),
    ];
  } finally {
    await Promise.all([migrated.$disconnect(), scratch.$disconnect()]);
  }
}
