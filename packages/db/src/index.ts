export { createDb, type Db } from "./client";
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded";
export * from "./generated/prisma/client";
export { migrateDatabase } from "./migrate";
export * from "./selects";
