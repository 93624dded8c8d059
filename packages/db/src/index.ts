export { createDb, type Db } from "./client";
export { type EmbeddedPostgresHandle,startEmbeddedPostgres } from "./embedded";
export * from "./generated/prisma/client";
export { migrateDatabase } from "./migrate";
export * from "./selects";
